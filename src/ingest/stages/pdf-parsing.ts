/**
 * Where PDFs are parsed: in worker threads when there are cores to spare, else in this thread
 * (with PDFium's text pass on a worker beside it). "auto" uses workers only where their start-up
 * (loading pdf.js and PDFium again) pays for itself.
 */
import os from "node:os";
import { loadPdfParser, preloadPngEncoder, startPdfiumTextWorker, type PdfParser } from "../pdf-adapter.js";
import { PdfPoolUnavailableError, PdfWorkerPool } from "../pdf-pool.js";

/**
 * With fewer PDFs than this, "auto" parses in the main thread (with the PDFium text worker): each
 * whole-parse worker loads the parser, compiles PDFium's WASM and warms up its JIT first. Measured text
 * + BM25 from the build: 15 shared papers (266 pages) 78.2 pages/s main thread + text worker vs 67.4 in
 * two whole-parse workers (same bench run); the same papers x4 (60 PDFs) 123.7 vs 143.1 pages/s.
 */
const MIN_PDFS_FOR_WORKERS = 50;

/**
 * The same when figures are cropped or pages rendered: each document is several times more work, so
 * the workers' start-up pays off sooner. Measured with crops from the build: 15 shared papers 6.4 s in
 * two whole-parse workers vs 7.7 s in the main thread + text worker; 4 papers 2.2 vs 2.4 s; 2 papers even.
 */
const MIN_PDFS_FOR_WORKERS_WHEN_RENDERING = 4;

/**
 * From this many PDFs, a main-thread parse hands PDFium's text pass to a worker thread (when there is
 * a second core). Below it the worker's start-up (about 0.3 s of CPU) outweighs what it saves.
 */
const MIN_PDFS_FOR_TEXT_WORKER = 4;

export interface PdfParsingOptions {
  pdfCount: number;
  concurrency: number;
  /** crops or page images: a second, drawing pass per PDF */
  drawsPdfs: boolean;
  pdfWorkers?: number | "auto";
  textWorker?: boolean | "auto";
  pdfTextEngine?: "pdfium" | "pdfjs";
  signal?: AbortSignal;
  warn(message: string): void;
}

export interface PdfParsing {
  parsePdf: PdfParser;
  /** whole-parse worker threads (0: this thread) */
  workerCount: number;
  close(): Promise<void>;
}

export async function startPdfParsing(options: PdfParsingOptions): Promise<PdfParsing> {
  const { pdfCount, concurrency, drawsPdfs, signal } = options;
  const cores = os.availableParallelism();
  // Measured with bench/ingest.ts on 2 cores shared with other jobs: at load average 3.4 two workers
  // beat the main thread (13.0 s vs 17.6 s for 266 pages); at load 9 they lost (63 s vs 44 s: no core
  // to run on, and each worker loads pdf.js again). So "auto" skips workers on a saturated machine
  // (load average above 3 per core; Windows reads 0 and always uses them).
  const saturated = os.loadavg()[0]! > cores * 3;
  const workerCount =
    options.pdfWorkers === undefined || options.pdfWorkers === "auto"
      ? cores > 1 && concurrency > 1 && pdfCount >= (drawsPdfs ? MIN_PDFS_FOR_WORKERS_WHEN_RENDERING : MIN_PDFS_FOR_WORKERS) && !saturated
        ? Math.min(concurrency, cores)
        : 0
      : options.pdfWorkers;
  // Parsing here with a core to spare: PDFium's text pass runs on a worker thread beside this one.
  const useTextWorker =
    workerCount <= 0 &&
    pdfCount > 0 &&
    options.pdfTextEngine !== "pdfjs" &&
    (options.textWorker === undefined || options.textWorker === "auto" ? cores > 1 && pdfCount >= MIN_PDFS_FOR_TEXT_WORKER && !saturated : options.textWorker);
  const textWorker = useTextWorker ? await startPdfiumTextWorker().catch(() => undefined) : undefined;
  let pool: PdfWorkerPool | undefined;
  const closeNow = () => {
    void pool?.close();
    void textWorker?.close();
  };
  signal?.addEventListener("abort", closeNow, { once: true });
  let workersFailed = workerCount <= 0;
  const parsePdf: PdfParser = async (data, parseOptions) => {
    if (!workersFailed) {
      if (!pool && drawsPdfs) await preloadPngEncoder().catch(() => undefined);
      pool ??= new PdfWorkerPool(workerCount);
      try {
        return await pool.parse(data, parseOptions);
      } catch (error) {
        if (!(error instanceof PdfPoolUnavailableError) || signal?.aborted) throw error;
        if (!workersFailed) options.warn(`PDF worker threads unavailable, parsing in the main thread (${error.message})`);
        workersFailed = true;
      }
    }
    // parsePdf runs one PDF at a time in this thread: parsing is CPU-bound, so interleaving gains
    // nothing, and two parses interleaved were measured to give different blocks for 1810.04805.pdf.
    // With the text worker, the next file's PDFium pass starts as soon as parsePdf is called.
    return (await loadPdfParser())(data, textWorker ? { ...parseOptions, textWorker } : parseOptions);
  };
  return {
    parsePdf,
    workerCount,
    async close() {
      signal?.removeEventListener("abort", closeNow);
      await pool?.close();
      await textWorker?.close();
    },
  };
}

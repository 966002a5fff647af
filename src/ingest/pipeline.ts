/**
 * The ingest pipeline: discover -> (read, hash, skip if unchanged, sniff, parse, chunk) with
 * bounded concurrency -> bounded queue -> one store writer (putDocument: delete old points, write,
 * record last). Resumable because the registry record is written last: a document interrupted
 * mid-write has no record (or its old record with an old hash), so the next run redoes it, and
 * putDocument deletes whatever points the interrupted run left.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { FolioError, errorMessage } from "../errors.js";
import type { FolioConfig } from "../config.js";
import type { ChunkInput, DocumentInput, DocumentRecord, FolioStoreApi } from "../store/types.js";
import { chunkDocument, type DocumentMeta } from "./chunker.js";
import { discover, markdownImageLinks, type SourceItem } from "./discover.js";
import { DEFAULT_ARXIV_BASE_URL, FetchFailure, fetchToCache } from "./fetch.js";
import { arxivDocId, arxivIdFromFileName, fileDocId, sha256Hex, shortHash, urlDocId } from "./hash.js";
import { captionFromFileName, parseImage, readImageSize, readSidecarCaption } from "./image.js";
import { loadManifest, type ManifestEntry } from "./manifest.js";
import { parseMarkdown } from "./markdown.js";
import { classifyPdfError, hintOf, loadPdfParser, preloadPngEncoder, startPdfiumTextWorker, type PdfParser } from "./pdf-adapter.js";
import { PdfPoolUnavailableError, PdfWorkerPool } from "./pdf-pool.js";
import { contentMatches, describeSniffed, sniff, sourceKindOf, type SourceKind } from "./sniff.js";
import type { FileEvent, IngestEvents, IngestSummary, PhaseProgress, SkippedFile, SkipReason } from "./summary.js";
import { parseText } from "./text.js";
import type { ParsedDocument } from "./types.js";

/** Bump when chunking or parsing changes in a way that should re-ingest unchanged files. */
export const PIPELINE_VERSION = 5;

type IngestSettings = FolioConfig["ingest"];

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

/**
 * The configuration's ingest settings (chunk sizes, rendering, limits, concurrency, images and
 * downloads folders, PDF text engine) plus per-run choices.
 */
export interface IngestOptions extends IngestSettings {
  /** Globs relative to each folder source (default: every supported file). */
  include?: string[];
  exclude?: string[];
  /** CSV or JSONL manifest of metadata, URLs and arXiv ids. */
  manifest?: string;
  /** Delete documents whose source file under the given folders is gone. */
  prune?: boolean;
  /** Any skipped file makes the summary's `ok` false. */
  strict?: boolean;
  /** Re-ingest even unchanged documents (and download URLs again). */
  force?: boolean;
  /** Crop figures when the PDF parser can (default true). */
  cropFigures?: boolean;
  signal?: AbortSignal;
  fetchTimeoutMs?: number;
  /** Resolves relative sources (default process.cwd()). */
  cwd?: string;
  /** Documents waiting for the store writer; bounds memory (default: concurrency). */
  queueSize?: number;
  /**
   * Worker threads for PDF parsing: 0 parses in the main thread; "auto" (default) uses
   * min(concurrency, cores) workers from MIN_PDFS_FOR_WORKERS PDFs (MIN_PDFS_FOR_WORKERS_WHEN_RENDERING with crops or page images) when there is more than one core and the machine is not saturated.
   */
  pdfWorkers?: number | "auto";
  /**
   * When PDFs parse in the main thread: PDFium's text pass on a worker thread beside it. "auto"
   * (default): from 4 PDFs, with a second core, on a machine that is not saturated.
   */
  textWorker?: boolean | "auto";
}

/** IngestOptions from the configuration, plus per-run choices. */
export function ingestOptionsFromConfig(config: FolioConfig, extra: Partial<IngestOptions> = {}): IngestOptions {
  const ingest = config.ingest;
  return { ...ingest, downloadsDir: ingest.downloadsDir ?? path.join(config.home, "downloads"), ...extra };
}

/** A document ready for the store writer. */
interface ReadyDocument {
  item: SourceItem;
  display: string;
  input: DocumentInput;
  chunks: ChunkInput[];
  replaced: boolean;
  pages: number;
  figures: number;
  figureLabels: string[];
  startedAt: number;
}

class Skip extends Error {
  constructor(
    readonly reason: SkipReason,
    readonly hint: string,
    readonly detail?: string,
  ) {
    super(detail ?? reason);
  }
}

/** Store failures that will fail every document: stop the run instead of skipping each file. */
const FATAL_CODES = new Set(["EMBEDDINGS_AUTH", "EMBEDDINGS_BALANCE", "STORE_LOCKED", "CONFIG", "EMBEDDINGS_UNAVAILABLE"]);

/** A small bounded async queue between the preparers and the store writer. */
class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly waitingPut: Array<() => void> = [];
  private waitingTake: ((value: T | undefined) => void) | undefined;
  private closed = false;
  constructor(private readonly capacity: number) {}

  async put(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((resolve) => this.waitingPut.push(resolve));
    if (this.waitingTake) {
      const take = this.waitingTake;
      this.waitingTake = undefined;
      take(item);
    } else this.items.push(item);
  }

  async take(): Promise<T | undefined> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.waitingPut.shift()?.();
      return item;
    }
    if (this.closed) return undefined;
    return new Promise<T | undefined>((resolve) => (this.waitingTake = resolve));
  }

  close(): void {
    this.closed = true;
    this.waitingTake?.(undefined);
    this.waitingTake = undefined;
    for (const resolve of this.waitingPut.splice(0)) resolve();
  }
}

/** How a source is named in events and records: its absolute path or its URL. */
function displayOf(item: SourceItem): string {
  return item.type === "file" ? item.path : item.url;
}

function hintFor(reason: SkipReason): string {
  switch (reason) {
    case "unsupported-type":
      return "Folio ingests PDF, Markdown (.md), text (.txt) and PNG/JPEG/WebP images.";
    case "mislabelled":
      return "The file's content does not match its extension: save the real file (e.g. download the PDF, not its web page) or rename it.";
    case "empty":
      return "The file has no text to index; if it is a scanned PDF, run OCR on it first.";
    case "too-large":
      return "Raise FOLIO_MAX_FILE_MB, or split the file.";
    case "too-many-pages":
      return "Raise FOLIO_MAX_PAGES, or split the document.";
    case "image-too-large":
      return "Raise FOLIO_MAX_IMAGE_MEGAPIXELS, or downscale the image.";
    case "encrypted":
      return "The PDF is password-protected: save an unencrypted copy and ingest that.";
    case "broken":
      return "The file could not be parsed: check that it opens in a viewer, or re-download it.";
    case "not-found":
      return "Check the path; it does not exist or cannot be read.";
    case "fetch-failed":
      return "Check the network and the URL, or download the file yourself and ingest the local copy.";
    case "store-failed":
      return "Writing to the store failed; re-run the same command to retry (finished documents are kept).";
  }
}

export async function runIngest(store: FolioStoreApi, sources: string[], options: IngestOptions, events: IngestEvents = {}): Promise<IngestSummary> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const cwd = options.cwd ?? process.cwd();
  const signal = options.signal;
  const arxivBaseUrl = options.arxivBaseUrl ?? DEFAULT_ARXIV_BASE_URL;
  const downloadsDir = options.downloadsDir ?? path.join(path.dirname(options.imagesDir), "downloads");
  const renderPages = options.renderPages === "always" || (options.renderPages === "auto" && store.capabilities.images);
  const cropFigures = options.cropFigures ?? true;
  /** PDFs get a second, drawing pass: figure crops or page images. */
  const drawsPdfs = cropFigures || renderPages;
  const concurrency = Math.max(1, options.concurrency);

  const summary: IngestSummary = {
    ok: true,
    aborted: false,
    filesSeen: 0,
    ingested: 0,
    unchanged: 0,
    replaced: 0,
    pruned: 0,
    skipped: [],
    pages: 0,
    chunks: 0,
    figures: 0,
    seconds: 0,
    timings: { prepareSeconds: 0, storeSeconds: 0 },
    warnings: [],
  };
  const warn = (message: string) => {
    summary.warnings.push(message);
    events.onWarning?.(message);
  };
  const fileEvent = (event: FileEvent) => events.onFile?.(event);
  const progress = (phase: PhaseProgress["phase"], done: number, total: number, unit: PhaseProgress["unit"]) =>
    events.onProgress?.({ phase, done, total, unit, elapsedMs: elapsed() });
  const skip = (entry: SkippedFile) => {
    summary.skipped.push(entry);
    fileEvent({ type: "skipped", ...entry });
  };

  // Discover.
  const manifest = options.manifest ? await loadManifest(path.resolve(cwd, options.manifest)) : undefined;
  for (const w of manifest?.warnings ?? []) warn(w);
  progress("discover", 0, 0, "files");
  const discovered = await discover(sources, {
    include: options.include,
    exclude: options.exclude,
    manifest,
    arxivBaseUrl,
    cwd,
    onFound: (n) => progress("discover", n, n, "files"),
  });
  for (const s of discovered.skipped) skip(s);
  const items = discovered.items;
  summary.filesSeen = items.length + discovered.skipped.length;
  progress("discover", items.length, items.length, "files");

  // Document ids, claimed in discovery order so two files never share one. A file keeps the id it
  // was stored under (ingesting a subfolder of an ingested folder adds nothing), and a file whose
  // folder-relative id belongs to another file that still exists (two folders with the same name)
  // gets an id of its own instead of replacing that file.
  // One listing of the stored documents serves these ids, --prune and the unchanged check (all of
  // them, by id: a document missing from it is not stored); the ids and --prune use those stored
  // from files (absolute sources).
  const pruning = Boolean(options.prune) && discovered.roots.length > 0;
  const stored = items.some((item) => item.type === "file") || pruning ? await store.listDocuments() : undefined;
  const storedById = stored ? new Map(stored.map((record) => [record.docId, record])) : undefined;
  const storedFiles = (stored ?? []).filter((record) => path.isAbsolute(record.source));
  const storedIdBySource = new Map(storedFiles.map((record) => [record.source, record.docId]));
  const storedSourceById = new Map(storedFiles.map((record) => [record.docId, record.source]));
  // The arXiv id known before parsing: the manifest's, else the download's or the file name's.
  const knownArxivIds = items.map((item) => item.manifest?.arxivId ?? (item.type === "url" ? item.arxivId : arxivIdFromFileName(item.path)));
  const claimed = new Map<string, string>();
  const docIds = items.map((item, index) => {
    const display = displayOf(item);
    let id: string;
    if (item.type === "url") id = item.arxivId ? arxivDocId(item.arxivId) : urlDocId(item.url);
    else {
      const arxivId = knownArxivIds[index];
      if (arxivId) id = arxivDocId(arxivId);
      else {
        id = storedIdBySource.get(item.path) ?? fileDocId(item.root, item.path);
        const owner = storedSourceById.get(id);
        if (owner !== undefined && owner !== item.path && existsSync(owner)) id = `file:${shortHash(item.path)}`;
      }
    }
    if (claimed.has(id) && claimed.get(id) !== display) id = `file:${shortHash(display)}`;
    claimed.set(id, display);
    return id;
  });
  const seenDocIds = new Set(docIds);

  // PDF parsing: in worker threads when there are cores to spare, else in this thread.
  // "auto": workers pay for their start-up (loading pdf.js again) only over several PDFs and cores.
  const pdfCount = items.filter((item) => item.type === "url" || sourceKindOf(item.path) === "pdf").length;
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
    workerCount <= 0 && pdfCount > 0 && options.pdfTextEngine !== "pdfjs" && (options.textWorker === undefined || options.textWorker === "auto" ? cores > 1 && pdfCount >= MIN_PDFS_FOR_TEXT_WORKER && !saturated : options.textWorker);
  const textWorker = useTextWorker ? await startPdfiumTextWorker().catch(() => undefined) : undefined;
  let pool: PdfWorkerPool | undefined;
  const closePool = () => {
    void pool?.close();
    void textWorker?.close();
  };
  signal?.addEventListener("abort", closePool, { once: true });
  let workersFailed = workerCount <= 0;
  const parsePdf: PdfParser = async (data, parseOptions) => {
    if (!workersFailed) {
      if (!pool && drawsPdfs) await preloadPngEncoder().catch(() => undefined);
      pool ??= new PdfWorkerPool(workerCount);
      try {
        return await pool.parse(data, parseOptions);
      } catch (error) {
        if (!(error instanceof PdfPoolUnavailableError) || signal?.aborted) throw error;
        if (!workersFailed) warn(`PDF worker threads unavailable, parsing in the main thread (${error.message})`);
        workersFailed = true;
      }
    }
    // parsePdf runs one PDF at a time in this thread: parsing is CPU-bound, so interleaving gains
    // nothing, and two parses interleaved were measured to give different blocks for 1810.04805.pdf.
    // With the text worker, the next file's PDFium pass starts as soon as parsePdf is called.
    return (await loadPdfParser())(data, textWorker ? { ...parseOptions, textWorker } : parseOptions);
  };

  const queue = new BoundedQueue<ReadyDocument>(Math.max(1, options.queueSize ?? concurrency));
  let parsedCount = 0;
  let chunksQueued = 0;
  let chunksStored = 0;
  let fatal: unknown;
  const stopped = () => Boolean(signal?.aborted) || fatal !== undefined;

  /** `knownArxivId`: knownArxivIds' entry; `size`: the file's size from the ordering pass (undefined: stat failed). */
  const prepare = async (item: SourceItem, docId: string, knownArxivId: string | undefined, size: number | undefined): Promise<ReadyDocument | undefined> => {
    const display = displayOf(item);
    const startedAt = performance.now();
    const entry: ManifestEntry | undefined = item.manifest;
    let data: Buffer;
    let filePath: string;
    if (item.type === "file") {
      filePath = item.path;
      if (size === undefined) throw new Skip("not-found", hintFor("not-found"));
      if (size === 0) throw new Skip("empty", hintFor("empty"), "the file is empty (0 bytes)");
      if (size > options.maxFileBytes) throw new Skip("too-large", hintFor("too-large"), `${(size / 1048576).toFixed(1)} MB, over the ${(options.maxFileBytes / 1048576).toFixed(1)} MB limit`);
      data = await readFile(filePath);
    } else {
      try {
        const fetched = await fetchToCache(item.url, { downloadsDir, maxBytes: options.maxFileBytes, timeoutMs: options.fetchTimeoutMs ?? 60_000, signal, refresh: options.force });
        data = fetched.data;
        filePath = fetched.cachedPath;
      } catch (error) {
        if (error instanceof FetchFailure) throw new Skip(error.tooLarge ? "too-large" : "fetch-failed", hintFor(error.tooLarge ? "too-large" : "fetch-failed"), error.message);
        throw error;
      }
      if (data.length === 0) throw new Skip("empty", hintFor("empty"), "the download is empty");
    }

    // What the file is: by extension for files, by content for downloads.
    const sniffed = sniff(data.subarray(0, 8192));
    const kind: SourceKind | undefined = item.type === "file" ? sourceKindOf(filePath) : sniffed === "pdf" ? "pdf" : sniffed === "png" || sniffed === "jpeg" || sniffed === "webp" ? "image" : sniffed === "text" ? (/\.(md|markdown)(\?|$)/i.test(item.url) ? "markdown" : "text") : undefined;
    if (!kind) throw new Skip(item.type === "url" ? "mislabelled" : "unsupported-type", item.type === "url" ? "The URL did not return a PDF, Markdown, text or image file (a login or landing page?)." : hintFor("unsupported-type"), `the content is ${describeSniffed(sniffed)}`);
    if (!contentMatches(kind, sniffed)) {
      if (sniffed === "empty") throw new Skip("empty", hintFor("empty"));
      throw new Skip("mislabelled", hintFor("mislabelled"), `named as ${kind} but the content is ${describeSniffed(sniffed)}`);
    }

    // Unchanged? The content hash covers the bytes, plus whatever else shapes the chunks.
    const sidecar = kind === "image" && item.type === "file" ? await readSidecarCaption(filePath) : undefined;
    // Decoded once for the fingerprint and the parse (a leading BOM is dropped; links never start with it).
    const markdownText = kind === "markdown" ? new TextDecoder("utf-8").decode(data) : undefined;
    // A Markdown document's figures are files of their own: their sizes and times join the fingerprint.
    const linkedImages =
      markdownText !== undefined
        ? await Promise.all(
            markdownImageLinks(filePath, markdownText).map((image) =>
              stat(image).then(
                (s) => `${s.size}:${Math.round(s.mtimeMs)}`,
                () => "missing",
              ),
            ),
          )
        : undefined;
    const variant = JSON.stringify({
      v: PIPELINE_VERSION,
      c: [options.chunkTokens, options.chunkOverlapTokens],
      r: kind === "pdf" ? [renderPages && options.pageDpi, cropFigures && options.figureDpi] : undefined,
      m: entry ? { t: entry.title, a: entry.authors, y: entry.year, d: entry.doi, x: entry.arxivId, c: entry.caption } : undefined,
      s: sidecar?.text,
      l: linkedImages,
    });
    const contentHash = `${sha256Hex(data)}.${shortHash(variant)}`;
    let existing: DocumentRecord | null;
    if (storedById) existing = storedById.get(docId) ?? null;
    else {
      try {
        existing = await store.getDocument(docId);
      } catch (error) {
        if (error instanceof FolioError && FATAL_CODES.has(error.code)) {
          fatal ??= error;
          throw error;
        }
        throw new Skip("store-failed", error instanceof FolioError ? error.hint : hintFor("store-failed"), errorMessage(error));
      }
    }
    if (!options.force && existing && existing.contentHash === contentHash && existing.embeddingSignature === store.embeddingSignature) {
      summary.unchanged++;
      fileEvent({ type: "unchanged", path: display, docId });
      return undefined;
    }

    // Parse.
    let parsed: ParsedDocument;
    if (kind === "pdf") {
      try {
        parsed = await parsePdf(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
          imagesDir: options.imagesDir,
          renderPages,
          pageDpi: options.pageDpi,
          cropFigures,
          figureDpi: options.figureDpi,
          maxPages: options.maxPages,
          maxImagePixels: options.maxImagePixels,
          ...(options.pdfTextEngine ? { textEngine: options.pdfTextEngine } : {}),
          ...(options.pdfRenderEngine ? { renderEngine: options.pdfRenderEngine } : {}),
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        const reason = classifyPdfError(error);
        throw new Skip(reason, hintOf(error) ?? hintFor(reason), errorMessage(error));
      }
      if (parsed.pageCount > options.maxPages) throw new Skip("too-many-pages", hintFor("too-many-pages"), `${parsed.pageCount} pages, over the ${options.maxPages}-page limit`);
    } else if (kind === "image") {
      const size = readImageSize(data);
      if (!size) throw new Skip("broken", hintFor("broken"), "the image header could not be read");
      if (size.width * size.height > options.maxImagePixels) throw new Skip("image-too-large", hintFor("image-too-large"), `${size.width}x${size.height} pixels, over the ${(options.maxImagePixels / 1e6).toFixed(1)} megapixel limit`);
      const caption = sidecar?.text ?? entry?.caption ?? captionFromFileName(filePath);
      try {
        parsed = await parseImage({ data, size, filePath, imagesDir: options.imagesDir, caption, title: entry?.title });
      } catch (error) {
        throw new Skip("broken", hintFor("broken"), `the image could not be decoded: ${errorMessage(error)}`);
      }
    } else {
      const text = markdownText ?? new TextDecoder("utf-8").decode(data);
      if (!text.trim()) throw new Skip("empty", hintFor("empty"), "the file holds only whitespace");
      parsed =
        kind === "markdown"
          ? await parseMarkdown(text, { filePath, imagesDir: options.imagesDir, maxImagePixels: options.maxImagePixels, maxImageBytes: options.maxFileBytes })
          : parseText(text, filePath);
    }
    for (const w of parsed.warnings) warn(`${display}: ${w}`);

    const arxivId = knownArxivId ?? parsed.arxivId;
    const meta: DocumentMeta = {
      docId,
      title: entry?.title ?? parsed.title,
      authors: entry?.authors ?? parsed.authors,
      year: entry?.year ?? parsed.year,
      doi: entry?.doi ?? parsed.doi,
      arxivId,
      source: display,
    };
    const chunks = chunkDocument(parsed, meta, { chunkTokens: options.chunkTokens, chunkOverlapTokens: options.chunkOverlapTokens, imagesDir: options.imagesDir });
    if (chunks.length === 0) throw new Skip("empty", hintFor("empty"), kind === "pdf" ? "no extractable text (a scanned PDF?)" : "no text");
    return {
      item,
      display,
      input: {
        docId,
        source: display,
        contentHash,
        title: meta.title,
        authors: meta.authors ?? [],
        year: meta.year,
        pages: parsed.pageCount,
        chunks: chunks.length,
        figures: parsed.figures.length,
      },
      chunks,
      replaced: existing !== null,
      pages: parsed.pageCount,
      figures: parsed.figures.length,
      figureLabels: parsed.figures.map((f) => f.label).filter(Boolean),
      startedAt,
    };
  };

  // Largest files first, so the longest parse does not start last and run alone at the end.
  // The sizes serve prepare too (undefined: the file could not be stat'ed).
  const sizes = await Promise.all(items.map((item) => (item.type === "file" ? stat(item.path).then((s) => s.size, () => undefined) : Promise.resolve(undefined))));
  const order = items.map((_, i) => i).sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0) || a - b);

  // Preparers: a shared cursor over the items.
  let cursor = 0;
  const preparer = async () => {
    while (!stopped()) {
      const index = order[cursor++];
      if (index === undefined) return;
      const item = items[index];
      const docId = docIds[index];
      if (!item || !docId) return;
      const display = displayOf(item);
      const prepareStarted = performance.now();
      try {
        const ready = await prepare(item, docId, knownArxivIds[index], sizes[index]);
        summary.timings.prepareSeconds += (performance.now() - prepareStarted) / 1000;
        if (ready && !stopped()) {
          chunksQueued += ready.chunks.length;
          progress("store", chunksStored, chunksQueued, "chunks");
          await queue.put(ready);
        }
      } catch (error) {
        if (error instanceof Skip) skip({ path: display, reason: error.reason, detail: error.detail, hint: error.hint });
        else if (!signal?.aborted && fatal === undefined) {
          // An unexpected parser failure is this file's problem, not the run's.
          skip({ path: display, reason: "broken", detail: errorMessage(error), hint: hintFor("broken") });
        }
      }
      parsedCount++;
      progress("parse", parsedCount, items.length, "files");
    }
  };

  const writer = async () => {
    for (;;) {
      const ready = await queue.take();
      if (!ready) return;
      if (stopped()) continue;
      const base = chunksStored;
      const storeStarted = performance.now();
      try {
        await store.putDocument(ready.input, ready.chunks, (done) => progress("store", base + done, chunksQueued, "chunks"));
        summary.timings.storeSeconds += (performance.now() - storeStarted) / 1000;
      } catch (error) {
        if (error instanceof FolioError && FATAL_CODES.has(error.code)) {
          fatal = error;
          continue;
        }
        skip({ path: ready.display, reason: "store-failed", detail: errorMessage(error), hint: error instanceof FolioError ? error.hint : hintFor("store-failed") });
        continue;
      }
      chunksStored = base + ready.chunks.length;
      progress("store", chunksStored, chunksQueued, "chunks");
      summary.ingested++;
      if (ready.replaced) summary.replaced++;
      summary.pages += ready.pages;
      summary.chunks += ready.chunks.length;
      summary.figures += ready.figures;
      fileEvent({
        type: "done",
        path: ready.display,
        docId: ready.input.docId,
        title: ready.input.title,
        replaced: ready.replaced,
        pages: ready.pages,
        chunks: ready.chunks.length,
        figures: ready.figures,
        figureLabels: ready.figureLabels,
        seconds: (performance.now() - ready.startedAt) / 1000,
      });
    }
  };

  progress("parse", 0, items.length, "files");
  const writing = writer();
  try {
    // With workers, one file more than there are workers is read and waiting, so a worker that
    // finishes starts its next file at once instead of after the main thread's store writes.
    const preparers = workerCount > 0 ? Math.max(concurrency, workerCount + 1) : concurrency;
    await Promise.all(Array.from({ length: Math.min(preparers, Math.max(1, items.length)) }, preparer));
  } finally {
    queue.close();
    await writing;
    signal?.removeEventListener("abort", closePool);
    await pool?.close();
    await textWorker?.close();
  }
  if (fatal !== undefined) throw fatal;

  // Prune: documents from files under the given folders that no longer exist. Documents this run
  // stored are all in seenDocIds, so the listing from before the run is the one to check.
  if (pruning && !signal?.aborted) {
    for (const record of storedFiles) {
      if (seenDocIds.has(record.docId)) continue;
      const underRoot = discovered.roots.some((root) => record.source.startsWith(root + path.sep));
      if (!underRoot) continue;
      const exists = await stat(record.source).then(
        () => true,
        () => false,
      );
      if (exists) continue;
      await store.deleteDocument(record.docId);
      summary.pruned++;
      fileEvent({ type: "pruned", path: record.source, docId: record.docId });
    }
  }

  summary.aborted = Boolean(signal?.aborted);
  summary.ok = !summary.aborted && !(options.strict && summary.skipped.length > 0);
  summary.seconds = elapsed() / 1000;
  return summary;
}

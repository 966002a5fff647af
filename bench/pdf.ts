/**
 * PDF parser throughput on ../shared/corpus/papers: text only (PDFium text pass, the default, and
 * the pdf.js text pass), and text + figure crops, against the baseline of bare pdf.js text
 * extraction (getTextContent on every page) in the same run.
 * `npx tsx bench/pdf.ts [--workers 2]`: with --workers N the files are split over N child processes
 * (pdf.js runs on the calling thread in Node, so a second core needs a second thread or process).
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fork } from "node:child_process";
import { parsePdf } from "../src/ingest/pdf/index.js";
import { documentOptions, loadPdfjs } from "../src/ingest/pdf/pdfjs.js";
import { ImageStore } from "../src/store/images.js";

type Mode = "pdfjs" | "text" | "text-pdfjs" | "crops";
interface Job {
  files: string[];
  mode: Mode;
  imagesDir: string;
}

async function run(job: Job): Promise<{ pages: number; figures: number; cropped: number }> {
  let pages = 0;
  let figures = 0;
  let cropped = 0;
  const { getDocument } = await loadPdfjs();
  for (const file of job.files) {
    const data = new Uint8Array(await readFile(file));
    if (job.mode === "pdfjs") {
      const doc = await getDocument(await documentOptions(data)).promise;
      for (let n = 1; n <= doc.numPages; n++) {
        const page = await doc.getPage(n);
        await page.getTextContent();
        page.cleanup();
      }
      pages += doc.numPages;
      await doc.destroy();
      continue;
    }
    const textEngine = job.mode === "text-pdfjs" ? "pdfjs" : "pdfium";
    const doc = await parsePdf(data, { images: new ImageStore(job.imagesDir), renderPages: false, pageDpi: 96, cropFigures: job.mode === "crops", figureDpi: 144, maxPages: 2000, maxImagePixels: 20_000_000, textEngine });
    pages += doc.pageCount;
    figures += doc.figures.length;
    cropped += doc.figures.filter((f) => f.imageId).length;
  }
  return { pages, figures, cropped };
}

const jobArg = process.env.FOLIO_BENCH_PDF_JOB;
if (jobArg) {
  process.send?.(await run(JSON.parse(jobArg) as Job));
  process.disconnect?.();
} else {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const corpus = path.resolve(repoRoot, "../shared/corpus/papers");
  if (!existsSync(corpus)) {
    console.error(`No corpus at ${corpus}: see ../shared/corpus/README.md.`);
    process.exit(1);
  }
  const workersArg = process.argv.indexOf("--workers");
  const workers = workersArg > 0 ? Math.max(1, Number(process.argv[workersArg + 1]) || 1) : 1;
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith(".pdf"))
    .map((f) => path.join(corpus, f));
  const imagesDir = await mkdtemp(path.join(tmpdir(), "folio-bench-pdf-"));
  // Warm up module loading and JIT of both engines.
  await run({ files: files.slice(0, 1), mode: "text", imagesDir });
  await run({ files: files.slice(0, 1), mode: "text-pdfjs", imagesDir });

  const measure = async (mode: Mode) => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let total = { pages: 0, figures: 0, cropped: 0 };
    if (workers === 1) total = await run({ files, mode, imagesDir });
    else {
      // Files in the order readdirSync lists them (by name, not by size), dealt round-robin: each process gets every `workers`-th file.
      const shares: string[][] = Array.from({ length: workers }, () => []);
      files.forEach((file, i) => shares[i % workers]?.push(file));
      const results = await Promise.all(
        shares.map(
          (share) =>
            new Promise<typeof total>((resolve, reject) => {
              const child = fork(fileURLToPath(import.meta.url), [], {
                execArgv: ["--import", "tsx"],
                env: { ...process.env, FOLIO_BENCH_PDF_JOB: JSON.stringify({ files: share, mode, imagesDir }) },
              });
              child.once("message", (message) => resolve(message as typeof total));
              child.once("error", reject);
            }),
        ),
      );
      for (const r of results) total = { pages: total.pages + r.pages, figures: total.figures + r.figures, cropped: total.cropped + r.cropped };
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    // CPU time does not depend on what else the machine runs; wall time does. Child processes
    // report theirs through getrusage(RUSAGE_CHILDREN), which Node does not expose: use wall time x workers.
    const cpuSeconds = workers === 1 ? (cpu.user + cpu.system) / 1e6 : seconds * workers;
    return { ...total, seconds, cpuSeconds, pagesPerSecond: total.pages / seconds, pagesPerCpuSecond: total.pages / cpuSeconds };
  };

  const baseline = await measure("pdfjs");
  const text = await measure("text");
  const textPdfjs = await measure("text-pdfjs");
  const crops = await measure("crops");
  const rss = process.memoryUsage().rss / 1e6;
  await rm(imagesDir, { recursive: true, force: true });
  console.log(`PDF parser on ${files.length} papers, ${text.pages} pages, ${workers} process(es):`);
  const line = (name: string, r: typeof text) => `  ${name.padEnd(40)}: ${r.pagesPerSecond.toFixed(1).padStart(6)} pages/s wall (${r.seconds.toFixed(1)} s), ${r.pagesPerCpuSecond.toFixed(1).padStart(6)} pages per CPU-second`;
  console.log(line("baseline: pdf.js getTextContent only", baseline));
  console.log(line("parsePdf text only (PDFium text pass)", text) + `, ${((text.cpuSeconds / baseline.cpuSeconds) * 100).toFixed(0)}% of the baseline's CPU (target 100 pages/s on 2 cores)`);
  console.log(line("parsePdf text only (pdf.js text pass)", textPdfjs) + `, ${((textPdfjs.cpuSeconds / baseline.cpuSeconds) * 100).toFixed(0)}% of the baseline's CPU`);
  console.log(line("parsePdf text + figure crops (144 dpi)", crops) + `, ${crops.cropped}/${crops.figures} figures and tables cropped`);
  console.log(`  main thread RSS after the run: ${rss.toFixed(0)} MB`);
}

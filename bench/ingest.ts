/**
 * Ingest benchmark: all of ../shared/corpus/papers offline into temp embedded stores (BM25 only).
 *
 *   npm run bench:ingest [-- --papers <dir>]     (builds dist/ first; Folio runs from the build)
 *
 * Each measurement runs in its own child process so its peak RSS is its own:
 *   1. LangChain.js's documented pipeline: PDFLoader (pdf-parse) + RecursiveCharacterTextSplitter 1000/200;
 *   2. Folio, text + BM25 only (figure records found from captions, no crops, no page renders) as
 *      `folio ingest --no-figure-images` runs it on 15 PDFs (parsing here, PDFium's text pass on a worker
 *      thread); 1 and 2 alternate three times and report their medians; then Folio without that
 *      thread, then with two whole-parse worker threads; and the corpus four times over (60 PDFs) in
 *      the default mode, where start-up is spread over more pages;
 *   3. Folio with figure crops (regions and crops by PDFium), then a re-ingest of the unchanged corpus
 *      into the same store; and the same crops with pdf.js drawing them (FOLIO_PDF_RENDER_ENGINE=pdfjs),
 *      the renderer before PDFium, for comparison in the same run.
 * Figures found are compared with the "Figure N" / "Table N" captions in the text (from run 1's text).
 * Targets: >= 100 pages/s (text + BM25), >= 90% of captions found as figures, re-ingest < 5% of the first run.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_PAPERS = path.resolve(REPO_ROOT, "../shared/corpus/papers");
const MiB = 1024 * 1024;
const SCALE_COPIES = 4;
/** Cold runs of the headline pair (LangChain, Folio text + BM25); the median is reported. */
const REPEATS = 3;

interface PhaseResult {
  phase: string;
  seconds: number;
  pages: number;
  chunks: number;
  figures: number;
  peakRssMiB: number;
  /** Per file: figure labels found (Folio) or caption labels in the text (LangChain's text). */
  labels?: Record<string, string[]>;
  reingestSeconds?: number;
  prepareSeconds?: number;
  storeSeconds?: number;
  reingestUnchanged?: number;
  skipped?: number;
}

/**
 * Folio as `folio ingest` runs it: the compiled build in dist/ (`npm run bench:ingest` builds first).
 * Through tsx, each worker thread would compile the TypeScript sources again at start-up.
 */
async function fromBuild<T>(modulePath: string): Promise<T> {
  const file = path.join(REPO_ROOT, "dist", modulePath);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (or \`npm run bench:ingest\`, which builds first).`);
  return (await import(pathToFileURL(file).href)) as T;
}

function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) / MiB;
    },
  };
}

const CAPTION = /(?:^|\n)\s*(Figure|Fig\.|Table)\s*(\d+)\s*[:.|]/g;

async function runLangChain(papers: string[]): Promise<PhaseResult> {
  const { PDFLoader } = await import("@langchain/community/document_loaders/fs/pdf");
  const { RecursiveCharacterTextSplitter } = await import("@langchain/textsplitters");
  const rss = sampleRss();
  const started = performance.now();
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 200 });
  let pages = 0;
  let chunks = 0;
  const labels: Record<string, string[]> = {};
  for (const file of papers) {
    const docs = await new PDFLoader(file).load();
    pages += docs.length;
    chunks += (await splitter.splitDocuments(docs)).length;
    const found = new Set<string>();
    for (const doc of docs) for (const m of doc.pageContent.matchAll(CAPTION)) found.add(`${m[1] === "Table" ? "Table" : "Figure"} ${m[2]}`);
    labels[path.basename(file)] = [...found];
  }
  const seconds = (performance.now() - started) / 1000;
  return { phase: "langchain", seconds, pages, chunks, figures: 0, peakRssMiB: rss.stop(), labels };
}

/** How PDFs are parsed in a text-only run. */
type ParseMode = "text-worker" | "main-thread" | "parse-workers" | "auto";

async function runFolio(papersDir: string, crops: boolean, mode: ParseMode = "auto", phase = crops ? "folio-crops" : `folio-text-${mode}`, renderEngine: "pdfium" | "pdfjs" = "pdfium"): Promise<PhaseResult> {
  const { loadConfig } = await fromBuild<typeof import("../src/config.js")>("config.js");
  const { openFolioStore } = await fromBuild<typeof import("../src/store/index.js")>("store/index.js");
  const { ingest, ingestOptionsFromConfig } = await fromBuild<typeof import("../src/ingest/index.js")>("ingest/index.js");
  const home = await mkdtemp(path.join(os.tmpdir(), "folio-bench-ingest-"));
  try {
    const config = loadConfig({ FOLIO_HOME: home }, {}, home);
    const store = await openFolioStore(config, null);
    // Modes forced (not "auto", which also looks at the load average) so the comparison is stable.
    const parseWorkers = Math.min(config.ingest.concurrency, os.availableParallelism());
    const modeOptions =
      mode === "text-worker" ? { pdfWorkers: 0, textWorker: true } : mode === "main-thread" ? { pdfWorkers: 0, textWorker: false } : mode === "parse-workers" ? { pdfWorkers: parseWorkers, textWorker: false } : {};
    const options = ingestOptionsFromConfig(config, { cropFigures: crops, renderPages: "never", pdfRenderEngine: renderEngine, ...modeOptions });
    const labels: Record<string, string[]> = {};
    const rss = sampleRss();
    const first = await ingest(store, [papersDir], options, {
      onFile: (e) => {
        if (e.type === "done") labels[path.basename(e.path)] = e.figureLabels;
      },
    });
    const peakRssMiB = rss.stop();
    let reingestSeconds: number | undefined;
    let reingestUnchanged: number | undefined;
    if (crops) {
      const started = performance.now();
      const again = await ingest(store, [papersDir], options);
      reingestSeconds = (performance.now() - started) / 1000;
      reingestUnchanged = again.unchanged;
    }
    await store.close();
    return { phase, seconds: first.seconds, pages: first.pages, chunks: first.chunks, figures: first.figures, peakRssMiB, labels, reingestSeconds, reingestUnchanged, skipped: first.skipped.length, prepareSeconds: first.timings.prepareSeconds, storeSeconds: first.timings.storeSeconds };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function runChild(phase: string, papersDir: string, extra: string[] = []): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--phase", phase, "--papers", papersDir, ...extra], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || !line) reject(new Error(`phase ${phase} failed (exit ${code})\n${out}`));
      else resolve(JSON.parse(line.slice(7)) as PhaseResult);
    });
  });
}

/** Node's arguments without tsx's loader ("--import tsx", "--import=tsx", "--require tsx", "--loader tsx"). */
function withoutTsx(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (/^--(import|require|loader|experimental-loader)=tsx\b/.test(flag)) continue;
    if (/^(--import|--require|-r|--loader|--experimental-loader)$/.test(flag) && /^tsx\b/.test(execArgv[i + 1] ?? "")) {
      i++;
      continue;
    }
    out.push(flag);
  }
  return out;
}

/** The run with the median time (runs of one phase do the same work). */
function medianRun(runs: PhaseResult[]): PhaseResult {
  const sorted = [...runs].sort((p, q) => p.seconds - q.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const papersDir = path.resolve(arg("--papers") ?? DEFAULT_PAPERS);
  if (!existsSync(papersDir)) {
    console.log(`Corpus not found at ${papersDir}: skipping the ingest benchmark (see ../shared/corpus/README.md).`);
    return;
  }
  const papers = (await readdir(papersDir)).filter((f) => f.endsWith(".pdf")).sort().map((f) => path.join(papersDir, f));
  const phase = arg("--phase");
  if (phase) {
    // This child runs under tsx (it is TypeScript) but measures Folio's build, as `folio ingest` runs
    // it: worker threads inherit process.execArgv, and with "--import tsx" each one would start tsx
    // (its loader hooks and their thread) before reading a page.
    if (phase.startsWith("folio")) process.execArgv = withoutTsx(process.execArgv);
    const result =
      phase === "langchain"
        ? await runLangChain(papers)
        : phase === "folio-crops"
          ? await runFolio(papersDir, true)
          : phase === "folio-crops-pdfjs"
            ? await runFolio(papersDir, true, "auto", phase, "pdfjs")
          : phase === "folio-scale"
            ? await runFolio(arg("--scale-dir") ?? papersDir, false, "auto", phase)
            : await runFolio(papersDir, false, phase.replace("folio-text-", "") as ParseMode);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }

  console.log(`Ingest benchmark: ${papers.length} PDFs in ${papersDir}; ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`);
  // The headline pair, LangChain and Folio text + BM25, runs REPEATS times, alternating, each in a
  // fresh process: a shared 2-core machine swings single runs by 10 to 20%; the median is reported.
  const langchainRuns: PhaseResult[] = [];
  const textRuns: PhaseResult[] = [];
  for (let i = 0; i < REPEATS; i++) {
    langchainRuns.push(await runChild("langchain", papersDir));
    textRuns.push(await runChild("folio-text-text-worker", papersDir));
  }
  const langchain = medianRun(langchainRuns);
  const text = medianRun(textRuns);
  const mainThread = await runChild("folio-text-main-thread", papersDir);
  const parseWorkers = await runChild("folio-text-parse-workers", papersDir);
  const crops = await runChild("folio-crops", papersDir);
  const cropsPdfjs = await runChild("folio-crops-pdfjs", papersDir);
  // The same papers four times over (symlinks in four folders, so four documents each): 60 PDFs,
  // the rate once start-up (threads, WASM compile, JIT) is spread over a larger corpus.
  const scaleDir = await mkdtemp(path.join(os.tmpdir(), "folio-bench-scale-"));
  let scale: PhaseResult;
  try {
    for (let copy = 1; copy <= SCALE_COPIES; copy++) {
      await mkdir(path.join(scaleDir, `copy${copy}`));
      for (const file of papers) await symlink(file, path.join(scaleDir, `copy${copy}`, path.basename(file)));
    }
    scale = await runChild("folio-scale", papersDir, ["--scale-dir", scaleDir]);
  } finally {
    await rm(scaleDir, { recursive: true, force: true });
  }

  const rate = (r: PhaseResult) => r.pages / r.seconds;
  const tableRows: string[] = [];
  const row = (name: string, r: PhaseResult) => {
    console.log(`${name.padEnd(44)} ${r.seconds.toFixed(2).padStart(7)} s ${rate(r).toFixed(1).padStart(7)} pages/s ${String(r.pages).padStart(5)} pages ${String(r.chunks).padStart(6)} chunks ${String(r.figures).padStart(5)} figures ${r.peakRssMiB.toFixed(0).padStart(5)} MiB peak`);
    tableRows.push(`| ${name.trim()} | ${r.seconds.toFixed(2)} | ${rate(r).toFixed(1)} | ${r.pages} | ${r.chunks} | ${r.figures} | ${r.peakRssMiB.toFixed(0)} |`);
  };
  console.log("");
  row("LangChain PDFLoader + RecursiveCharacter", langchain);
  row("Folio text + BM25 (figure records, no crops)", text);
  const samples = (runs: PhaseResult[]) => runs.map((r) => rate(r).toFixed(1)).join(", ");
  console.log(`  (medians of ${REPEATS} cold runs each, pages/s: LangChain ${samples(langchainRuns)}; Folio ${samples(textRuns)})`);
  row("  same, PDFium not on its own thread", mainThread);
  row("  same, two whole-parse worker threads", parseWorkers);
  row(`  same, corpus x${SCALE_COPIES} (${scale.pages} pages, auto)`, scale);
  row("Folio with figure crops", crops);
  row("  same, regions and crops by pdf.js", cropsPdfjs);
  for (const r of [text, crops, cropsPdfjs]) console.log(`  ${r.phase}: read+parse+chunk ${r.prepareSeconds?.toFixed(1)} s summed over files, store writes ${r.storeSeconds?.toFixed(1)} s`);

  // Figures found vs captions in the text.
  const expected = langchain.labels ?? {};
  const ratioFor = (found: Record<string, string[]> | undefined) => {
    let want = 0;
    let got = 0;
    const missing: string[] = [];
    for (const [file, labels] of Object.entries(expected)) {
      const have = new Set(found?.[file] ?? []);
      for (const label of labels) {
        want++;
        if (have.has(label)) got++;
        else missing.push(`${file}:${label}`);
      }
    }
    return { want, got, ratio: want ? got / want : 1, missing };
  };
  const figuresText = ratioFor(text.labels);
  const figuresCrops = ratioFor(crops.labels);
  console.log("");
  console.log(`Captions in the text ("Figure N"/"Table N" starting a line): ${figuresText.want}`);
  console.log(`Figures found (text run):  ${figuresText.got} (${(figuresText.ratio * 100).toFixed(1)}%)`);
  console.log(`Figures found (crops run): ${figuresCrops.got} (${(figuresCrops.ratio * 100).toFixed(1)}%)`);
  if (figuresCrops.missing.length > 0) console.log(`  missing: ${figuresCrops.missing.slice(0, 30).join(", ")}${figuresCrops.missing.length > 30 ? ", ..." : ""}`);
  const reingestShare = (crops.reingestSeconds ?? Infinity) / crops.seconds;
  console.log(`Re-ingest of the unchanged corpus: ${(crops.reingestSeconds ?? NaN).toFixed(3)} s (${crops.reingestUnchanged} unchanged), ${(reingestShare * 100).toFixed(2)}% of the first run`);

  const checks: Array<[string, boolean, string]> = [
    ["text + BM25 >= 100 pages/s", rate(text) >= 100, `${rate(text).toFixed(1)} pages/s (LangChain baseline ${rate(langchain).toFixed(1)})`],
    [`text + BM25 on the corpus x${SCALE_COPIES} >= 100 pages/s (informational)`, rate(scale) >= 100, `${rate(scale).toFixed(1)} pages/s`],
    ["with figure crops >= 100 pages/s (informational)", rate(crops) >= 100, `${rate(crops).toFixed(1)} pages/s (${(rate(crops) / rate(cropsPdfjs)).toFixed(1)}x pdf.js's ${rate(cropsPdfjs).toFixed(1)})`],
    ["figures found >= 90% of captions", figuresCrops.ratio >= 0.9, `${(figuresCrops.ratio * 100).toFixed(1)}%`],
    ["re-ingest unchanged < 5% of first run", reingestShare < 0.05, `${(reingestShare * 100).toFixed(2)}%`],
  ];
  console.log("");
  // Informational rows are not targets of the issue: they print INFO, not FAIL, when under the bar.
  for (const [name, pass, detail] of checks) console.log(`${pass ? "PASS" : name.includes("(informational)") ? "INFO" : "FAIL"}  ${name}: ${detail}`);
  console.log(`(load average at the end: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores; figures from other jobs on the machine slow every row alike)`);
  const verdicts = checks.map(([name, pass, detail]) => `| ${name} | ${detail} | ${pass ? "PASS" : name.includes("(informational)") ? "INFO" : "FAIL"} |`);
  await writeResults([
    "# Ingest benchmark: the shared corpus",
    "",
    `Written by \`npm run bench:ingest\` on ${new Date().toISOString().slice(0, 10)}: ${papers.length} PDFs, Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end. Text + BM25 and LangChain rows: medians of ${REPEATS} alternating cold runs (pages/s: LangChain ${samples(langchainRuns)}; Folio ${samples(textRuns)}).`,
    "",
    "| pipeline | s | pages/s | pages | chunks | figures | peak MiB |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...tableRows,
    "",
    `Figures found: ${figuresCrops.got} of ${figuresText.want} captions. Re-ingest of the unchanged corpus: ${(reingestShare * 100).toFixed(2)}% of the first run.`,
    "",
    "| target | measured | result |",
    "|---|---|---|",
    ...verdicts,
    "",
  ]);
}

/** The current figures, for the README to link (bench/HISTORY.md keeps earlier runs). */
async function writeResults(lines: string[]): Promise<void> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "results", "ingest.md");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, lines.join("\n"));
  console.log(`figures written to ${path.relative(process.cwd(), file)}`);
}

await main();

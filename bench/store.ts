/**
 * Embedded store benchmark: the new store layout (this repository's dist/, built with `npm run
 * build`) against today's layout (commit BASELINE_COMMIT, built once into a worktree under
 * os.tmpdir()), in the same run, process by process, on stores holding the same points.
 *
 *   npm run bench:store [-- options]
 *
 *   --only library,large,dense,concurrency   scenarios to run (default: all four); --skip <list> leaves some out
 *   --papers N         library size in papers for scenario 1 (default 500)
 *   --large N          points of the synthetic BM25 library of scenario 2 (default 420000)
 *   --baseline-large   also run the baseline on scenario 2's store (tens of seconds and GBs per process)
 *   --dense N          points of the dense scenario 3 (default 100000), --dim D their size (default 1024)
 *   --new-papers N     papers ingested during scenario 4 (default 50)
 *   --runs N           cold `folio search` processes per query and store (default 5)
 *   --no-build         measure the dist/ that is there instead of running `npm run build` first
 *   --keep             keep the temporary stores (their folder is printed)
 *   --results FILE     where the Markdown table goes (default bench/results/store.md)
 *
 * Scenarios (targets from the store issue; the report prints PASS/FAIL and the misses, exit code 0):
 *   1. library: the shared papers ingested (text + BM25, no keys) and copied up to ~500 papers;
 *      cold `folio search -k 5 --json` wall time and peak RSS against a one-paper store.
 *   2. large: the same copied up to 420k points (~5,000 papers); cold search and warm query p50.
 *   3. dense: 100k x 1024 seeded vectors + sparse + ~1 KB payload, float and int8; open + first
 *      query, warm p50, RSS, recall of int8 + rescore against exact float.
 *   4. concurrency: `folio serve` with 20 HTTP clients on /search, 4 `folio search` loops and
 *      `folio ingest` adding papers one by one; errors, lock messages and when the server sees each paper.
 * Figures go to stdout and to bench/results/store.md; progress goes to stderr.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BASELINE_COMMIT, REPO_ROOT, baselineBuild, describeWorkingTree, newBuild, removeSnapshot, type Build, type LocalClient } from "./lib/builds.js";
import { COLLECTION, UPSERT_BATCH, compactIfAvailable, copyHome, growLibrary, ingestPapers, libraryStats, storePath, type LibraryStats } from "./lib/library.js";
import { makeSmallPapers, type SmallPaper } from "./lib/pdfs.js";
import { NEUTRAL_CWD, offlineEnv, removeNeutralCwd, runFolio, runNode, startFolio, type Measured } from "./lib/proc.js";
import { bytesToMiB, misses, printSection, writeMarkdown, type Row, type Section } from "./lib/report.js";
import { denseVector, folioPayload, rng, sparseVector } from "./lib/synthetic.js";
import { errorText, flag, folderBytes, freePort, hasFlag, intFlag, log, median, percentile, since, sleep } from "./lib/util.js";

// ---------------------------------------------------------------------------------------- settings

const PAPERS_DIR = path.resolve(REPO_ROOT, "../shared/corpus/papers");
/** The one-paper store every cold-search target is relative to. */
const ONE_PAPER = "1706.03762.pdf";
const RESULTS_FILE = path.join(REPO_ROOT, "bench/results/store.md");
const PROBE = path.join(REPO_ROOT, "bench/lib/probe.mjs");

const SCENARIOS = ["library", "large", "dense", "concurrency"] as const;
type Scenario = (typeof SCENARIOS)[number];

/** Real questions about the shared papers, for cold `folio search` runs. */
const COLD_QUERIES = ["scaled dot-product attention", "batch normalization internal covariate shift", "dense passage retrieval for open-domain question answering"];
/** More of them, cycled through by the in-process warm queries. */
const WARM_QUERIES = [
  ...COLD_QUERIES,
  "residual learning deep networks",
  "adaptive moment estimation",
  "masked language model pre-training",
  "retrieval augmented generation",
  "vision transformer image patches",
  "reinforcement learning from human feedback",
  "zero-shot retrieval benchmark",
];
/** `folio search -k` of the cold runs. */
const SEARCH_K = 5;
/** The query Folio sends for a text search without embeddings: sparse `bm25`, its default filter, top-k 6. */
const FOLIO_TOP_K = 6;
const DEFAULT_FILTER = { must_not: [{ key: "metadata.references", match: { value: true } }] };
/** Warm queries: WARMUP untimed, then WARM_QUERIES_TIMED timed. */
const WARMUP = 10;
const WARM_QUERIES_TIMED = 50;

/** Scenario 1 targets: `folio search` at the library size vs the one-paper store, and its peak RSS. */
const LIBRARY_SEARCH_RATIO = 1.3;
const LIBRARY_RSS_BYTES = 300e6;
/** Scenario 2 targets. */
const LARGE_SEARCH_RATIO = 2;
const LARGE_WARM_P50_MS = 30;
/** Scenario 3 targets. */
const DENSE_FIRST_QUERY_MS = 1000;
const DENSE_WARM_P50_MS = 20;
const DENSE_RSS_OF_RAW = 1.3;
const INT8_RSS_OF_RAW = 0.5;
const INT8_RECALL = 0.99;
/** Below this many points the RSS targets are not checked: the process's fixed ~60 MiB dominate. */
const DENSE_RSS_TARGET_MIN_POINTS = 100_000;
const DENSE_BATCH = 512;
const DENSE_TOP = 10;
const DENSE_QUERIES = 50;
/** Fresh probe processes per dense store; the run with the median open + first query time is reported. */
const DENSE_PROBE_RUNS = 3;
const DATA_SEED = 42;
const QUERY_SEED = 7;
const PAYLOAD_SEED = 99;
const INT8_QUANTIZATION = { scalar: { type: "int8", always_ram: true } };
const INT8_SEARCH_PARAMS = { quantization: { rescore: true, oversampling: 2 } };
/** Scenario 4: load and bounds (every loop stops at its count or at the deadline). */
const HTTP_CLIENTS = 20;
const SEARCH_LOOPS = 4;
const MAX_HTTP_REQUESTS_PER_CLIENT = 20_000;
const MAX_SEARCH_RUNS_PER_LOOP = 500;
const CONCURRENCY_DEADLINE_MS = 6 * 60 * 1000;
/** Papers per `folio ingest` process (on 2 cores under this load a process takes several seconds to start). */
const INGEST_BATCH = 5;
const VISIBILITY_POLL_MS = 100;
const VISIBILITY_TARGET_MS = 2000;
/** How long to keep polling for a paper the server does not find (then it counts as not visible). */
const VISIBILITY_GIVE_UP_MS = 15_000;
const SERVER_START_TIMEOUT_MS = 60_000;
const HTTP_TIMEOUT_MS = 30_000;
const LOCK_MESSAGE = /in use|STORE_LOCKED|locked/i;

interface Options {
  scenarios: Set<Scenario>;
  papers: number;
  large: number;
  baselineLarge: boolean;
  dense: number;
  dim: number;
  newPapers: number;
  runs: number;
  build: boolean;
  keep: boolean;
  results: string;
}

function parseOptions(): Options {
  const list = (name: string) =>
    flag(name, "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const only = list("only");
  const skip = list("skip");
  for (const name of [...only, ...skip]) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario "${name}": use ${SCENARIOS.join(", ")}`);
  const scenarios = new Set<Scenario>((only.length ? only : SCENARIOS).filter((s) => !skip.includes(s)) as Scenario[]);
  return {
    scenarios,
    papers: intFlag("papers", 500),
    large: intFlag("large", 420_000),
    baselineLarge: hasFlag("baseline-large"),
    dense: intFlag("dense", 100_000),
    dim: intFlag("dim", 1024),
    newPapers: intFlag("new-papers", 50),
    runs: intFlag("runs", 5),
    build: !hasFlag("no-build"),
    keep: hasFlag("keep"),
    results: path.resolve(flag("results", RESULTS_FILE)),
  };
}

// ----------------------------------------------------------------------------- shared store helpers

interface Builds {
  next: Build;
  base: Build;
}

/** The run's temporary folder (removed at the end unless --keep). */
let runDir = "";
let keepStores = false;

/** Removes a store folder once its scenario is done (kept with --keep). */
function discard(dir: string): void {
  if (!keepStores) fs.rmSync(dir, { recursive: true, force: true });
}

interface Library {
  home: string;
  stats: LibraryStats;
  /** Seconds to grow (copy points) and compact. */
  buildSeconds: number;
}

const memo = new Map<string, Promise<Library>>();
function once(key: string, make: () => Promise<Library>): Promise<Library> {
  let p = memo.get(key);
  if (!p) memo.set(key, (p = make()));
  return p;
}

/** The shared papers ingested by this build's `folio ingest` (made once per run and build). */
function seedLibrary(build: Build): Promise<Library> {
  return once(`${build.label}:seed`, async () => {
    const home = path.join(runDir, `${build.label}-seed`);
    const started = performance.now();
    log(`${build.label}: folio ingest ${PAPERS_DIR} --no-figure-images`);
    await ingestPapers(build, home, PAPERS_DIR);
    return { home, stats: await libraryStats(build, home), buildSeconds: (performance.now() - started) / 1000 };
  });
}

/** One paper ingested by this build's `folio ingest`. */
function onePaperLibrary(build: Build): Promise<Library> {
  return once(`${build.label}:one`, async () => {
    const home = path.join(runDir, `${build.label}-one-paper`);
    const started = performance.now();
    await ingestPapers(build, home, path.join(PAPERS_DIR, ONE_PAPER));
    return { home, stats: await libraryStats(build, home), buildSeconds: (performance.now() - started) / 1000 };
  });
}

/** The seed library copied until it holds at least `target` of `unit` (papers or points). */
async function grownLibrary(build: Build, name: string, target: number, unit: "documents" | "points"): Promise<Library> {
  const seed = await seedLibrary(build);
  const copies = Math.max(0, Math.ceil(target / seed.stats[unit]) - 1);
  const home = path.join(runDir, `${build.label}-${name}`);
  copyHome(seed.home, home);
  log(`${build.label}: growing ${name} to ${copies + 1} x ${seed.stats.documents} papers (${((copies + 1) * seed.stats.points).toLocaleString("en-US")} points)`);
  const started = performance.now();
  const stats = await growLibrary(build, home, copies);
  return { home, stats, buildSeconds: (performance.now() - started) / 1000 };
}

function removeHome(lib: Library): void {
  discard(lib.home);
}

interface ColdRuns {
  ms: number[];
  rss: number[];
  failures: string[];
}

/**
 * `folio search "<q>" -k 5 --json` in fresh processes: `runs` times per query, the stores
 * interleaved (so a busy moment on the host hits all of them alike).
 */
async function coldSearches(targets: Array<{ build: Build; lib: Library }>, runs: number): Promise<ColdRuns[]> {
  const out = targets.map((): ColdRuns => ({ ms: [], rss: [], failures: [] }));
  for (let r = 0; r < runs; r++) {
    for (const query of COLD_QUERIES) {
      for (const [i, t] of targets.entries()) {
        const run = await runFolio(t.build, t.lib.home, ["search", query, "-k", String(SEARCH_K), "--json"]);
        const res = out[i]!;
        const hits = run.code === 0 ? parseHits(run.stdout) : -1;
        if (run.code !== 0 || hits <= 0) res.failures.push(`exit ${run.code}, ${hits} hits: ${errorLine(run.stderr)}`);
        res.ms.push(run.ms);
        res.rss.push(run.peakRss);
      }
    }
  }
  return out;
}

function parseHits(stdout: string): number {
  try {
    return (JSON.parse(stdout) as { results: unknown[] }).results.length;
  } catch {
    return -1;
  }
}

/** The line of a folio command's stderr that says what went wrong ("error: ..."), else its last line. */
function errorLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines.find((l) => /^\s*error\b/i.test(l)) ?? lines.pop() ?? "").trim().slice(0, 300);
}

interface ProbeResult {
  firstMs: number;
  openMs: number;
  rssAfterFirst: number;
  rssAfterWarm: number;
  points: number;
  firstHits: number;
  warmMs: number[];
  ids: Array<Array<string | number>>;
  /** Peak RSS of the probe process over its whole run (GNU time). */
  peakRss: number;
  wallMs: number;
}

/** Runs bench/lib/probe.mjs (plain node, a fresh process) with a build's LocalQdrantClient on one store. */
async function probe(build: Build, store: string, collection: string, requests: object[], wantIds: boolean): Promise<ProbeOutcome> {
  const specFile = path.join(runDir, `probe-${build.label}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(specFile, JSON.stringify({ module: build.dist("store/local/index.js"), store, collection, requests, warmup: WARMUP, ids: wantIds }));
  try {
    const run: Measured = await runNode(PROBE, [specFile], offlineEnv({}));
    const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) return { error: `probe exited with ${run.code}: ${errorLine(run.stderr)}` };
    const result = JSON.parse(line.slice("RESULT ".length)) as ProbeOutcome;
    return "error" in result ? { error: result.error.split("\n").slice(0, 3).join(" ") } : { ...result, peakRss: run.peakRss, wallMs: run.ms };
  } finally {
    fs.rmSync(specFile, { force: true });
  }
}

type ProbeOutcome = ProbeResult | { error: string };
const ok = (r: ProbeOutcome | null): r is ProbeResult => r !== null && !("error" in r);

/** Of several probe runs of one store, the one with the median first-query time (or the first error). */
function medianRun(runs: ProbeOutcome[]): ProbeOutcome {
  const good = runs.filter(ok).sort((a, b) => a.firstMs - b.firstMs);
  return good.length ? good[Math.floor((good.length - 1) / 2)]! : (runs[0] ?? { error: "not run" });
}

/** Folio's sparse text queries (the build's own BM25 encoder), as many as `count`. */
async function sparseRequests(build: Build, count: number): Promise<object[]> {
  const { Bm25Encoder } = (await import(pathToFileURL(build.dist("embeddings/bm25.js")).href)) as typeof import("../src/embeddings/bm25.js");
  const encoder = new Bm25Encoder();
  return Array.from({ length: count }, (_, i) => ({ query: encoder.embedQuery(WARM_QUERIES[i % WARM_QUERIES.length]!), using: "bm25", limit: FOLIO_TOP_K, filter: DEFAULT_FILTER, with_payload: true }));
}

// ------------------------------------------------------------------------------------------ rows

function value(runs: ColdRuns | null | undefined, pick: "ms" | "rss"): number | null {
  if (!runs || runs.ms.length === 0) return null;
  return pick === "ms" ? median(runs.ms) : bytesToMiB(median(runs.rss));
}

function failuresNote(label: string, runs: ColdRuns | null | undefined): string | undefined {
  if (!runs || runs.failures.length === 0) return undefined;
  return `${label}: ${runs.failures.length} failed runs, e.g. ${runs.failures[0]}`;
}

function joinNotes(...notes: Array<string | undefined>): string | undefined {
  const kept = notes.filter(Boolean);
  return kept.length ? kept.join("; ") : undefined;
}

function storeRows(next: Library | null, base: Library | null): Row[] {
  const mib = (lib: Library | null) => (lib ? bytesToMiB(folderBytes(storePath(lib.home))) : null);
  return [
    { metric: "points (chunks)", unit: "count", newValue: next?.stats.points ?? null, baseline: base?.stats.points ?? null },
    { metric: "papers (registry records)", unit: "count", newValue: next?.stats.documents ?? null, baseline: base?.stats.documents ?? null },
    { metric: "store folder on disk", unit: "MiB", newValue: mib(next), baseline: mib(base) },
    { metric: "setup: grow by copying, compact", unit: "s", newValue: next?.buildSeconds ?? null, baseline: base?.buildSeconds ?? null },
  ];
}

function warmRows(label: string, next: ProbeOutcome | null, base: ProbeOutcome | null, target?: { ms: number }): Row[] {
  const note = joinNotes(next && "error" in next ? `new: ${next.error}` : undefined, base && "error" in base ? `baseline: ${base.error}` : undefined);
  const p50 = ok(next) ? median(next.warmMs) : null;
  return [
    { metric: `open + first query, fresh process (${label})`, unit: "ms", newValue: ok(next) ? next.firstMs : null, baseline: ok(base) ? base.firstMs : null, note },
    {
      metric: `warm query p50 (${label})`,
      unit: "ms",
      newValue: p50,
      baseline: ok(base) ? median(base.warmMs) : null,
      ...(target ? { target: { text: `< ${target.ms} ms`, pass: p50 !== null && p50 < target.ms } } : {}),
    },
    { metric: `warm query p95 (${label})`, unit: "ms", newValue: ok(next) ? percentile(next.warmMs, 95) : null, baseline: ok(base) ? percentile(base.warmMs, 95) : null },
    { metric: `RSS after the first query (${label})`, unit: "MiB", newValue: ok(next) ? bytesToMiB(next.rssAfterFirst) : null, baseline: ok(base) ? bytesToMiB(base.rssAfterFirst) : null },
  ];
}

// ------------------------------------------------------------------------------- scenario 1: library

async function scenarioLibrary(builds: Builds, opts: Options): Promise<Section> {
  const started = performance.now();
  const next = await grownLibrary(builds.next, "library", opts.papers, "documents");
  const base = await grownLibrary(builds.base, "library", opts.papers, "documents");
  const [oneLibNext, oneLibBase] = [await onePaperLibrary(builds.next), await onePaperLibrary(builds.base)];
  log("library: cold folio search runs...");
  const [oneNext, oneBase, libNext, libBase] = await coldSearches(
    [
      { build: builds.next, lib: oneLibNext },
      { build: builds.base, lib: oneLibBase },
      { build: builds.next, lib: next },
      { build: builds.base, lib: base },
    ],
    opts.runs,
  );
  const requests = await sparseRequests(builds.next, WARM_QUERIES_TIMED);
  const warmNext = await probe(builds.next, storePath(next.home), COLLECTION, requests, false);
  const warmBase = await probe(builds.base, storePath(base.home), COLLECTION, requests, false);
  const oneMs = value(oneNext, "ms");
  const libMs = value(libNext, "ms");
  const libRss = libNext ? median(libNext.rss) : NaN;
  const section: Section = {
    title: `1. BM25 only, library of ${next.stats.documents.toLocaleString("en-US")} papers (the 15 shared papers ingested, then copied)`,
    method: [
      `\`folio ingest ../shared/corpus/papers --no-figure-images\` by each build, grown by copying points and registry records (new ids and docIds), then compact() where the build has it.`,
      `Cold runs: \`folio search "<q>" -k ${SEARCH_K} --json\`, a fresh node process each, ${opts.runs} runs x ${COLD_QUERIES.length} queries per store; wall time from spawn to exit and peak RSS (GNU time %M), medians.`,
      `One-paper store: ${ONE_PAPER} ingested alone. Warm queries: a fresh plain-node process opens the store and sends Folio's query (sparse bm25, default filter, limit ${FOLIO_TOP_K}) ${WARM_QUERIES_TIMED} times after ${WARMUP} warm-up queries.`,
    ],
    rows: [
      ...storeRows(next, base),
      { metric: "folio search, one-paper store", unit: "ms", newValue: oneMs, baseline: value(oneBase, "ms"), note: joinNotes(failuresNote("new", oneNext), failuresNote("baseline", oneBase)) },
      {
        metric: `folio search, ${next.stats.documents} papers`,
        unit: "ms",
        newValue: libMs,
        baseline: value(libBase, "ms"),
        target: { text: `<= ${LIBRARY_SEARCH_RATIO}x one-paper (${oneMs === null ? "n/a" : (oneMs * LIBRARY_SEARCH_RATIO).toFixed(0)} ms)`, pass: libMs !== null && oneMs !== null && libMs <= LIBRARY_SEARCH_RATIO * oneMs },
        note: joinNotes(failuresNote("new", libNext), failuresNote("baseline", libBase)),
      },
      { metric: "folio search peak RSS, one-paper store", unit: "MiB", newValue: value(oneNext, "rss"), baseline: value(oneBase, "rss") },
      {
        metric: `folio search peak RSS, ${next.stats.documents} papers`,
        unit: "MiB",
        newValue: value(libNext, "rss"),
        baseline: value(libBase, "rss"),
        target: { text: `< 300 MB (${bytesToMiB(LIBRARY_RSS_BYTES).toFixed(0)} MiB)`, pass: libRss < LIBRARY_RSS_BYTES },
      },
      ...warmRows("probe process, Folio's sparse query", warmNext, warmBase),
    ],
  };
  removeHome(next);
  removeHome(base);
  log(`library: done in ${since(started)}`);
  return section;
}

// -------------------------------------------------------------------------------- scenario 2: large

async function scenarioLarge(builds: Builds, opts: Options): Promise<Section> {
  const started = performance.now();
  const next = await grownLibrary(builds.next, "large", opts.large, "points");
  const base = opts.baselineLarge ? await grownLibrary(builds.base, "large", opts.large, "points") : null;
  const [oneLibNext, oneLibBase] = [await onePaperLibrary(builds.next), await onePaperLibrary(builds.base)];
  log("large: cold folio search runs...");
  const [oneNext, oneBase, largeNext, largeBase] = await coldSearches(
    [
      { build: builds.next, lib: oneLibNext },
      { build: builds.base, lib: oneLibBase },
      { build: builds.next, lib: next },
      ...(base ? [{ build: builds.base, lib: base }] : []),
    ],
    opts.runs,
  );
  const requests = await sparseRequests(builds.next, WARM_QUERIES_TIMED);
  const warmNext = await probe(builds.next, storePath(next.home), COLLECTION, requests, false);
  const warmBase = base ? await probe(builds.base, storePath(base.home), COLLECTION, requests, false) : null;
  const oneMs = value(oneNext, "ms");
  const largeMs = value(largeNext, "ms");
  const baselineNote = base ? undefined : "baseline not run on this store (add --baseline-large: tens of seconds and GBs per process)";
  const section: Section = {
    title: `2. Synthetic BM25 store, ${next.stats.points.toLocaleString("en-US")} points (${next.stats.documents.toLocaleString("en-US")} papers)`,
    method: [
      `The 15 ingested papers copied (batches of ${UPSERT_BATCH.toLocaleString("en-US")} points) until >= ${opts.large.toLocaleString("en-US")} points, then compact(). Same cold and warm measurements as scenario 1.`,
      base ? "Baseline run on the same points (--baseline-large)." : "Baseline: only the one-paper store; the large store's baseline runs with --baseline-large.",
    ],
    rows: [
      ...storeRows(next, base),
      { metric: "folio search, one-paper store", unit: "ms", newValue: oneMs, baseline: value(oneBase, "ms") },
      {
        metric: `folio search, ${next.stats.points.toLocaleString("en-US")} points`,
        unit: "ms",
        newValue: largeMs,
        baseline: value(largeBase, "ms"),
        target: { text: `<= ${LARGE_SEARCH_RATIO}x one-paper (${oneMs === null ? "n/a" : (oneMs * LARGE_SEARCH_RATIO).toFixed(0)} ms)`, pass: largeMs !== null && oneMs !== null && largeMs <= LARGE_SEARCH_RATIO * oneMs },
        note: joinNotes(baselineNote, failuresNote("new", largeNext), failuresNote("baseline", largeBase)),
      },
      { metric: `folio search peak RSS, ${next.stats.points.toLocaleString("en-US")} points`, unit: "MiB", newValue: value(largeNext, "rss"), baseline: value(largeBase, "rss") },
      ...warmRows("probe process, Folio's sparse query", warmNext, warmBase, { ms: LARGE_WARM_P50_MS }),
    ],
  };
  removeHome(next);
  if (base) removeHome(base);
  log(`large: done in ${since(started)}`);
  return section;
}

// -------------------------------------------------------------------------------- scenario 3: dense

const DENSE_COLLECTION = "bench";

interface DenseStore {
  label: string;
  build: Build;
  dir: string;
  client: LocalClient | null;
  /** Seconds spent in upsert calls and compact(). */
  writeSeconds: number;
  error?: string;
}

async function openDenseStore(label: string, build: Build, dim: number, quantized: boolean): Promise<DenseStore> {
  const dir = path.join(runDir, `dense-${label}`);
  const store: DenseStore = { label, build, dir, client: null, writeSeconds: 0 };
  try {
    const client = await build.openClient(dir);
    store.client = client;
    await client.createCollection(DENSE_COLLECTION, {
      vectors: { dense: { size: dim, distance: "Cosine" } },
      sparse_vectors: { bm25: { modifier: "idf" } },
      ...(quantized ? { quantization_config: INT8_QUANTIZATION as never } : {}),
    });
  } catch (error) {
    store.error = `createCollection failed: ${errorText(error)}`;
    await store.client?.close();
    store.client = null;
  }
  return store;
}

/** Writes the seeded points into every store, batch by batch (the same batch to each), then compacts and closes them. */
async function writeDenseStores(stores: DenseStore[], n: number, dim: number): Promise<void> {
  const random = rng(DATA_SEED);
  const payloadRandom = rng(PAYLOAD_SEED);
  for (let start = 0; start < n; start += DENSE_BATCH) {
    const points = [];
    for (let i = start; i < Math.min(n, start + DENSE_BATCH); i++) {
      const dense = denseVector(random, dim);
      points.push({ id: i + 1, vector: { dense, bm25: sparseVector(random) }, payload: folioPayload(payloadRandom, i) });
    }
    for (const s of stores) {
      if (!s.client) continue;
      const t = performance.now();
      try {
        await s.client.upsert(DENSE_COLLECTION, { wait: true, points });
      } catch (error) {
        s.error = `upsert failed: ${errorText(error)}`;
        await s.client.close().catch(() => undefined);
        s.client = null;
      }
      s.writeSeconds += (performance.now() - t) / 1000;
    }
    if ((start / DENSE_BATCH) % 40 === 0) log(`  dense: ${Math.min(n, start + DENSE_BATCH).toLocaleString("en-US")} / ${n.toLocaleString("en-US")} points written`);
  }
  for (const s of stores) {
    if (!s.client) continue;
    const t = performance.now();
    try {
      await compactIfAvailable(s.client);
      await s.client.close();
    } catch (error) {
      s.error = `compact/close failed: ${errorText(error)}`;
    }
    s.client = null;
    s.writeSeconds += (performance.now() - t) / 1000;
  }
}

function recallAt(exact: Array<Array<string | number>>, approx: Array<Array<string | number>>): number {
  let sum = 0;
  for (const [q, want] of exact.entries()) {
    const got = new Set(approx[q] ?? []);
    sum += want.filter((id) => got.has(id)).length / Math.max(1, want.length);
  }
  return exact.length ? sum / exact.length : NaN;
}

function sameTop(a: Array<Array<string | number>>, b: Array<Array<string | number>>): number {
  let same = 0;
  for (const [q, ids] of a.entries()) if (JSON.stringify(ids) === JSON.stringify(b[q])) same++;
  return a.length ? same / a.length : NaN;
}

async function scenarioDense(builds: Builds, opts: Options): Promise<Section> {
  const started = performance.now();
  const { dense: n, dim } = opts;
  const stores = [await openDenseStore("new-float", builds.next, dim, false), await openDenseStore("new-int8", builds.next, dim, true), await openDenseStore("baseline-float", builds.base, dim, false)];
  const [floatStore, int8Store, baseStore] = stores as [DenseStore, DenseStore, DenseStore];
  log(`dense: writing ${n.toLocaleString("en-US")} x ${dim} points into ${stores.filter((s) => s.client).map((s) => s.label).join(", ")}`);
  await writeDenseStores(stores, n, dim);

  const qrandom = rng(QUERY_SEED);
  const queries = Array.from({ length: DENSE_QUERIES }, () => denseVector(qrandom, dim));
  const exactRequests = queries.map((query) => ({ query, using: "dense", limit: DENSE_TOP }));
  const int8Requests = queries.map((query) => ({ query, using: "dense", limit: DENSE_TOP, params: INT8_SEARCH_PARAMS }));
  log(`dense: probes (${DENSE_PROBE_RUNS} fresh processes per store)...`);
  const probes = { floatNext: [] as ProbeOutcome[], int8Next: [] as ProbeOutcome[], floatBase: [] as ProbeOutcome[] };
  for (let r = 0; r < DENSE_PROBE_RUNS; r++) {
    // Interleaved, so a busy moment on the host hits every store alike.
    probes.floatNext.push(floatStore.error ? { error: floatStore.error } : await probe(floatStore.build, floatStore.dir, DENSE_COLLECTION, exactRequests, true));
    probes.int8Next.push(int8Store.error ? { error: int8Store.error } : await probe(int8Store.build, int8Store.dir, DENSE_COLLECTION, int8Requests, true));
    probes.floatBase.push(baseStore.error ? { error: baseStore.error } : await probe(baseStore.build, baseStore.dir, DENSE_COLLECTION, exactRequests, true));
  }
  const [floatNext, int8Next, floatBase] = [medianRun(probes.floatNext), medianRun(probes.int8Next), medianRun(probes.floatBase)];
  const firstTimes = (runs: ProbeOutcome[]) => runs.map((r) => (ok(r) ? `${r.firstMs.toFixed(0)}` : "error")).join(", ");

  const raw = n * dim * 4;
  const rawMiB = bytesToMiB(raw);
  const ofRaw = (r: ProbeOutcome) => (ok(r) ? r.rssAfterFirst / raw : null);
  const first = (r: ProbeOutcome) => (ok(r) ? r.firstMs : null);
  const p50 = (r: ProbeOutcome) => (ok(r) ? median(r.warmMs) : null);
  const err = (label: string, r: ProbeOutcome) => ("error" in r ? `${label}: ${r.error}` : undefined);
  const recall = ok(floatNext) && ok(int8Next) ? recallAt(floatNext.ids, int8Next.ids) : null;
  const exactness = ok(floatNext) && ok(floatBase) ? sameTop(floatNext.ids, floatBase.ids) : null;
  const below = (v: number | null, limit: number) => v !== null && v < limit;
  const rssTarget = (limit: number, v: number | null): Pick<Row, "target" | "note"> =>
    n >= DENSE_RSS_TARGET_MIN_POINTS ? { target: { text: `< ${limit}x (${(rawMiB * limit).toFixed(0)} MiB)`, pass: below(v, limit) } } : { note: `target < ${limit}x checked from ${DENSE_RSS_TARGET_MIN_POINTS.toLocaleString("en-US")} points` };
  const disk = (s: DenseStore) => (!s.error && fs.existsSync(s.dir) ? bytesToMiB(folderBytes(s.dir)) : null);
  const section: Section = {
    title: `3. Dense ${n.toLocaleString("en-US")} x ${dim} (Cosine) + sparse bm25 + ~1 KB payload, seeded`,
    method: [
      `Seeded points (bench/lib/synthetic.ts) upserted in batches of ${DENSE_BATCH} into three stores: the new build (float), the new build with quantization_config int8 (always_ram), and the baseline build (the same points and ids, written by the baseline itself, so it reads today's layout whatever the new one keeps in LMDB); compact() where there is one.`,
      `Each figure from a fresh plain-node process (bench/lib/probe.mjs), ${DENSE_PROBE_RUNS} per store, interleaved; the run with the median "open + first query" (from importing the store module to the first answer, dense, top ${DENSE_TOP}) is reported; each run then sends ${WARMUP} warm-up and ${DENSE_QUERIES} timed queries.`,
      `int8 queries: params ${JSON.stringify(INT8_SEARCH_PARAMS)}; recall@${DENSE_TOP} against the new float store's exact results over the same ${DENSE_QUERIES} queries. Raw float data: ${n.toLocaleString("en-US")} x ${dim} x 4 bytes = ${rawMiB.toFixed(0)} MiB.`,
      "The baseline has no quantization: its float figures stand in the baseline column of the int8 rows.",
    ],
    rows: [
      { metric: "setup: upserts + compact (float)", unit: "s", newValue: floatStore.writeSeconds || null, baseline: baseStore.writeSeconds || null, note: joinNotes(floatStore.error && `new: ${floatStore.error}`, baseStore.error && `baseline: ${baseStore.error}`) },
      { metric: "setup: upserts + compact (int8)", unit: "s", newValue: int8Store.error ? null : int8Store.writeSeconds, baseline: null, note: int8Store.error && `new int8: ${int8Store.error}` },
      { metric: "store folder on disk (float)", unit: "MiB", newValue: disk(floatStore), baseline: disk(baseStore) },
      { metric: "store folder on disk (int8)", unit: "MiB", newValue: disk(int8Store), baseline: disk(baseStore) },
      {
        metric: "open + first dense query (float)",
        unit: "ms",
        newValue: first(floatNext),
        baseline: first(floatBase),
        target: { text: `< ${DENSE_FIRST_QUERY_MS} ms`, pass: below(first(floatNext), DENSE_FIRST_QUERY_MS) },
        note: joinNotes(`runs (ms): new ${firstTimes(probes.floatNext)}; int8 ${firstTimes(probes.int8Next)}; baseline ${firstTimes(probes.floatBase)}`, err("new", floatNext), err("baseline", floatBase)),
      },
      { metric: "  of which new LocalQdrantClient() (float)", unit: "ms", newValue: ok(floatNext) ? floatNext.openMs : null, baseline: ok(floatBase) ? floatBase.openMs : null },
      { metric: "open + first dense query (int8 + rescore)", unit: "ms", newValue: first(int8Next), baseline: first(floatBase), target: { text: `< ${DENSE_FIRST_QUERY_MS} ms`, pass: below(first(int8Next), DENSE_FIRST_QUERY_MS) }, note: err("new int8", int8Next) },
      { metric: "warm exact query p50 (float)", unit: "ms", newValue: p50(floatNext), baseline: p50(floatBase), target: { text: `< ${DENSE_WARM_P50_MS} ms`, pass: below(p50(floatNext), DENSE_WARM_P50_MS) } },
      { metric: "warm exact query p95 (float)", unit: "ms", newValue: ok(floatNext) ? percentile(floatNext.warmMs, 95) : null, baseline: ok(floatBase) ? percentile(floatBase.warmMs, 95) : null },
      { metric: "warm query p50 (int8 + rescore)", unit: "ms", newValue: p50(int8Next), baseline: p50(floatBase) },
      { metric: "RSS after the first query (float)", unit: "MiB", newValue: ok(floatNext) ? bytesToMiB(floatNext.rssAfterFirst) : null, baseline: ok(floatBase) ? bytesToMiB(floatBase.rssAfterFirst) : null },
      { metric: "RSS after the first query / raw float data (float)", unit: "x", newValue: ofRaw(floatNext), baseline: ofRaw(floatBase), ...rssTarget(DENSE_RSS_OF_RAW, ofRaw(floatNext)) },
      { metric: "RSS after the first query (int8)", unit: "MiB", newValue: ok(int8Next) ? bytesToMiB(int8Next.rssAfterFirst) : null, baseline: ok(floatBase) ? bytesToMiB(floatBase.rssAfterFirst) : null },
      { metric: "RSS after the first query / raw float data (int8)", unit: "x", newValue: ofRaw(int8Next), baseline: ofRaw(floatBase), ...rssTarget(INT8_RSS_OF_RAW, ofRaw(int8Next)) },
      { metric: "peak RSS of the probe process (float, after all queries)", unit: "MiB", newValue: ok(floatNext) ? bytesToMiB(floatNext.peakRss) : null, baseline: ok(floatBase) ? bytesToMiB(floatBase.peakRss) : null },
      { metric: "peak RSS of the probe process (int8)", unit: "MiB", newValue: ok(int8Next) ? bytesToMiB(int8Next.peakRss) : null, baseline: ok(floatBase) ? bytesToMiB(floatBase.peakRss) : null },
      { metric: `recall@${DENSE_TOP}, int8 + rescore vs exact float`, unit: "fraction", newValue: recall, baseline: null, target: { text: `>= ${INT8_RECALL}`, pass: recall !== null && recall >= INT8_RECALL } },
      { metric: `exactness: float top-${DENSE_TOP} identical to the baseline's (share of queries)`, unit: "fraction", newValue: exactness, baseline: null, target: { text: "1.000 (both exact)", pass: exactness === 1 } },
    ],
  };
  for (const s of stores) discard(s.dir);
  log(`dense: done in ${since(started)}`);
  return section;
}

// --------------------------------------------------------------------------- scenario 4: concurrency

interface ConcurrencyResult {
  serverStarted: boolean;
  serverError?: string;
  httpRequests: number;
  httpErrors: number;
  httpErrorKinds: Map<string, number>;
  httpMs: number[];
  httpSeconds: number;
  searchRuns: number;
  searchFailures: number;
  ingestRuns: number;
  ingestFailures: number;
  lockMessages: number;
  lockExample?: string;
  /** ms from `folio ingest` exiting to /search finding the paper, per ingested paper (Infinity: never within VISIBILITY_GIVE_UP_MS). */
  visibleAfterMs: number[];
  searchFailureExample?: string;
  ingestFailureExample?: string;
}

async function postSearch(url: string, body: object): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* an error page */
  }
  return { status: res.status, json };
}

async function waitForServer(url: string, exited: Promise<unknown>): Promise<boolean> {
  const deadline = performance.now() + SERVER_START_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  while (performance.now() < deadline && !gone) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await sleep(VISIBILITY_POLL_MS);
  }
  return false;
}

function hitsContain(json: unknown, word: string): boolean {
  const hits = (json as { hits?: Array<{ text?: string; title?: string }> } | null)?.hits ?? [];
  return hits.some((h) => `${h.title ?? ""} ${h.text ?? ""}`.toLowerCase().includes(word));
}

/** ms from `since` until POST /search finds `word` (Infinity when not within VISIBILITY_GIVE_UP_MS). */
async function visibleAfter(url: string, word: string, since: number): Promise<number> {
  while (performance.now() - since < VISIBILITY_GIVE_UP_MS) {
    try {
      const { status, json } = await postSearch(url, { query: word, k: 3, filters: { includeReferences: true } });
      if (status === 200 && hitsContain(json, word)) return performance.now() - since;
    } catch {
      /* counted by the load clients; keep polling */
    }
    await sleep(VISIBILITY_POLL_MS);
  }
  return Infinity;
}

async function concurrencyRun(build: Build, home: string, papers: SmallPaper[]): Promise<ConcurrencyResult> {
  const result: ConcurrencyResult = {
    serverStarted: false,
    httpRequests: 0,
    httpErrors: 0,
    httpErrorKinds: new Map(),
    httpMs: [],
    httpSeconds: 0,
    searchRuns: 0,
    searchFailures: 0,
    ingestRuns: 0,
    ingestFailures: 0,
    lockMessages: 0,
    visibleAfterMs: [],
  };
  const noteLock = (text: string) => {
    const line = text.split("\n").find((l) => LOCK_MESSAGE.test(l));
    if (!line) return;
    result.lockMessages++;
    result.lockExample ??= line.trim().slice(0, 300);
  };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = startFolio(build, home, ["serve"], { FOLIO_HOST: "127.0.0.1", FOLIO_PORT: String(port), FOLIO_RATE_LIMIT_PER_MINUTE: "1000000" });
  try {
    result.serverStarted = await waitForServer(url, server.exited);
    if (!result.serverStarted) {
      result.serverError = errorLine(server.output());
      return result;
    }
    const deadline = performance.now() + CONCURRENCY_DEADLINE_MS;
    let stop = false;
    const running = () => !stop && performance.now() < deadline;

    const httpStarted = performance.now();
    const httpClient = async (c: number) => {
      for (let i = 0; i < MAX_HTTP_REQUESTS_PER_CLIENT && running(); i++) {
        const t = performance.now();
        try {
          const { status } = await postSearch(url, { query: WARM_QUERIES[(c + i) % WARM_QUERIES.length], k: SEARCH_K });
          result.httpMs.push(performance.now() - t);
          if (status !== 200) {
            result.httpErrors++;
            result.httpErrorKinds.set(`HTTP ${status}`, (result.httpErrorKinds.get(`HTTP ${status}`) ?? 0) + 1);
          }
        } catch (error) {
          result.httpErrors++;
          const kind = errorText(error).slice(0, 80);
          result.httpErrorKinds.set(kind, (result.httpErrorKinds.get(kind) ?? 0) + 1);
        }
        result.httpRequests++;
      }
    };
    const searchLoop = async (l: number) => {
      for (let i = 0; i < MAX_SEARCH_RUNS_PER_LOOP && running(); i++) {
        const run = await runFolio(build, home, ["search", COLD_QUERIES[(l + i) % COLD_QUERIES.length]!, "-k", String(SEARCH_K), "--json"]);
        result.searchRuns++;
        if (run.code !== 0) {
          result.searchFailures++;
          result.searchFailureExample ??= `exit ${run.code}: ${errorLine(run.stderr)}`;
        }
        noteLock(run.stderr);
      }
    };
    const load = [...Array.from({ length: HTTP_CLIENTS }, (_, c) => httpClient(c)), ...Array.from({ length: SEARCH_LOOPS }, (_, l) => searchLoop(l))];

    for (let b = 0; b < papers.length && running(); b += INGEST_BATCH) {
      const batch = papers.slice(b, b + INGEST_BATCH);
      const run = await runFolio(build, home, ["ingest", ...batch.map((p) => p.file), "--no-figure-images"]);
      const done = performance.now();
      result.ingestRuns++;
      noteLock(run.stderr);
      if (run.code !== 0) {
        result.ingestFailures++;
        result.ingestFailureExample ??= `exit ${run.code}: ${errorLine(run.stderr)}`;
        continue;
      }
      result.visibleAfterMs.push(...(await Promise.all(batch.map((p) => visibleAfter(url, p.word, done)))));
      log(`  ${build.label}: ${Math.min(papers.length, b + INGEST_BATCH)}/${papers.length} papers ingested under load`);
    }
    stop = true;
    await Promise.all(load);
    result.httpSeconds = (performance.now() - httpStarted) / 1000;
    return result;
  } finally {
    await server.stop();
    noteLock(server.output());
  }
}

async function scenarioConcurrency(builds: Builds, opts: Options): Promise<Section> {
  const started = performance.now();
  const papers = await makeSmallPapers(path.join(runDir, "new-papers"), opts.newPapers);
  const results: ConcurrencyResult[] = [];
  for (const build of [builds.next, builds.base]) {
    const seed = await seedLibrary(build);
    const home = path.join(runDir, `${build.label}-concurrency`);
    copyHome(seed.home, home);
    log(`concurrency: ${build.label}: folio serve + ${HTTP_CLIENTS} HTTP clients + ${SEARCH_LOOPS} folio search loops, folio ingest of ${papers.length} papers`);
    results.push(await concurrencyRun(build, home, papers));
    discard(home);
  }
  const [next, base] = results as [ConcurrencyResult, ConcurrencyResult];
  const visible = (r: ConcurrencyResult) => r.visibleAfterMs.filter((ms) => ms <= VISIBILITY_TARGET_MS).length;
  const finite = (r: ConcurrencyResult) => r.visibleAfterMs.filter(Number.isFinite);
  const maxDelay = (r: ConcurrencyResult) => (r.visibleAfterMs.length ? Math.max(...r.visibleAfterMs) : null);
  const shown = (v: number | null) => (v === null || Number.isFinite(v) ? v : NaN);
  const kinds = (r: ConcurrencyResult) => [...r.httpErrorKinds].map(([k, n]) => `${n} x ${k}`).join(", ");
  const serverNote = (label: string, r: ConcurrencyResult) => (r.serverStarted ? undefined : `${label}: folio serve did not start: ${r.serverError}`);
  const rps = (r: ConcurrencyResult) => (r.httpSeconds > 0 ? r.httpRequests / r.httpSeconds : null);
  const section: Section = {
    title: `4. Concurrency: folio serve + ${HTTP_CLIENTS} HTTP clients + ${SEARCH_LOOPS} folio search loops while folio ingest adds ${papers.length} papers`,
    method: [
      `A store of the 15 shared papers; \`folio serve\` on 127.0.0.1 (rate limit lifted); ${HTTP_CLIENTS} fetch loops on POST /search and ${SEARCH_LOOPS} loops of \`folio search\` processes run while ${papers.length} one-page PDFs (a unique nonsense word each) are ingested, ${INGEST_BATCH} per \`folio ingest\` process, one process at a time.`,
      `After each ingest exits, POST /search for each of its papers' words every ${VISIBILITY_POLL_MS} ms until a hit contains it (given up after ${VISIBILITY_GIVE_UP_MS / 1000} s). Loops are bounded by count and by a ${CONCURRENCY_DEADLINE_MS / 60000} min deadline.`,
      `"Lock messages": lines matching ${String(LOCK_MESSAGE)} in the stderr of every folio process (server, searches, ingests).`,
    ],
    rows: [
      { metric: "HTTP /search requests", unit: "count", newValue: next.httpRequests, baseline: base.httpRequests, note: joinNotes(serverNote("new", next), serverNote("baseline", base)) },
      { metric: "HTTP /search throughput under the load", unit: "req/s", newValue: rps(next), baseline: rps(base) },
      { metric: "HTTP /search p95 latency", unit: "ms", newValue: next.httpMs.length ? percentile(next.httpMs, 95) : null, baseline: base.httpMs.length ? percentile(base.httpMs, 95) : null },
      { metric: "HTTP errors", unit: "count", newValue: next.httpErrors, baseline: base.httpErrors, target: { text: "0", pass: next.serverStarted && next.httpErrors === 0 }, note: joinNotes(kinds(next) && `new: ${kinds(next)}`, kinds(base) && `baseline: ${kinds(base)}`) },
      { metric: "folio search processes run", unit: "count", newValue: next.searchRuns, baseline: base.searchRuns },
      {
        metric: "folio search non-zero exits",
        unit: "count",
        newValue: next.searchFailures,
        baseline: base.searchFailures,
        target: { text: "0", pass: next.serverStarted && next.searchFailures === 0 },
        note: joinNotes(next.searchFailureExample && `new, e.g. ${next.searchFailureExample}`, base.searchFailureExample && `baseline, e.g. ${base.searchFailureExample}`),
      },
      { metric: `folio ingest processes run (${INGEST_BATCH} papers each)`, unit: "count", newValue: next.ingestRuns, baseline: base.ingestRuns },
      {
        metric: "folio ingest non-zero exits",
        unit: "count",
        newValue: next.ingestFailures,
        baseline: base.ingestFailures,
        target: { text: "0", pass: next.serverStarted && next.ingestRuns === Math.ceil(papers.length / INGEST_BATCH) && next.ingestFailures === 0 },
        note: joinNotes(next.ingestFailureExample && `new, e.g. ${next.ingestFailureExample}`, base.ingestFailureExample && `baseline, e.g. ${base.ingestFailureExample}`),
      },
      { metric: '"in use" / STORE_LOCKED messages', unit: "count", newValue: next.lockMessages, baseline: base.lockMessages, target: { text: "0", pass: next.lockMessages === 0 }, note: joinNotes(next.lockExample && `new: ${next.lockExample}`, base.lockExample && `baseline: ${base.lockExample}`) },
      { metric: `papers found by /search within ${VISIBILITY_TARGET_MS / 1000} s of their ingest`, unit: "count", newValue: visible(next), baseline: visible(base), target: { text: `all ${papers.length}`, pass: visible(next) === papers.length } },
      { metric: "ingest-to-visible delay, p50", unit: "ms", newValue: finite(next).length ? median(finite(next)) : null, baseline: finite(base).length ? median(finite(base)) : null },
      { metric: "ingest-to-visible delay, max", unit: "ms", newValue: shown(maxDelay(next)), baseline: shown(maxDelay(base)), note: next.visibleAfterMs.some((ms) => !Number.isFinite(ms)) ? `new: ${next.visibleAfterMs.filter((ms) => !Number.isFinite(ms)).length} papers never found within ${VISIBILITY_GIVE_UP_MS / 1000} s` : undefined },
    ],
  };
  log(`concurrency: done in ${since(started)}`);
  return section;
}

// ------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseOptions();
  const started = performance.now();
  if (!fs.existsSync(PAPERS_DIR) && [...opts.scenarios].some((s) => s !== "dense")) {
    console.log(`The shared corpus is not at ${PAPERS_DIR}: scenarios library, large and concurrency need it; running only "dense".`);
    for (const s of ["library", "large", "concurrency"] as const) opts.scenarios.delete(s);
  }
  const version = describeWorkingTree();
  const next = newBuild(!opts.build);
  let base: Build;
  try {
    base = baselineBuild();
  } catch (error) {
    removeSnapshot(next);
    throw error;
  }
  const builds: Builds = { next, base };
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), "folio-bench-store-"));
  keepStores = opts.keep;
  const cleanup = () => {
    if (!opts.keep) fs.rmSync(runDir, { recursive: true, force: true });
    removeNeutralCwd();
    removeSnapshot(builds.next);
  };
  process.once("SIGINT", () => {
    cleanup();
    process.exit(130);
  });
  console.log(`bench/store: new layout (${version}, dist/ copied to ${builds.next.root}) vs baseline ${BASELINE_COMMIT} (${builds.base.root}/dist); node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg()[0]!.toFixed(1)}`);
  if (builds.next.note) console.log(`  NOTE: new build: ${builds.next.note}`);
  console.log(`  scenarios: ${[...opts.scenarios].join(", ")}; temporary stores in ${runDir}${opts.keep ? " (kept)" : ""}; Folio runs with no keys (BM25 only), cwd ${NEUTRAL_CWD}`);
  const sections: Section[] = [];
  const runners: Record<Scenario, (b: Builds, o: Options) => Promise<Section>> = { library: scenarioLibrary, large: scenarioLarge, dense: scenarioDense, concurrency: scenarioConcurrency };
  try {
    for (const scenario of SCENARIOS) {
      if (!opts.scenarios.has(scenario)) continue;
      try {
        const section = await runners[scenario](builds, opts);
        sections.push(section);
        printSection(section);
      } catch (error) {
        const section: Section = { title: `${scenario}: did not complete`, method: [`error: ${(error as Error).stack ?? errorText(error)}`.slice(0, 2000)], rows: [] };
        sections.push(section);
        printSection(section);
      }
    }
  } finally {
    cleanup();
  }
  const seconds = (performance.now() - started) / 1000;
  const command = `npm run bench:store${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  writeMarkdown(opts.results, sections, { command, version, baseline: `commit ${BASELINE_COMMIT} (today's layout: every point decoded into memory at open, one process per store)`, seconds, note: builds.next.note });
  const missed = misses(sections);
  console.log(`\n${missed.length === 0 ? "All targets met." : `${missed.length} target(s) MISSED:`}`);
  for (const m of missed) console.log(`  FAIL  ${m.section.split(" ")[0]} ${m.row.metric}: ${m.row.target?.text}`);
  console.log(`\nWritten to ${path.relative(REPO_ROOT, opts.results)}; the run took ${(seconds / 60).toFixed(1)} min.`);
}

await main();

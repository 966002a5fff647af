/**
 * The ingest pipeline, as its stages (src/ingest/stages/): plan (discover, ids, order) -> for
 * several sources at once: read, fingerprint (stop when unchanged), parse, chunk -> a bounded
 * queue -> one writer (putDocument: delete old points, write, record last) -> prune. Resumable
 * because the registry record is written last: a document interrupted mid-write has no record (or
 * its old record with an old hash), so the next run redoes it, and putDocument deletes whatever
 * points the interrupted run left.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { errorMessage, InputError } from "../errors.js";
import { priceOf } from "../util/numbers.js";
import type { FolioConfig } from "../config.js";
import type { FolioStoreApi } from "../store/types.js";
import { DEFAULT_ARXIV_BASE_URL } from "./fetch.js";
import { sourceKindOf } from "./sniff.js";
import type { IngestEvents, IngestSummary } from "./summary.js";
import type { ReadyDocument } from "./stages/chunk.js";
import type { StageContext } from "./stages/context.js";
import { startPdfParsing } from "./stages/pdf-parsing.js";
import { planRun, type Plan, type PlannedItem } from "./stages/plan.js";
import type { Shard } from "./stages/shard.js";
import { BulkLoad } from "./stages/bulk.js";
import { prepareDocument } from "./stages/prepare.js";
import { pruneGone } from "./stages/prune.js";
import { TokenAccount } from "./stages/budget.js";
import { BoundedQueue } from "./stages/queue.js";
import { RunReport } from "./stages/report.js";
import { displayOf, hintFor, Skip } from "./stages/skip.js";
import { writeDocuments, type StoreProgress } from "./stages/write.js";

export { PIPELINE_VERSION } from "./version.js";

type IngestSettings = FolioConfig["ingest"];

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
  /** BibTeX, BibLaTeX or CSL-JSON export of a reference manager: its PDF attachments with their metadata. */
  bibliography?: string;
  /** A local Zotero data folder (and optionally one collection). */
  zotero?: { dataDir: string; collection?: string; linkedBaseDir?: string };
  /** Delete documents whose source file under the given folders is gone. */
  prune?: boolean;
  /** This process' part of the corpus, one of N (`--shard i/N`): N runs together write what one run writes. */
  shard?: Shard;
  /** Parse and chunk as usual, consult the embedding cache, and report what embedding would cost: nothing is sent or written. */
  estimate?: boolean;
  /** Token budget of the run: a document is written only when its estimated tokens fit in what is left (FOLIO_MAX_TOKENS). */
  maxTokens?: number;
  /** Price per million embedding tokens, for the cost lines (FOLIO_JINA_PRICE_PER_M_TOKENS). */
  pricePerMillionTokens?: number;
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
   * min(concurrency, cores) workers from 50 PDFs (4 with crops or page images; see stages/pdf-parsing.ts) when there is more than one core and the machine is not saturated.
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
  return { ...ingest, downloadsDir: ingest.downloadsDir ?? path.join(config.home, "downloads"), ...config.tokens, ...extra };
}

/** A run's stop switch: aborted by the caller, or a failure that stops every document. */
class RunState {
  fatal: unknown;
  constructor(private readonly signal: AbortSignal | undefined) {}
  stopped(): boolean {
    return Boolean(this.signal?.aborted) || this.fatal !== undefined;
  }
  fail(error: unknown): void {
    this.fatal ??= error;
  }
}

export async function runIngest(store: FolioStoreApi, sources: string[], options: IngestOptions, events: IngestEvents = {}): Promise<IngestSummary> {
  const report = new RunReport(events);
  const signal = options.signal;
  const cwd = options.cwd ?? process.cwd();
  const renderPages = options.renderPages === "always" || (options.renderPages === "auto" && store.capabilities.images);
  const cropFigures = options.cropFigures ?? true;
  const ctx: StageContext = {
    options,
    store,
    report,
    renderPages,
    cropFigures,
    downloadsDir: options.downloadsDir ?? path.join(path.dirname(options.imagesDir), "downloads"),
    signal,
  };
  const concurrency = Math.max(1, options.concurrency);

  if (options.shard && options.prune) throw new InputError("--prune cannot run with --shard: one shard would remove the documents the others are writing.", "Ingest the shards without --prune, then run `folio ingest --prune` once over the same folders.");
  const plan = await planRun(store, sources, { ...options, arxivBaseUrl: options.arxivBaseUrl ?? DEFAULT_ARXIV_BASE_URL, cwd }, report);
  if (options.shard) report.summary.shard = { ...options.shard, planned: plan.items.length };
  const parsing = await startPdfParsing({
    pdfCount: plan.items.filter(({ item }) => item.type === "url" || sourceKindOf(item.path) === "pdf").length,
    concurrency,
    drawsPdfs: cropFigures || renderPages,
    pdfWorkers: options.pdfWorkers,
    textWorker: options.textWorker,
    pdfTextEngine: options.pdfTextEngine,
    signal,
    warn: (m) => report.warn(m),
  });

  const run = new RunState(signal);
  const queue = new BoundedQueue<ReadyDocument>(Math.max(1, options.queueSize ?? concurrency));
  const progress: StoreProgress = { queued: 0, stored: 0 };
  report.progress("parse", 0, plan.items.length, "files");
  const tokens = new TokenAccount(store, { estimate: Boolean(options.estimate), ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}) });
  const bulk = new BulkLoad(store, (m) => report.warn(m));
  const writing = writeDocuments(queue, store, report, progress, run, tokens, bulk);
  try {
    // With workers, one file more than there are workers is read and waiting, so a worker that
    // finishes starts its next file at once instead of after the main thread's store writes.
    const preparers = parsing.workerCount > 0 ? Math.max(concurrency, parsing.workerCount + 1) : concurrency;
    // One iterator shared by the preparers: each takes the next planned item, in plan order.
    const pending = plan.items.values();
    await Promise.all(Array.from({ length: Math.min(preparers, Math.max(1, plan.items.length)) }, () => prepareAll(pending, plan, ctx, parsing.parsePdf, queue, progress, run)));
  } finally {
    queue.close();
    try {
      await writing;
    } finally {
      await parsing.close();
      await bulk.finish();
    }
  }
  if (run.fatal !== undefined) throw run.fatal;

  const writes = !signal?.aborted && !options.estimate;
  if (writes) await recordCopies(plan, store, report);
  if (plan.pruning && writes) await pruneGone(plan, store, report);
  accountTokens(report, tokens, options);
  return report.finish(Boolean(signal?.aborted), Boolean(options.strict));
}

/** The run's token figures into the summary: usage, and the estimate or the budget when asked. */
function accountTokens(report: RunReport, tokens: TokenAccount, options: IngestOptions): void {
  const s = report.summary;
  const price = (count: number) => (options.pricePerMillionTokens !== undefined ? { price: { perMillionTokens: options.pricePerMillionTokens, amount: priceOf(count, options.pricePerMillionTokens) } } : {});
  const usage = tokens.usage();
  s.usage = usage && { ...usage, ...price(usage.tokens) };
  if (options.estimate) s.estimate = { ...tokens.estimated, ...price(tokens.estimated.cost.tokens) };
  else if (options.maxTokens !== undefined) {
    s.budget = { maxTokens: options.maxTokens, spentTokens: tokens.spent(), reached: tokens.budgetReached, remaining: { ...tokens.remaining, ...price(tokens.remaining.tokens) } };
  }
}

/** Copies of a document's file found this run become its `alsoAt` paths (the document is stored once). */
async function recordCopies(plan: Plan, store: FolioStoreApi, report: RunReport): Promise<void> {
  for (const [docId, paths] of plan.identities.copiesByDocument()) {
    try {
      await store.addAlsoAt(docId, paths);
    } catch (error) {
      report.warn(`${paths.join(", ")}: could not be recorded as another path of ${docId}: ${errorMessage(error)}`);
    }
  }
}

/** One preparer: takes the next item until none is left, and queues what it made ready. */
async function prepareAll(
  pending: Iterator<PlannedItem>,
  plan: Plan,
  ctx: StageContext,
  parsePdf: Parameters<typeof prepareDocument>[3],
  queue: BoundedQueue<ReadyDocument>,
  progress: StoreProgress,
  run: RunState,
): Promise<void> {
  const { report, signal } = ctx;
  while (!run.stopped()) {
    const { value: planned, done } = pending.next();
    if (done) return;
    const prepareStarted = performance.now();
    try {
      const ready = await prepareDocument(planned, plan, ctx, parsePdf, (error) => run.fail(error));
      report.summary.timings.prepareSeconds += (performance.now() - prepareStarted) / 1000;
      if (ready && !run.stopped()) {
        progress.queued += ready.chunks.length;
        report.progress("store", progress.stored, progress.queued, "chunks");
        await queue.put(ready);
      }
    } catch (error) {
      if (error instanceof Skip) report.skip({ path: displayOf(planned.item), reason: error.reason, detail: error.detail, hint: error.hint });
      else if (!signal?.aborted && run.fatal === undefined) {
        // An unexpected parser failure is this file's problem, not the run's.
        report.skip({ path: displayOf(planned.item), reason: "broken", detail: errorMessage(error), hint: hintFor("broken") });
      }
    }
    report.fileParsed(plan.items.length);
  }
}

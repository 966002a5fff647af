/**
 * Stage 7, write: one writer takes ready documents off the queue, embeds each (stage 6) and stores
 * it with the store's crash-safe put (new points written, old ones deleted, the registry record last).
 */
import { performance } from "node:perf_hooks";
import { errorMessage, FolioError } from "../../errors.js";
import type { FolioStoreApi } from "../../store/types.js";
import type { ReadyDocument } from "./chunk.js";
import { embedDocument } from "./embed.js";
import type { TokenAccount } from "./budget.js";
import type { BulkLoad } from "./bulk.js";
import type { BoundedQueue } from "./queue.js";
import type { RunReport } from "./report.js";
import { FATAL_CODES, hintFor } from "./skip.js";

/** Chunks handed to the writer and stored so far, for the store progress bar. */
export interface StoreProgress {
  queued: number;
  stored: number;
}

export async function writeDocuments(queue: BoundedQueue<ReadyDocument>, store: FolioStoreApi, report: RunReport, progress: StoreProgress, run: { stopped(): boolean; fail(error: unknown): void }, tokens: TokenAccount, bulk: BulkLoad): Promise<void> {
  for (;;) {
    const ready = await queue.take();
    if (!ready) return;
    if (run.stopped()) continue;
    const base = progress.stored;
    const storeStarted = performance.now();
    try {
      // Estimated only (--estimate, or past the token budget): nothing is sent or written.
      if (!(await tokens.admit(ready))) {
        progress.stored = base + ready.chunks.length;
        report.progress("store", progress.stored, progress.queued, "chunks");
        continue;
      }
      await bulk.beforeWrite();
      await store.putEmbedded(ready.input, embedDocument(ready, store), (done) => report.progress("store", base + done, progress.queued, "chunks"));
      report.summary.timings.storeSeconds += (performance.now() - storeStarted) / 1000;
    } catch (error) {
      if (error instanceof FolioError && FATAL_CODES.has(error.code)) {
        run.fail(error);
        continue;
      }
      report.skip({ path: ready.display, reason: "store-failed", detail: errorMessage(error), hint: error instanceof FolioError ? error.hint : hintFor("store-failed") });
      continue;
    }
    progress.stored = base + ready.chunks.length;
    report.progress("store", progress.stored, progress.queued, "chunks");
    recordStored(report, ready);
  }
}

function recordStored(report: RunReport, ready: ReadyDocument): void {
  const s = report.summary;
  s.ingested++;
  if (ready.replaced) s.replaced++;
  s.pages += ready.pages;
  s.chunks += ready.chunks.length;
  s.figures += ready.figures;
  report.file({
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

/**
 * Folio ingest: turns folders of papers (PDF, Markdown, text, images) and manifest URLs into
 * chunks, pages and figures in the Folio store. No console output: progress goes through events.
 */
import type { FolioStoreApi } from "../store/types.js";
import { runIngest, type IngestOptions } from "./pipeline.js";
import type { IngestEvents, IngestSummary } from "./summary.js";

export { ingestOptionsFromConfig, PIPELINE_VERSION, type IngestOptions } from "./pipeline.js";
export {
  IngestSummarySchema,
  SkippedFileSchema,
  SKIP_REASONS,
  type IngestSummary,
  type IngestEvents,
  type IngestPhase,
  type PhaseProgress,
  type FileEvent,
  type SkipReason,
  type SkippedFile,
} from "./summary.js";
export { chunkDocument, estimateTokens, splitSentences } from "./chunker.js";
export { ManifestRowSchema, loadManifest } from "./manifest.js";
export { probePdf, PdfInputError } from "./pdf/index.js";
export { localCopyOf } from "./fetch.js";
export { hasPdfHeader, sniff } from "./sniff.js";
export { sha256Hex } from "./hash.js";

/**
 * Ingests files, folders, URLs and "arxiv:<id>" sources into the store.
 * Resolves with a summary; `summary.ok` is false when aborted, when every source was skipped, or with `strict` when any was.
 * Rejects only on problems that stop every document (an unreadable manifest, embeddings auth, a locked store).
 */
export async function ingest(store: FolioStoreApi, sources: string[], options: IngestOptions, events?: IngestEvents): Promise<IngestSummary> {
  // One ingest at a time per store: a second one waits here, saying for whom, instead of interleaving.
  // An estimate writes nothing: it neither waits for nor holds the store.
  if (options.estimate) return runIngest(store, sources, options, events);
  const release = await store.lockForWriting("ingest", (message) => events?.onNotice?.(message));
  try {
    const summary = await runIngest(store, sources, options, events);
    if (!summary.aborted) {
      const notice = await store.optimize();
      if (notice) events?.onNotice?.(notice);
    }
    return summary;
  } finally {
    release();
  }
}

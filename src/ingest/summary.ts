/** What an ingest run reports: options, progress events and the final summary (zod, for --json). */
import { z } from "zod";

export const SKIP_REASONS = [
  "unsupported-type",
  "mislabelled",
  "empty",
  "too-large",
  "too-many-pages",
  "image-too-large",
  "encrypted",
  "broken",
  "not-found",
  "fetch-failed",
  "store-failed",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const SkippedFileSchema = z.object({
  /** File path or URL as discovered (absolute for files). */
  path: z.string(),
  reason: z.enum(SKIP_REASONS),
  /** Human detail: what was found ("an HTML page", "52 MB > 50 MB limit"). */
  detail: z.string().optional(),
  /** What the user can do about it. */
  hint: z.string(),
});
export type SkippedFile = z.infer<typeof SkippedFileSchema>;

const InputCountSchema = z.object({ inputs: z.number().int().nonnegative(), tokens: z.number().int().nonnegative() });

/** What storing documents costs before anything is sent (src/store/cost.ts). */
export const CostSchema = z.object({
  /** Tokens the embedding requests would carry (inputs the cache serves excluded). */
  tokens: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  lateChunkingWindows: z.number().int().nonnegative(),
  text: InputCountSchema,
  pages: InputCountSchema,
  figures: InputCountSchema,
  multivector: InputCountSchema,
  cached: InputCountSchema,
  storage: z.object({ points: z.number().int().nonnegative(), denseBytes: z.number().nonnegative(), multivectorBytes: z.number().nonnegative(), sparseBytes: z.number().nonnegative(), payloadBytes: z.number().nonnegative() }),
});

/** A price per million tokens (FOLIO_JINA_PRICE_PER_M_TOKENS) applied to a token count. */
export const PriceSchema = z.object({ perMillionTokens: z.number().nonnegative(), amount: z.number().nonnegative() });

/** What a run used, from the usage the embeddings server returned. */
export const RunUsageSchema = z.object({
  tokens: z.number().int().nonnegative(),
  /** HTTP attempts, retries included. */
  requests: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  cacheHits: z.number().int().nonnegative(),
  cacheMisses: z.number().int().nonnegative(),
  lateChunkingWindows: z.number().int().nonnegative(),
  price: PriceSchema.optional(),
});
export type RunUsage = z.infer<typeof RunUsageSchema>;

export const IngestSummarySchema = z.object({
  /** False when the run was aborted, when every source was skipped, or when `strict` and any was: the CLI exits non-zero. */
  ok: z.boolean(),
  aborted: z.boolean(),
  /** Files and URLs considered (after include/exclude and de-duplication). */
  filesSeen: z.number().int().nonnegative(),
  /** Documents written this run (new + replaced). */
  ingested: z.number().int().nonnegative(),
  /** Documents whose content and embedding setup matched the store: nothing done. */
  unchanged: z.number().int().nonnegative(),
  /** Files whose very bytes another document already is (found at another path): recorded as its `alsoAt`, not stored twice. */
  copies: z.number().int().nonnegative(),
  /** Of `ingested`, documents that replaced an older version. */
  replaced: z.number().int().nonnegative(),
  /** Documents removed because their source file is gone (with `prune`). */
  pruned: z.number().int().nonnegative(),
  skipped: z.array(SkippedFileSchema),
  /** Files in the given folders of types Folio does not read (not documents, so not skipped): how many, their extensions (most common first) and paths. */
  ignored: z.object({ count: z.number().int().nonnegative(), extensions: z.array(z.string()), paths: z.array(z.string()) }),
  /** Pages, chunks (all kinds) and figures written this run. */
  pages: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  figures: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  /** Where the time went: summed over files (read+hash+parse+chunk, and store writes), so with concurrency they can exceed `seconds`. */
  timings: z.object({ prepareSeconds: z.number().nonnegative(), storeSeconds: z.number().nonnegative() }),
  /** Non-fatal problems, prefixed with the file they concern. */
  warnings: z.array(z.string()),
  /** With `--shard i/N`: which part of the corpus this run took, and how many of the files seen it planned. */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive(), planned: z.number().int().nonnegative() }).optional(),
  /** Embedding usage of the run, as the server counted it; null without an embeddings endpoint (BM25 is local). */
  usage: RunUsageSchema.nullable(),
  /** With `estimate`: nothing was written or sent; what the documents that would be embedded cost. */
  estimate: z.object({ documents: z.number().int().nonnegative(), cost: CostSchema, price: PriceSchema.optional() }).optional(),
  /** With a token budget: what was spent, whether the budget stopped the run, and what is left to do. */
  budget: z
    .object({
      maxTokens: z.number().int().positive(),
      spentTokens: z.number().int().nonnegative(),
      reached: z.boolean(),
      remaining: z.object({ documents: z.number().int().nonnegative(), tokens: z.number().int().nonnegative(), paths: z.array(z.string()), price: PriceSchema.optional() }),
    })
    .optional(),
});
export type IngestSummary = z.infer<typeof IngestSummarySchema>;

export type IngestPhase = "discover" | "parse" | "store";

export interface PhaseProgress {
  phase: IngestPhase;
  /** Units done so far in this phase and the total known so far (discover: total grows as files are found). */
  done: number;
  total: number;
  /** discover and parse count files; store counts chunks. */
  unit: "files" | "chunks";
  /** Milliseconds since the run started, for rate and ETA. */
  elapsedMs: number;
}

export type FileEvent =
  | { type: "unchanged"; path: string; docId: string }
  | { type: "done"; path: string; docId: string; title: string; replaced: boolean; pages: number; chunks: number; figures: number; figureLabels: string[]; seconds: number }
  | { type: "skipped"; path: string; reason: SkipReason; detail?: string; hint: string }
  | { type: "pruned"; path: string; docId: string }
  /** The same bytes as `of`, stored as `docId`: this path is recorded as another path of that document. */
  | { type: "copy"; path: string; docId: string; of: string };

export interface IngestEvents {
  onProgress?(progress: PhaseProgress): void;
  onFile?(event: FileEvent): void;
  onWarning?(warning: string): void;
  /** what the user should know as it happens: waiting for another writer, a change of storage */
  onNotice?(message: string): void;
}

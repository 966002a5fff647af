/**
 * What storing a document would cost before anything is sent: the embedding calls the vectorizer
 * would make (the same calls, estimated by the provider against its cache) and the space its points
 * would take. Used by `folio ingest --estimate` and by a token budget deciding whether a document fits.
 */
import { MULTIVECTOR_SIZE } from "../config.js";
import type { Bm25Encoder } from "../embeddings/bm25.js";
import type { CallEstimate, EmbeddingInput, MultimodalEmbeddings } from "../embeddings/types.js";
import type { PreparedChunk, VectorCapabilities } from "./vectors.js";
import { visualInput } from "./vectors.js";

export interface InputCount {
  inputs: number;
  tokens: number;
}

export interface DocumentCost {
  /** Tokens the embedding calls would send (cached inputs excluded). */
  tokens: number;
  requests: number;
  lateChunkingWindows: number;
  /** Text chunks (late chunking), page and figure inputs (images, or their text without one), multi-vector inputs: as sent. */
  text: InputCount;
  pages: InputCount;
  figures: InputCount;
  multivector: InputCount;
  /** Inputs the cache (or an earlier document of the same estimate) would serve. */
  cached: InputCount;
  /** Bytes of the points' vectors and payload. */
  storage: { points: number; denseBytes: number; multivectorBytes: number; sparseBytes: number; payloadBytes: number };
}

export function emptyCost(): DocumentCost {
  const none = () => ({ inputs: 0, tokens: 0 });
  return { tokens: 0, requests: 0, lateChunkingWindows: 0, text: none(), pages: none(), figures: none(), multivector: none(), cached: none(), storage: { points: 0, denseBytes: 0, multivectorBytes: 0, sparseBytes: 0, payloadBytes: 0 } };
}

/** Adds `b` into `a` (every field). */
export function addCost(a: DocumentCost, b: DocumentCost): DocumentCost {
  a.tokens += b.tokens;
  a.requests += b.requests;
  a.lateChunkingWindows += b.lateChunkingWindows;
  for (const key of ["text", "pages", "figures", "multivector", "cached"] as const) {
    a[key].inputs += b[key].inputs;
    a[key].tokens += b[key].tokens;
  }
  for (const key of ["points", "denseBytes", "multivectorBytes", "sparseBytes", "payloadBytes"] as const) a.storage[key] += b.storage[key];
  return a;
}

const FLOAT_BYTES = 4;
/** A sparse entry: u32 index and f32 value. */
const SPARSE_ENTRY_BYTES = 8;

export interface CostContext {
  embeddings: MultimodalEmbeddings | null;
  capabilities: VectorCapabilities;
  bm25: Bm25Encoder;
  batchSize: number;
  /** Cache keys earlier documents of the same estimate would have filled. */
  seen: Set<string>;
}

/** The calls `PointVectorizer.batches` makes for these chunks, estimated, and their points' storage. */
export async function estimateChunks(chunks: PreparedChunk[], ctx: CostContext): Promise<DocumentCost> {
  const cost = emptyCost();
  const estimator = ctx.capabilities.dense ? ctx.embeddings : null;
  const tally = async (inputs: EmbeddingInput[], options: { lateChunking?: boolean; multivector?: boolean }, bucket: (i: number) => keyof Pick<DocumentCost, "text" | "pages" | "figures" | "multivector">) => {
    if (!estimator?.estimate || inputs.length === 0) return null;
    const call = await estimator.estimate(inputs, options, ctx.seen);
    record(cost, call, bucket);
    return call;
  };
  const text = chunks.filter((c) => c.metadata.kind === "text");
  await tally(
    text.map((c) => c.text),
    { lateChunking: true },
    () => "text",
  );
  const visual = chunks.filter((c) => c.metadata.kind !== "text");
  for (let i = 0; i < visual.length; i += ctx.batchSize) {
    const batch = visual.slice(i, i + ctx.batchSize);
    const inputs = batch.map((c) => visualInput(c, ctx.capabilities));
    const kindOf = (j: number) => (batch[j]!.metadata.kind === "page" ? "pages" : "figures");
    // The vectorizer sends a batch's images and its text-only inputs as two calls.
    const images = inputs.flatMap((input, j) => ("image" in input ? [j] : []));
    const texts = inputs.flatMap((input, j) => ("image" in input ? [] : [j]));
    await tally(
      images.map((j) => inputs[j]!),
      {},
      (n) => kindOf(images[n]!),
    );
    await tally(
      texts.map((j) => inputs[j]!),
      {},
      (n) => kindOf(texts[n]!),
    );
    if (ctx.capabilities.multivector) {
      const multi = await tally(inputs, { multivector: true }, () => "multivector");
      // One 128-d row per token of each input.
      if (multi) cost.storage.multivectorBytes += multi.inputTokens.reduce((sum, t) => sum + t, 0) * MULTIVECTOR_SIZE * FLOAT_BYTES;
    }
  }
  addStorage(cost, chunks, ctx);
  return cost;
}

function record(cost: DocumentCost, call: CallEstimate, bucket: (i: number) => keyof Pick<DocumentCost, "text" | "pages" | "figures" | "multivector">): void {
  call.inputTokens.forEach((tokens, i) => {
    const target = call.sent[i] ? cost[bucket(i)] : cost.cached;
    target.inputs++;
    target.tokens += tokens;
    if (call.sent[i]) cost.tokens += tokens;
  });
  cost.requests += call.requests;
  cost.lateChunkingWindows += call.lateChunkingWindows;
}

function addStorage(cost: DocumentCost, chunks: PreparedChunk[], ctx: CostContext): void {
  const dims = ctx.capabilities.dense && ctx.embeddings ? ctx.embeddings.dimensions : 0;
  for (const chunk of chunks) {
    cost.storage.points++;
    cost.storage.denseBytes += dims * FLOAT_BYTES;
    cost.storage.sparseBytes += ctx.bm25.embedDocument(chunk.text).indices.length * SPARSE_ENTRY_BYTES;
    cost.storage.payloadBytes += Buffer.byteLength(JSON.stringify({ text: chunk.text, metadata: chunk.metadata }));
  }
}

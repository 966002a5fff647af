/** Public surface of the embeddings part: the Jina v4 client, the reranker, request export, errors. */
import type { FolioConfig } from "../config.js";
import { JinaEmbeddings } from "./jina.js";

export { JinaEmbeddings, JINA_TASKS, JINA_CONTEXT_TOKENS } from "./jina.js";
export type { JinaEmbeddingsOptions, EmbedOptions, JinaUsage, JinaTask, DescribedRequest } from "./jina.js";
export { JinaReranker } from "./rerank.js";
export type { JinaRerankerOptions, RerankResult } from "./rerank.js";
export { toCurl } from "./curl.js";
export type { CurlOptions } from "./curl.js";
export { EMBEDDING_TYPES, decodeVector, packedBytes, unpackBits } from "./codec.js";
export type { EmbeddingType, BinaryInt8Encoding } from "./codec.js";
export { EmbeddingCache } from "./cache.js";
export { EmbeddingsError, EmbeddingsAuthError, EmbeddingsBalanceError, EmbeddingsInputError, EmbeddingsUnavailableError, EmbeddingsResponseError, EmbeddingsShapeError } from "./errors.js";
export type { RetryEvent } from "./http.js";
export type { CallEstimate, EmbeddingInput, EmbeddingUsage, ImageInput, MultimodalEmbeddings, SparseVector } from "./types.js";

/** The client Folio runs on, from the configuration; null when no Jina endpoint is configured (BM25 only). */
export function createEmbeddings(config: FolioConfig, overrides: Partial<import("./jina.js").JinaEmbeddingsOptions> = {}): JinaEmbeddings | null {
  const e = config.embeddings;
  if (e.mode === "none") return null;
  return new JinaEmbeddings({
    apiKey: e.apiKey,
    baseUrl: e.baseUrl,
    model: e.model,
    dimensions: e.dimensions,
    format: e.format,
    batchSize: e.batchSize,
    tokensPerRequest: e.tokensPerRequest,
    maxConcurrency: e.maxConcurrency,
    maxRetries: e.maxRetries,
    timeout: e.timeoutMs,
    cacheDir: e.cacheDir,
    secrets: config.secrets,
    ...overrides,
  });
}

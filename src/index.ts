/**
 * Folio's public library entry. Everything a program needs to use Folio's parts directly:
 * the configuration, the Jina v4 LangChain Embeddings, the embedded Qdrant-compatible client,
 * the Folio store and vector store, ingest, the answering chain and the HTTP app.
 */
export { loadConfig, describeConfig, imageSearchAvailable, EnvSchema, JINA_DIMENSIONS } from "./config.js";
export type { FolioConfig, RawEnv } from "./config.js";
export * from "./errors.js";
export { redact, maskSecret } from "./util/redact.js";

export { JinaEmbeddings, JinaReranker, createEmbeddings, toCurl, EmbeddingCache, JINA_TASKS } from "./embeddings/index.js";
export type { JinaEmbeddingsOptions, EmbedOptions, JinaTask, JinaUsage, RerankResult, EmbeddingInput, ImageInput, MultimodalEmbeddings, SparseVector } from "./embeddings/index.js";
export { Bm25Encoder } from "./embeddings/bm25.js";

export { LocalQdrantClient } from "./store/local/index.js";
export type { LocalQdrantClientOptions } from "./store/local/index.js";
export { FolioStore, FolioVectorStore, openFolioStore, createQdrantClient } from "./store/index.js";
export type { ChunkInput, ChunkKind, ChunkMetadata, DocumentRecord, FolioStoreApi, SearchFilters, SearchHit, SearchMode, SearchRequest } from "./store/types.js";

export { ingest, ingestOptionsFromConfig, IngestSummarySchema, probePdf } from "./ingest/index.js";
export type { IngestOptions, IngestSummary, IngestEvents } from "./ingest/index.js";

export { createAnswerer } from "./chat/index.js";
export { bibtexFor, citationKey } from "./chat/bibtex.js";
export type { Answer, Answerer, AnswerEvent, AnswerRequest, Citation, ChatTurn } from "./chat/types.js";

export { createApp, startServer } from "./server/index.js";
export { createQdrantRestApp, startStoreServer } from "./server/qdrant/index.js";
export type { QdrantRestOptions, RunningStoreServer, StoreServerOptions } from "./server/qdrant/index.js";
export { exportCollection, restoreExport, downloadServerSnapshot } from "./store/snapshots.js";
export { openFolio } from "./folio.js";
export type { Folio } from "./folio.js";

/** The store layer: Qdrant (server or embedded), the Folio collection, FolioVectorStore and FolioStore. */
import type { FolioConfig } from "../config.js";
import type { MultimodalEmbeddings } from "../embeddings/types.js";
import { FolioStore, type FolioStoreOptions } from "./folio-store.js";

export * from "./types.js";
export { createQdrantClient, isLocalClient, toStoreError, verifyConnection, QDRANT_SERVER_HINT } from "./client.js";
export {
  DENSE_VECTOR,
  MULTI_VECTOR,
  SPARSE_VECTOR,
  PAYLOAD_INDEXES,
  VectorConfigMismatchError,
  checkLayout,
  createCollectionRequest,
  describeLayout,
  documentsCollectionName,
  ensureFolioCollections,
  layoutFor,
  layoutOf,
  type CollectionLayout,
} from "./collection.js";
export { QdrantFilterSchema, buildFilter, docIdFilter, parseQdrantFilter, type QdrantFilter } from "./filters.js";
export { FOLIO_ID_NAMESPACE, chunkPointId, documentPointId, isValidPointId, textHash } from "./ids.js";
export { DENSE_UNAVAILABLE_HINT, FolioVectorStore, SparseOnlyEmbeddings, buildQueryRequest, type FolioPoint, type FolioQuery, type FolioVectorStoreArgs } from "./folio-vector-store.js";
export { FolioStore, IMAGE_SEARCH_UNAVAILABLE, embeddingSignatureFor, type FolioStoreOptions } from "./folio-store.js";
export { Bm25Encoder, analyze, tokenize, type Bm25Options } from "../embeddings/bm25.js";

/** Opens the Folio store for this configuration (embedded unless QDRANT_URL is set). */
export function openFolioStore(config: FolioConfig, embeddings: MultimodalEmbeddings | null, options?: FolioStoreOptions): Promise<FolioStore> {
  return FolioStore.open(config, embeddings, options);
}

/** The store layer: Qdrant (server or embedded), the Folio collection, FolioVectorStore and FolioStore. */
import type { FolioConfig } from "../config.js";
import type { MultimodalEmbeddings } from "../embeddings/types.js";
import { FolioStore, type FolioStoreOptions } from "./folio-store.js";

export { createQdrantClient, isLocalClient } from "./client.js";
export { VectorConfigMismatchError } from "./collection.js";
export { buildFilter, parseQdrantFilter } from "./filters.js";
export { chunkPointId, documentPointId, isValidPointId } from "./ids.js";
export { FolioVectorStore } from "./folio-vector-store.js";
export { FolioStore } from "./folio-store.js";
export { analyze } from "../embeddings/bm25.js";
export { ANALYZER_VERSION } from "../embeddings/analyzer.js";
export { detectLanguage, dominantLanguage, ANALYSED_LANGUAGES, type AnalysedLanguage } from "../embeddings/language.js";

/** Opens the Folio store for this configuration (embedded unless QDRANT_URL is set). */
export function openFolioStore(config: FolioConfig, embeddings: MultimodalEmbeddings | null, options?: FolioStoreOptions): Promise<FolioStore> {
  return FolioStore.open(config, embeddings, options);
}

/**
 * Stage 6, embed: every vector a document's points need (Jina's dense and multi-vectors when
 * configured, BM25 always), made by the store's vectorizer. The batches are made as the writer
 * stores them, so a long document never holds all its vectors in memory.
 */
import type { EmbeddedDocument, FolioStoreApi } from "../../store/types.js";
import type { ReadyDocument } from "./chunk.js";

export function embedDocument(ready: ReadyDocument, store: FolioStoreApi): EmbeddedDocument {
  return store.embedChunks(ready.input.docId, ready.chunks);
}

/**
 * The composition root: builds the parts Folio runs on from one configuration. The CLI and the
 * HTTP server open Folio here, so the choice between embedded defaults and real services
 * (Jina, Qdrant, an OpenAI-compatible LLM) is made in exactly one place: src/config.ts.
 */
import type { FolioConfig } from "./config.js";
import { imageSearchAvailable } from "./config.js";
import { createEmbeddings } from "./embeddings/index.js";
import type { JinaEmbeddings } from "./embeddings/index.js";
import { openFolioStore } from "./store/index.js";
import type { FolioStore } from "./store/index.js";
import { createAnswerer } from "./chat/index.js";
import type { Answerer } from "./chat/types.js";

export interface Folio {
  config: FolioConfig;
  embeddings: JinaEmbeddings | null;
  store: FolioStore;
  /** Built on first use: commands that only ingest never construct a chat model. */
  answerer(): Answerer;
  imageSearchAvailable: boolean;
  /**
   * A line for the user when documents were indexed by another embedding setup or analyser (an
   * older Folio): they stay searchable, but mixed with new ones; the next ingest re-makes them.
   */
  staleNotice(): Promise<string | null>;
  close(): Promise<void>;
}

export async function openFolio(config: FolioConfig): Promise<Folio> {
  const embeddings = createEmbeddings(config);
  const store = await openFolioStore(config, embeddings);
  let answerer: Answerer | undefined;
  return {
    config,
    embeddings,
    store,
    imageSearchAvailable: imageSearchAvailable(config),
    answerer() {
      if (answerer) return answerer;
      // createAnswerer builds the Jina reranker itself when FOLIO_RERANK is on.
      const created = createAnswerer(config, store);
      answerer = created;
      return created;
    },
    async staleNotice() {
      const records = await store.listDocuments();
      const stale = records.filter((r) => r.embeddingSignature !== store.embeddingSignature);
      if (stale.length === 0) return null;
      const was = [...new Set(stale.map((r) => r.embeddingSignature))].join(", ");
      return `${stale.length} of ${records.length} documents were indexed as "${was}", not "${store.embeddingSignature}" (another analyser or embedding setup): run \`folio ingest\` on your folders again to re-index them.`;
    },
    async close() {
      await store.close();
      await embeddings?.close();
    },
  };
}

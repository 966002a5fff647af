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
    async close() {
      await store.close();
      await embeddings?.close();
    },
  };
}

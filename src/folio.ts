/**
 * The composition root: builds the parts Folio runs on from one configuration. The CLI and the
 * HTTP server open Folio here, so the choice between embedded defaults and real services
 * (Jina, Qdrant, an OpenAI-compatible LLM) is made in exactly one place: src/config.ts.
 * What a command does not use is not loaded: the Jina client only with an embeddings endpoint,
 * the answering chain (LangChain) only when something is answered.
 */
import type { FolioConfig } from "./config.js";
import { imageSearchAvailable } from "./config.js";
import type { JinaEmbeddings } from "./embeddings/index.js";
import { FolioStore } from "./store/folio-store.js";
import type { Answerer } from "./chat/types.js";

export interface Folio {
  config: FolioConfig;
  embeddings: JinaEmbeddings | null;
  store: FolioStore;
  /**
   * Built on first use: commands that only ingest or search never construct a chat model. The
   * answering chain (LangChain) loads on the first answer; `loadAnswerer()` loads it now.
   */
  answerer(): Answerer;
  /** The answerer with its chain loaded and built: front ends call it at start-up, so a bad setup fails there and the first answer waits for nothing. */
  loadAnswerer(): Promise<Answerer>;
  imageSearchAvailable: boolean;
  /**
   * A line for the user when documents were indexed by another embedding setup or analyser (an
   * older Folio): they stay searchable, but mixed with new ones; the next ingest re-makes them.
   */
  staleNotice(): Promise<string | null>;
  close(): Promise<void>;
}

export async function openFolio(config: FolioConfig): Promise<Folio> {
  // createEmbeddings is null without an endpoint: then the Jina client is not even loaded.
  const embeddings = config.embeddings.mode === "none" ? null : (await import("./embeddings/index.js")).createEmbeddings(config);
  const store = await FolioStore.open(config, embeddings);
  let loaded: Promise<Answerer> | undefined;
  // createAnswerer builds the Jina reranker itself when FOLIO_RERANK is on.
  const loadAnswerer = () => (loaded ??= import("./chat/index.js").then(({ createAnswerer }) => createAnswerer(config, store)));
  const answerer: Answerer = {
    async answer(request) {
      return (await loadAnswerer()).answer(request);
    },
    async *stream(request) {
      yield* (await loadAnswerer()).stream(request);
    },
  };
  return {
    config,
    embeddings,
    store,
    imageSearchAvailable: imageSearchAvailable(config),
    answerer: () => answerer,
    loadAnswerer,
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

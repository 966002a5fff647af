/**
 * Collections built for setups that need their own (a chunk size): filled from the sources of the
 * main collection with the setup's settings, incrementally, so a second run reuses them and the
 * embedding cache serves every text the main collection already embedded.
 */
import type { FolioConfig } from "../config.js";
import type { MultimodalEmbeddings } from "../embeddings/types.js";
import { ingest, ingestOptionsFromConfig } from "../ingest/index.js";
import { openFolioStore } from "../store/index.js";
import type { FolioStoreApi } from "../store/types.js";
import type { SetupSpec } from "./setups.js";

export interface SetupCollections {
  storeFor(spec: SetupSpec, config: FolioConfig): Promise<FolioStoreApi>;
  close(): Promise<void>;
}

export function setupCollections(main: FolioStoreApi, embeddings: MultimodalEmbeddings | null, notice: (message: string) => void, signal?: AbortSignal): SetupCollections {
  const opened = new Map<string, FolioStoreApi>();
  return {
    async storeFor(spec, config) {
      const existing = opened.get(config.collection);
      if (existing) return existing;
      const store = await openFolioStore(config, embeddings);
      opened.set(config.collection, store);
      const records = await main.listDocuments();
      // By source: a file can have another docId here than in the main collection (see run.ts).
      const wanted = new Set(records.map((r) => r.source));
      notice(`Setup ${spec.name}: collection "${config.collection}" holds the ${records.length} documents with ${config.ingest.chunkTokens}-token chunks (built or brought up to date now; the embedding cache serves texts embedded before).`);
      const summary = await ingest(store, records.map((r) => r.source), ingestOptionsFromConfig(config, { cropFigures: store.capabilities.images, ...(signal ? { signal } : {}) }), { onNotice: notice });
      for (const f of summary.skipped) notice(`  skipped ${f.path}: ${f.reason}`);
      // Documents removed from the main collection since the last build go from this one too.
      for (const record of await store.listDocuments()) if (!wanted.has(record.source)) await store.deleteDocument(record.docId);
      return store;
    },
    async close() {
      for (const store of opened.values()) await store.close();
      opened.clear();
    },
  };
}

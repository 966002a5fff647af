/**
 * `FolioStore`: the store as ingest, chat, server and cli use it (`FolioStoreApi`). Points live in
 * the Folio collection through `FolioPoints` (no LangChain: a search loads none of it); one
 * registry record per fully stored document lives in `<collection>_documents`, so resuming works
 * against a server as well as embedded. `vectorStore()` gives the same collection as LangChain's
 * VectorStore (`FolioVectorStore`), loading LangChain only then.
 */
import { BM25_DEFAULTS } from "../embeddings/bm25.js";
import { ANALYZER_VERSION } from "../embeddings/analyzer.js";
import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import type { FolioConfig } from "../config.js";
import { Bm25Encoder } from "../embeddings/bm25.js";
import type { EmbeddingUsage, ImageInput, MultimodalEmbeddings } from "../embeddings/types.js";
import type { DocumentCost } from "./cost.js";
import { EmptyStoreError, InputError, UnsupportedFeatureError } from "../errors.js";
import { createQdrantClient, toStoreError, verifyConnection } from "./client.js";
import { errorDetail } from "./client-errors.js";
import { redact } from "../util/redact.js";
import { INT8_QUANTIZATION, VectorConfigMismatchError, checkLayout, collectionExists, documentsCollectionName, getCollectionInfo, layoutFor, type CollectionLayout } from "./collection.js";
import { buildFilter, docIdFilter, type QdrantFilter } from "./filters.js";
import { imageIdsOf, removeUnusedImages } from "./image-refs.js";
import { ImageStore } from "./images.js";
import { PointVectorizer } from "./vectors.js";
import { LocalQdrantClient } from "./local/index.js";
import type { FolioVectorStore } from "./folio-vector-store.js";
import { DENSE_UNAVAILABLE_HINT, FolioPoints, type FolioQuery, type StoredPoint } from "./points.js";
import { chunkPointId, documentPointId, isValidPointId } from "./ids.js";
import {
  ChunkMetadataSchema,
  DocumentRecordSchema,
  type ChunkInput,
  type ChunkMetadata,
  type DocumentInput,
  type DocumentRecord,
  type EmbeddedDocument,
  type FolioStoreApi,
  type SearchFilters,
  type SearchHit,
  type SearchMode,
  type SearchRequest,
} from "./types.js";

export const IMAGE_SEARCH_UNAVAILABLE = "image search needs Jina (set JINA_API_KEY or a self-hosted JINA_BASE_URL)";

export interface FolioStoreOptions {
  /** Use this client instead of one made from the config (tests, a shared client); `close()` leaves it open. */
  client?: QdrantClient;
  /** Points per upsert (default 64; 8 when multi-vectors are stored, they are large). */
  batchSize?: number;
  /** Candidates per prefetch for fusion and re-scoring (default max(4k, 20)). */
  prefetchLimit?: number;
}


/** Tries at turning indexing back on after a bulk load before it is reported instead. */
const RESTORE_ATTEMPTS = 3;

/** "bm25/a2", or e.g. "jina-embeddings-v4@1024+bm25/a2+mv": a change means the points must be re-made. */
export function embeddingSignatureFor(config: FolioConfig, layout: CollectionLayout): string {
  // BM25 parameters shape the stored sparse values: non-default ones are part of the signature.
  const p = config.bm25 ?? BM25_DEFAULTS;
  const params = p.k1 === BM25_DEFAULTS.k1 && p.b === BM25_DEFAULTS.b && p.avgdl === BM25_DEFAULTS.avgdl ? "" : `(k1=${p.k1},b=${p.b},avgdl=${p.avgdl})`;
  // The analyser's version: a store indexed by another analyser is re-made by the next ingest, not mixed.
  const bm25 = `bm25${params}/a${ANALYZER_VERSION}`;
  if (layout.dense === null) return bm25;
  const model = config.embeddings.mode === "jina" ? config.embeddings.model : "dense";
  return `${model}@${layout.dense}+${bm25}${layout.multivector ? "+mv" : ""}`;
}

export class FolioStore implements FolioStoreApi {
  readonly collection: string;
  readonly capabilities: { dense: boolean; images: boolean; multivector: boolean };
  readonly embeddingSignature: string;
  /** The collection's points: upserts, queries, whether the collection exists. */
  private readonly points: FolioPoints;
  private langchainStore: Promise<FolioVectorStore> | null = null;
  readonly client: QdrantClient;
  readonly images: ImageStore;
  readonly bm25: Bm25Encoder;
  private readonly registry: string;
  private readonly batchSize: number;
  /** every point and query vector is made there */
  private readonly vectorizer: PointVectorizer;
  private closed = false;
  private problems: LayoutProblems = { read: null, write: null };
  private repairing: Promise<void> | null = null;

  private constructor(
    private readonly config: FolioConfig,
    private readonly embeddings: MultimodalEmbeddings | null,
    client: QdrantClient,
    readonly layout: CollectionLayout,
    private readonly options: FolioStoreOptions,
  ) {
    this.client = client;
    this.images = new ImageStore(config.ingest.imagesDir);
    this.collection = config.collection;
    this.registry = documentsCollectionName(config.collection);
    this.bm25 = new Bm25Encoder(config.bm25);
    this.capabilities = {
      dense: layout.dense !== null,
      images: layout.dense !== null && Boolean(embeddings?.supportsImages),
      multivector: layout.multivector,
    };
    this.embeddingSignature = embeddingSignatureFor(config, layout);
    this.batchSize = options.batchSize ?? (layout.multivector ? 8 : 64);
    this.vectorizer = new PointVectorizer(embeddings, this.capabilities, this.bm25, this.batchSize);
    this.points = new FolioPoints(client, config.collection, {
      layout: () => Promise.resolve(layout),
      bm25: this.bm25,
      prefetchLimit: options.prefetchLimit,
      ...(config.qdrant.mode === "server" ? { cluster: config.qdrant.cluster } : {}),
    });
  }

  /**
   * The collection as LangChain's VectorStore (a `QdrantVectorStore`): for LangChain code such as
   * `asRetriever()`. It shares this store's client and collection state; LangChain is loaded on the
   * first call, so programs that only search and write through FolioStore never load it.
   */
  vectorStore(): Promise<FolioVectorStore> {
    this.langchainStore ??= import("./folio-vector-store.js").then(
      ({ FolioVectorStore }) =>
        new FolioVectorStore(this.layout.dense !== null ? this.embeddings : null, {
          client: this.client,
          collectionName: this.collection,
          layout: this.layout,
          points: this.points,
        }),
    );
    return this.langchainStore;
  }

  /**
   * Connects (a server that cannot be reached fails here with a StoreError) and checks an existing
   * collection against the embedding setup (VectorConfigMismatchError rather than mixed points).
   */
  static async open(config: FolioConfig, embeddings: MultimodalEmbeddings | null, options: FolioStoreOptions = {}): Promise<FolioStore> {
    const client = options.client ?? createQdrantClient(config);
    await verifyConnection(client, config);
    const wanted = layoutFor(config, embeddings);
    let problems: LayoutProblems = { read: null, write: null };
    try {
      const info = await getCollectionInfo(client, config.collection);
      if (info) problems = layoutProblems(config.collection, info, wanted);
    } catch (error) {
      if (!options.client) await closeClient(client);
      throw toStoreError(error, config, "open collection");
    }
    const store = new FolioStore(config, embeddings, client, wanted, options);
    store.problems = problems;
    return store;
  }

  /**
   * A collection built with another embedding setup still opens (so `folio reset`, listing and
   * deleting work), but searching it raises the VectorConfigMismatchError, and so does writing
   * to it unless it holds no points: an empty collection is rebuilt for the current setup.
   */
  private async checkWritable(): Promise<void> {
    if (!this.problems.write) return;
    this.repairing ??= (async () => {
      try {
        const exists = await collectionExists(this.client, this.collection);
        if (exists && (await this.client.count(this.collection, { exact: true })).count > 0 && this.problems.write) throw this.problems.write;
        if (exists) await this.client.deleteCollection(this.collection);
        this.points.resetCollectionState();
        this.problems = { read: null, write: null };
      } finally {
        this.repairing = null;
      }
    })();
    await this.repairing;
  }

  /** Deletes the collection and its registry (everything stored); the next write recreates them for the current setup. */
  async drop(): Promise<void> {
    await this.guard("drop collection", async () => {
      const exists = await collectionExists(this.client, this.collection);
      const used = exists ? await imageIdsOf(this.client, this.collection, undefined) : new Set<string>();
      for (const name of [this.collection, this.registry]) {
        if (await collectionExists(this.client, name)) await this.client.deleteCollection(name);
      }
      await removeUnusedImages(this.client, this.images, used);
      this.points.resetCollectionState();
      this.problems = { read: null, write: null };
    });
  }

  private async guard<T>(action: string, run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new InputError("The store is closed.", "Open it again with openFolioStore().");
    try {
      return await run();
    } catch (error) {
      throw toStoreError(error, this.config, action);
    }
  }

  // ---- registry -------------------------------------------------------------------------------

  async getDocument(docId: string): Promise<DocumentRecord | null> {
    return this.guard("read document record", async () => {
      if (!(await collectionExists(this.client, this.registry))) return null;
      const [point] = await this.client.retrieve(this.registry, { ids: [documentPointId(docId)], with_payload: true, with_vector: false });
      const parsed = DocumentRecordSchema.safeParse(point?.payload);
      return parsed.success ? parsed.data : null;
    });
  }

  async listDocuments(): Promise<DocumentRecord[]> {
    return this.guard("list documents", async () => {
      if (!(await collectionExists(this.client, this.registry))) return [];
      const records: DocumentRecord[] = [];
      let offset: Schemas["ExtendedPointId"] | undefined;
      do {
        const page = await this.client.scroll(this.registry, { limit: 256, with_payload: true, with_vector: false, ...(offset !== undefined ? { offset } : {}) });
        for (const point of page.points) {
          const parsed = DocumentRecordSchema.safeParse(point.payload);
          if (parsed.success) records.push(parsed.data);
        }
        const next = page.next_page_offset;
        offset = typeof next === "string" || typeof next === "number" ? next : undefined;
      } while (offset !== undefined);
      return records.sort((a, b) => a.docId.localeCompare(b.docId));
    });
  }

  /**
   * Records more paths at which a stored document's very bytes were found (its `alsoAt`), so one
   * document stands for every copy. Returns false when the document is not stored.
   */
  async addAlsoAt(docId: string, paths: readonly string[]): Promise<boolean> {
    return this.guard("record the other paths of a document", async () => {
      const record = await this.getDocument(docId);
      if (!record) return false;
      const known = new Set([record.source, ...(record.alsoAt ?? [])]);
      const added = [...new Set(paths)].filter((p) => !known.has(p));
      if (added.length === 0) return true;
      const updated = DocumentRecordSchema.parse({ ...record, alsoAt: [...(record.alsoAt ?? []), ...added].sort() });
      await this.client.upsert(this.registry, { wait: true, points: [{ id: documentPointId(docId), vector: [1], payload: updated }] });
      return true;
    });
  }

  /** Deletes a document's registry record; `registryExists` skips the check when the caller just ensured the registry. */
  private async deleteRecord(docId: string, registryExists = false): Promise<void> {
    if (registryExists || (await collectionExists(this.client, this.registry))) {
      await this.client.delete(this.registry, { wait: true, points: [documentPointId(docId)] });
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  /**
   * Order matters for crash safety: (1) drop the registry record, so an interrupted put never looks
   * complete; (2) upsert the new points under deterministic ids (a rerun overwrites them); (3) delete
   * the document's points that are not in the new set (old or changed chunks); (4) write the record.
   */
  async putDocument(document: DocumentInput, chunks: ChunkInput[], onProgress?: (done: number, total: number) => void): Promise<DocumentRecord> {
    return this.putEmbedded(document, this.embedChunks(document.docId, chunks), onProgress);
  }

  embedChunks(docId: string, chunks: ChunkInput[]): EmbeddedDocument {
    const prepared = this.prepareChunks(docId, chunks);
    return { docId, pointIds: prepared.map((p) => p.id), total: prepared.length, batches: this.vectorizer.batches(prepared) };
  }

  /** What storing these chunks would send to the embeddings provider and take in the store, with nothing sent. */
  estimateChunks(docId: string, chunks: ChunkInput[], seen: Set<string> = new Set()): Promise<DocumentCost> {
    return this.vectorizer.estimate(this.prepareChunks(docId, chunks), seen);
  }

  /** The embeddings provider's running usage (tokens the server counted, requests, cache), or null without one. */
  embeddingUsage(): EmbeddingUsage | null {
    const usage = this.embeddings?.usage;
    return usage ? { ...usage } : null;
  }

  async putEmbedded(document: DocumentInput, embedded: EmbeddedDocument, onProgress?: (done: number, total: number) => void): Promise<DocumentRecord> {
    const docId = document.docId;
    if (embedded.docId !== docId) throw new InputError(`The embedded points belong to "${embedded.docId}", not "${docId}".`, "Pass the points embedChunks made for this document.");
    return this.guard("store document", async () => {
      await this.checkWritable();
      await this.points.ensureCollection();
      await this.deleteRecord(docId, true);
      let done = 0;
      onProgress?.(0, embedded.total);
      for await (const batch of embedded.batches) {
        await this.points.upsert(batch);
        done += batch.length;
        onProgress?.(done, embedded.total);
      }
      await this.deleteStalePoints(docId, embedded.pointIds);
      const record = DocumentRecordSchema.parse({ ...document, ingestedAt: new Date().toISOString(), embeddingSignature: this.embeddingSignature });
      await this.client.upsert(this.registry, { wait: true, points: [{ id: documentPointId(docId), vector: [1], payload: record }] });
      return record;
    });
  }

  /** Validates metadata, derives deterministic ids and drops exact duplicates (same id). */
  private prepareChunks(docId: string, chunks: ChunkInput[]): Array<{ id: string; text: string; metadata: ChunkMetadata; image?: ImageInput }> {
    const byId = new Map<string, { id: string; text: string; metadata: ChunkMetadata; image?: ImageInput }>();
    for (const [i, chunk] of chunks.entries()) {
      const parsed = ChunkMetadataSchema.safeParse(chunk.metadata);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
        throw new InputError(`Chunk ${i} of "${docId}" has invalid metadata: ${detail}`, "This is a bug in the caller building chunks; metadata must follow ChunkMetadataSchema.");
      }
      if (parsed.data.docId !== docId) {
        throw new InputError(`Chunk ${i} belongs to "${parsed.data.docId}", not "${docId}".`, "Pass only the chunks of the document being stored.");
      }
      const id = chunkPointId(docId, parsed.data.kind, parsed.data.chunkIndex, chunk.text);
      const image = chunk.image ?? (parsed.data.kind !== "text" && parsed.data.imageId ? this.images.pathOf(parsed.data.imageId) : undefined);
      byId.set(id, { id, text: chunk.text, metadata: parsed.data, ...(image !== undefined ? { image } : {}) });
    }
    return [...byId.values()].sort((a, b) => a.metadata.chunkIndex - b.metadata.chunkIndex);
  }

  /** Deletes the document's points not in `keep`, and the images only they used. */
  private async deleteStalePoints(docId: string, keep: string[]): Promise<void> {
    const filter: QdrantFilter = { ...docIdFilter(docId), ...(keep.length ? { must_not: [{ has_id: keep }] } : {}) };
    const used = await imageIdsOf(this.client, this.collection, filter);
    await this.client.delete(this.collection, { wait: true, filter });
    await removeUnusedImages(this.client, this.images, used);
  }

  async deleteDocument(docId: string): Promise<void> {
    await this.guard("delete document", async () => {
      // Record first: a crash in between leaves points without a record, which a re-put cleans up.
      await this.deleteRecord(docId);
      if (await collectionExists(this.client, this.collection)) {
        const used = await imageIdsOf(this.client, this.collection, docIdFilter(docId));
        await this.client.delete(this.collection, { wait: true, filter: docIdFilter(docId) });
        await removeUnusedImages(this.client, this.images, used);
      }
    });
  }

  // ---- reads ----------------------------------------------------------------------------------

  async count(filters?: SearchRequest["filters"]): Promise<number> {
    return this.guard("count", async () => {
      if (!(await collectionExists(this.client, this.collection))) return 0;
      const filter = filters ? buildFilter(filters) : undefined;
      const { count } = await this.client.count(this.collection, { exact: true, ...(filter ? { filter } : {}) });
      return count;
    });
  }

  async getChunk(id: string): Promise<SearchHit | null> {
    if (!isValidPointId(id)) return null;
    return this.guard("read chunk", async () => {
      const [point] = await this.points.retrieve([id]);
      return point ? toHit(point, 0) : null;
    });
  }

  async find(filters: SearchFilters, limit: number): Promise<SearchHit[]> {
    return this.guard("find points", async () => {
      if (!(await collectionExists(this.client, this.collection))) return [];
      const page = await this.client.scroll(this.collection, { limit, filter: buildFilter(filters), with_payload: true, with_vector: false });
      return page.points.map((point) => toHit(this.points.toStored(point), 0));
    });
  }

  private resolveMode(requested: SearchMode | undefined): SearchMode {
    const configured = this.config.search.mode === "auto" ? undefined : this.config.search.mode;
    const mode = requested ?? configured ?? (this.capabilities.dense ? "hybrid" : "sparse");
    if (mode !== "sparse" && !this.capabilities.dense) {
      throw new UnsupportedFeatureError(`${mode} search without dense embeddings`, DENSE_UNAVAILABLE_HINT);
    }
    return mode;
  }

  async search(request: SearchRequest): Promise<SearchHit[]> {
    const text = request.text?.trim() ? request.text.trim() : undefined;
    const image = request.image;
    if (!text && image === undefined) throw new InputError("A search needs text, an image, or both.", "Give a question or an image.");
    const k = request.k ?? this.config.search.topK;
    if (!Number.isInteger(k) || k < 1) throw new InputError(`k must be a positive integer, got ${k}.`, "Ask for 1 or more hits.");
    if (image !== undefined && !this.capabilities.images) throw new UnsupportedFeatureError(IMAGE_SEARCH_UNAVAILABLE, "Set JINA_API_KEY, or JINA_BASE_URL to a self-hosted endpoint speaking Jina's format (JINA_FORMAT=jina); OpenAI-format endpoints are text only.");
    if (request.rerankWithMultivector && !this.capabilities.multivector) {
      throw new UnsupportedFeatureError("multi-vector re-scoring (no multi-vectors are stored)", "Set FOLIO_MULTIVECTOR=true with a Jina endpoint and re-ingest into a new collection (FOLIO_COLLECTION) or after `folio reset`.");
    }
    const mode = image !== undefined ? (text ? "hybrid" : "dense") : this.resolveMode(request.mode);
    // Multi-vectors exist for figures and pages only: re-scoring ranks those.
    const extra = request.rerankWithMultivector ? [{ key: "metadata.kind", match: { any: ["figure", "page"] } }] : [];
    const filter = buildFilter(request.filters, extra);

    return this.guard("search", async () => {
      if (this.problems.read) {
        // Nothing stored under the old setup: "ingest first" is the useful answer (ingest rebuilds it).
        const empty = !(await collectionExists(this.client, this.collection)) || (await this.client.count(this.collection, { exact: true })).count === 0;
        if (empty) throw new EmptyStoreError(this.collection);
        throw this.problems.read;
      }
      if (!(await this.points.collectionReady())) throw new EmptyStoreError(this.collection);
      const vectors = await this.vectorizer.query({ text, image, mode, multivector: Boolean(request.rerankWithMultivector) });
      const query: FolioQuery = { mode, k, filter, ...(request.mmr ? { mmr: request.mmr } : {}), ...vectors };
      const results = await this.points.query(query);
      if (results.length === 0) {
        const { count } = await this.client.count(this.collection, { exact: true });
        if (count === 0) throw new EmptyStoreError(this.collection);
      }
      return results.map((point) => toHit(point, point.score));
    });
  }

  async lockForWriting(label: string, onWait?: (message: string) => void): Promise<() => void> {
    const client = this.client;
    if (!(client instanceof LocalQdrantClient) || this.config.qdrant.mode !== "embedded") return () => undefined; // a server orders writes itself
    return client.lockForWriting({ label, timeoutMs: this.config.qdrant.writerWaitMs, ...(onWait ? { onWait } : {}) });
  }

  async optimize(): Promise<string | null> {
    const threshold = this.config.store.int8FromPoints;
    const quantizing = this.capabilities.dense && threshold > 0;
    if (this.config.qdrant.mode !== "server" && !quantizing) return null;
    return this.guard("optimize", async () => {
      // One read of the collection serves both upkeeps.
      const info = await getCollectionInfo(this.client, this.collection);
      if (!info) return null;
      const notices = [await this.repairIndexing(info), quantizing ? await this.quantizeOnceLarge(info, threshold) : null].filter((m): m is string => m !== null);
      return notices.length ? notices.join(" ") : null;
    });
  }

  private async quantizeOnceLarge(info: Schemas["CollectionInfo"], threshold: number): Promise<string | null> {
    const points = info.points_count ?? 0;
    if (info.config.quantization_config || points < threshold) return null;
    await this.client.updateCollection(this.collection, { quantization_config: INT8_QUANTIZATION });
    if (this.client instanceof LocalQdrantClient) await this.client.compact(this.collection);
    return `Dense vectors are now also kept as int8 (${points.toLocaleString("en")} points, FOLIO_INT8_FROM_POINTS=${threshold.toLocaleString("en")}): a quarter of the memory; the top results are rescored from the float vectors.`;
  }

  get bulkLoadFrom(): number {
    const q = this.config.qdrant;
    return q.mode === "server" ? q.cluster.bulkDocuments : 0;
  }

  async beginBulkLoad(): Promise<() => Promise<string | null>> {
    const q = this.config.qdrant;
    if (q.mode !== "server") return async () => null;
    const previous = await this.guard("bulk load", async () => {
      await this.points.ensureCollection();
      const info = await getCollectionInfo(this.client, this.collection);
      const now = info?.config.optimizer_config.indexing_threshold;
      await this.client.updateCollection(this.collection, { optimizers_config: { indexing_threshold: 0 } });
      // 0 already: another shard's bulk load, or one that never ended; either way the configured value comes back.
      return typeof now === "number" && now > 0 ? now : q.cluster.indexingThreshold;
    });
    return () => this.restoreIndexing(previous);
  }

  /** A server collection left with indexing off (a bulk load that was killed) gets it back after the next ingest. */
  private async repairIndexing(info: Schemas["CollectionInfo"]): Promise<string | null> {
    const q = this.config.qdrant;
    if (q.mode !== "server" || info.config.optimizer_config.indexing_threshold !== 0) return null;
    return (await this.restoreIndexing(q.cluster.indexingThreshold)) ?? `HNSW indexing of "${this.collection}" was off (a bulk load that did not end): it is back on, at indexing_threshold ${q.cluster.indexingThreshold}.`;
  }

  /** Turns HNSW indexing back on; a failure is reported, not thrown (the documents are stored). */
  private async restoreIndexing(threshold: number): Promise<string | null> {
    let last: unknown;
    for (let attempt = 0; attempt < RESTORE_ATTEMPTS; attempt++) {
      try {
        await this.client.updateCollection(this.collection, { optimizers_config: { indexing_threshold: threshold } });
        return null;
      } catch (error) {
        last = error;
      }
    }
    return `HNSW indexing of "${this.collection}" is still off after the bulk load (${redact(errorDetail(last), this.config.secrets)}): searches scan every point until it is back. The next ingest turns it back on, or PATCH /collections/${this.collection} with {"optimizers_config": {"indexing_threshold": ${threshold}}}.`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A client passed in by the caller is the caller's to close.
    if (!this.options.client) await closeClient(this.client);
  }
}

interface LayoutProblems {
  read: VectorConfigMismatchError | null;
  write: VectorConfigMismatchError | null;
}

function layoutProblems(collection: string, info: Schemas["CollectionInfo"], wanted: CollectionLayout): LayoutProblems {
  const attempt = (forWrite: boolean): VectorConfigMismatchError | null => {
    try {
      checkLayout(collection, info, wanted, forWrite);
      return null;
    } catch (error) {
      if (error instanceof VectorConfigMismatchError) return error;
      throw error;
    }
  };
  return { read: attempt(false), write: attempt(true) };
}

/** Text to embed for a figure or page without an image: its text, else its caption or title. */
function toHit(point: StoredPoint, score: number): SearchHit {
  const parsed = ChunkMetadataSchema.safeParse(point.metadata);
  // Points written by other LangChain code may lack Folio's fields: pass their metadata through
  // (without the score and point id LangChain's Documents carry in their metadata).
  const metadata = parsed.success ? parsed.data : (Object.fromEntries(Object.entries(point.metadata).filter(([key]) => key !== "score" && key !== "pointId")) as ChunkMetadata);
  return { id: point.id, score, text: point.text, metadata };
}

async function closeClient(client: QdrantClient): Promise<void> {
  const closable = client as unknown as { close?: () => unknown };
  if (typeof closable.close === "function") await closable.close();
}

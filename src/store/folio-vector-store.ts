/**
 * `FolioVectorStore`: a `QdrantVectorStore` (so LangChain code keeps working) over Folio's named
 * vectors: dense, sparse BM25 and hybrid retrieval fused by RRF in one Qdrant query, optional
 * late-interaction re-scoring with the multi-vector, and MMR with LangChain's meaning of lambda.
 * The points and queries themselves are `FolioPoints` (points.ts, no LangChain): this class adds
 * LangChain's interfaces and Documents, and is loaded only by code that asks for them.
 */
import { QdrantVectorStore, type QdrantLibArgs } from "@langchain/qdrant";
import { Document } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { MaxMarginalRelevanceSearchOptions } from "@langchain/core/vectorstores";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { v4 as uuidv4, v5 as uuidv5 } from "uuid";
import { Bm25Encoder } from "../embeddings/bm25.js";
import { UnsupportedFeatureError } from "../errors.js";
import type { CollectionLayout } from "./collection.js";
import type { QdrantFilter } from "./filters.js";
import { FOLIO_ID_NAMESPACE, isValidPointId } from "./ids.js";
import { DENSE_UNAVAILABLE_HINT, FolioPoints, type FolioPoint, type FolioQuery, type StoredPoint } from "./points.js";
import type { SearchMode } from "./types.js";
import { textQueryVectors } from "./vectors.js";

export { DENSE_UNAVAILABLE_HINT, buildQueryRequest, type FolioPoint, type FolioQuery } from "./points.js";

/**
 * Stands in for dense embeddings when Folio runs on BM25 alone: LangChain's VectorStore needs an
 * Embeddings object, but nothing dense may ever be computed.
 */
export class SparseOnlyEmbeddings implements EmbeddingsInterface {
  async embedQuery(_text: string): Promise<number[]> {
    throw new UnsupportedFeatureError("dense embeddings (this store runs on BM25 only)", DENSE_UNAVAILABLE_HINT);
  }
  async embedDocuments(_texts: string[]): Promise<number[][]> {
    throw new UnsupportedFeatureError("dense embeddings (this store runs on BM25 only)", DENSE_UNAVAILABLE_HINT);
  }
}

export interface FolioVectorStoreArgs extends QdrantLibArgs {
  /** Named vectors of the collection; when absent the dense size is found by embedding a probe text. */
  layout?: CollectionLayout;
  bm25?: Bm25Encoder;
  /** How text queries run through LangChain's interfaces (default: hybrid with dense, else sparse). */
  retrievalMode?: SearchMode;
  /** Candidates per prefetch for fusion and re-scoring (default max(4k, 20)). */
  prefetchLimit?: number;
  /** The collection's points as another owner (a FolioStore) holds them: shares its collection state. */
  points?: FolioPoints;
}

export class FolioVectorStore extends QdrantVectorStore {
  declare FilterType: QdrantFilter;
  readonly bm25: Bm25Encoder;
  retrievalMode: SearchMode | undefined;
  readonly prefetchLimit: number | undefined;
  /** The points, queries and collection state (creating it, knowing it exists). */
  readonly points: FolioPoints;
  private layout: CollectionLayout | undefined;

  constructor(embeddings: EmbeddingsInterface | null, args: FolioVectorStoreArgs) {
    super(embeddings ?? new SparseOnlyEmbeddings(), args);
    this.bm25 = args.points?.bm25 ?? args.bm25 ?? new Bm25Encoder();
    this.layout = args.layout ?? (embeddings === null || embeddings instanceof SparseOnlyEmbeddings ? { dense: null, multivector: false } : undefined);
    this.retrievalMode = args.retrievalMode;
    this.prefetchLimit = args.points?.prefetchLimit ?? args.prefetchLimit;
    this.points =
      args.points ??
      new FolioPoints(this.client, this.collectionName, {
        layout: () => this.resolveLayout(),
        bm25: this.bm25,
        prefetchLimit: this.prefetchLimit,
        contentPayloadKey: this.contentPayloadKey,
        metadataPayloadKey: this.metadataPayloadKey,
      });
  }

  override _vectorstoreType(): string {
    return "folio-qdrant";
  }

  /** Whether the collection has (or will have) dense vectors. */
  get hasDense(): boolean {
    return this.layout ? this.layout.dense !== null : !(this.embeddings instanceof SparseOnlyEmbeddings);
  }

  private async resolveLayout(): Promise<CollectionLayout> {
    if (!this.layout) this.layout = { dense: (await this.embeddings.embedQuery("test")).length, multivector: false };
    return this.layout;
  }

  /** Creates the collection (named vectors, payload indexes, registry) when missing; refuses a mismatched one. */
  override async ensureCollection(): Promise<void> {
    await this.points.ensureCollection();
  }

  /** Whether the collection exists (reads never create it). */
  async collectionReady(): Promise<boolean> {
    return this.points.collectionReady();
  }

  /** Forget cached collection state (after the collection was dropped or recreated elsewhere). */
  resetCollectionState(): void {
    this.points.resetCollectionState();
  }

  /** Upserts points with named vectors (dense, multivector, bm25), waiting until they are stored. */
  async upsertPoints(points: FolioPoint[]): Promise<void> {
    await this.points.upsert(points);
  }

  private pointsFromDocuments(documents: Document[], dense: number[][] | null, ids?: string[]): FolioPoint[] {
    return documents.map((doc, i) => {
      const given = doc.id ?? ids?.[i];
      return {
        // Qdrant takes only UUIDs and integers: another id becomes a UUID v5 of it, so re-adding it overwrites.
        id: given ? (isValidPointId(given) ? given : uuidv5(given, FOLIO_ID_NAMESPACE)) : uuidv4(),
        text: doc.pageContent,
        metadata: doc.metadata,
        ...(dense ? { dense: dense[i] } : {}),
      };
    });
  }

  override async addDocuments(documents: Document[], options?: { ids?: string[] }): Promise<void> {
    if (documents.length === 0) return;
    await this.ensureCollection();
    const dense = this.hasDense ? await this.embeddings.embedDocuments(documents.map((d) => d.pageContent)) : null;
    await this.upsertPoints(this.pointsFromDocuments(documents, dense, options?.ids));
  }

  override async addVectors(vectors: number[][], documents: Document[], options?: { ids?: string[] }): Promise<void> {
    if (vectors.length === 0) return;
    await this.ensureCollection();
    if (!this.hasDense) throw new UnsupportedFeatureError("adding dense vectors to a BM25-only collection", DENSE_UNAVAILABLE_HINT);
    await this.upsertPoints(this.pointsFromDocuments(documents, vectors, options?.ids));
  }

  /** Runs one Folio query; results carry the score and point id in their metadata. */
  async folioQuery(q: FolioQuery): Promise<Array<[Document, number]>> {
    const points = await this.points.query(q);
    return points.map((point) => [documentOf(point, point.score), point.score]);
  }

  toDocument(point: { id: string | number; score?: number; payload?: Record<string, unknown> | null }): Document {
    return documentOf(this.points.toStored(point), point.score);
  }

  /** The mode LangChain-facing text searches use. */
  defaultMode(): SearchMode {
    return this.retrievalMode ?? (this.hasDense ? "hybrid" : "sparse");
  }

  private async textQuery(text: string, mode: SearchMode): Promise<Pick<FolioQuery, "dense" | "sparse">> {
    if (mode !== "sparse" && !this.hasDense) {
      throw new UnsupportedFeatureError(`${mode} search on a BM25-only store`, DENSE_UNAVAILABLE_HINT);
    }
    return textQueryVectors(this.embeddings, this.bm25, text, mode);
  }

  /** Dense search with a vector (LangChain's primitive), on the named `dense` vector. */
  override async similaritySearchVectorWithScore(query: number[], k: number, filter?: QdrantFilter): Promise<Array<[Document, number]>> {
    if (!query || query.length === 0) return [];
    if (!this.hasDense) throw new UnsupportedFeatureError("vector search on a BM25-only store", DENSE_UNAVAILABLE_HINT);
    return this.folioQuery({ mode: "dense", k, dense: query, filter });
  }

  /** Text search in the store's retrieval mode (hybrid, dense or sparse). */
  override async similaritySearchWithScore(query: string, k = 4, filter?: QdrantFilter, _callbacks?: Callbacks): Promise<Array<[Document, number]>> {
    const mode = this.defaultMode();
    return this.folioQuery({ mode, k, filter, ...(await this.textQuery(query, mode)) });
  }

  override async similaritySearch(query: string, k = 4, filter?: QdrantFilter, callbacks?: Callbacks): Promise<Document[]> {
    return (await this.similaritySearchWithScore(query, k, filter, callbacks)).map(([doc]) => doc);
  }

  /**
   * MMR with LangChain's lambda (1 = relevance only, 0 = most diverse). @langchain/qdrant passes lambda
   * as Qdrant's `diversity`, which means the opposite; here diversity = 1 - lambda.
   */
  override async maxMarginalRelevanceSearch(query: string, options: MaxMarginalRelevanceSearchOptions<this["FilterType"]>, _callbacks?: Callbacks): Promise<Document[]> {
    if (!query) return [];
    const mode = this.hasDense ? "dense" : "sparse";
    const vectors = await this.textQuery(query, mode);
    const results = await this.folioQuery({
      mode,
      k: options.k,
      filter: options.filter,
      mmr: { lambda: options.lambda ?? 0.5, fetchK: options.fetchK ?? 20 },
      ...vectors,
    });
    return results.map(([doc]) => doc);
  }

  /** Points by id (payload only). */
  async getPoints(ids: string[]): Promise<Document[]> {
    return (await this.points.retrieve(ids)).map((point) => documentOf(point));
  }

  static override async fromTexts(texts: string[], metadatas: object[] | object, embeddings: EmbeddingsInterface, dbConfig: FolioVectorStoreArgs): Promise<FolioVectorStore> {
    const docs = texts.map((text, i) => new Document({ pageContent: text, metadata: (Array.isArray(metadatas) ? metadatas[i] : metadatas) ?? {} }));
    return FolioVectorStore.fromDocuments(docs, embeddings, dbConfig);
  }

  static override async fromDocuments(docs: Document[], embeddings: EmbeddingsInterface, dbConfig: FolioVectorStoreArgs): Promise<FolioVectorStore> {
    const store = new FolioVectorStore(embeddings, dbConfig);
    await store.addDocuments(docs);
    return store;
  }

  static override async fromExistingCollection(embeddings: EmbeddingsInterface, dbConfig: FolioVectorStoreArgs): Promise<FolioVectorStore> {
    const store = new FolioVectorStore(embeddings, dbConfig);
    await store.ensureCollection();
    return store;
  }
}

/** A point as a LangChain Document: its score (when it has one) and point id in the metadata. */
function documentOf(point: StoredPoint, score?: number): Document {
  return new Document({
    id: point.id,
    pageContent: point.text,
    metadata: { ...point.metadata, ...(score !== undefined ? { score } : {}), pointId: point.id },
  });
}

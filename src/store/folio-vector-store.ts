/**
 * `FolioVectorStore`: a `QdrantVectorStore` (so LangChain code keeps working) over Folio's named
 * vectors: dense, sparse BM25 and hybrid retrieval fused by RRF in one Qdrant query, optional
 * late-interaction re-scoring with the multi-vector, and MMR with LangChain's meaning of lambda.
 */
import type { Schemas } from "@qdrant/js-client-rest";
import { QdrantVectorStore, type QdrantLibArgs } from "@langchain/qdrant";
import { Document } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { MaxMarginalRelevanceSearchOptions } from "@langchain/core/vectorstores";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { v4 as uuidv4, v5 as uuidv5 } from "uuid";
import { Bm25Encoder } from "../embeddings/bm25.js";
import type { SparseVector } from "../embeddings/types.js";
import { UnsupportedFeatureError } from "../errors.js";
import { DENSE_VECTOR, MULTI_VECTOR, SPARSE_VECTOR, collectionExists, ensureFolioCollections, type CollectionLayout } from "./collection.js";
import type { QdrantFilter } from "./filters.js";
import { FOLIO_ID_NAMESPACE, isValidPointId } from "./ids.js";
import type { SearchMode } from "./types.js";
import { textQueryVectors } from "./vectors.js";

export const DENSE_UNAVAILABLE_HINT = "Dense and hybrid search need Jina embeddings: set JINA_API_KEY, or JINA_BASE_URL for a self-hosted endpoint.";

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

/** One point as Folio writes it. */
export interface FolioPoint {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
  dense?: number[];
  multivector?: number[][];
  /** Computed from `text` when absent. */
  sparse?: SparseVector;
}

export interface FolioVectorStoreArgs extends QdrantLibArgs {
  /** Named vectors of the collection; when absent the dense size is found by embedding a probe text. */
  layout?: CollectionLayout;
  bm25?: Bm25Encoder;
  /** How text queries run through LangChain's interfaces (default: hybrid with dense, else sparse). */
  retrievalMode?: SearchMode;
  /** Candidates per prefetch for fusion and re-scoring (default max(4k, 20)). */
  prefetchLimit?: number;
}

/** Everything one Qdrant query can combine. */
export interface FolioQuery {
  mode: SearchMode;
  k: number;
  /** Text dense query vector (dense and hybrid). */
  dense?: number[];
  /** Image dense query vector: dense-only, or fused with the text when there is text too. */
  image?: number[];
  /** BM25 query vector (sparse and hybrid). */
  sparse?: SparseVector;
  filter?: QdrantFilter;
  /** Re-score the candidates with this late-interaction query. */
  multivector?: number[][];
  /** LangChain's lambda: 1 = relevance only, 0 = diversity only. */
  mmr?: { lambda: number; fetchK?: number };
  prefetchLimit?: number;
}

type Leaf = { query: number[] | SparseVector; using: string };

function hasTerms(sparse: SparseVector | undefined): sparse is SparseVector {
  return Boolean(sparse && sparse.indices.length > 0);
}

/** The leaves (single-vector searches) a query runs: what `mode` asks for, among the vectors given. */
function leavesOf(q: FolioQuery): Leaf[] {
  const leaves: Leaf[] = [];
  if (q.image) leaves.push({ query: q.image, using: DENSE_VECTOR });
  if (q.mode !== "sparse" && q.dense) leaves.push({ query: q.dense, using: DENSE_VECTOR });
  if (q.mode !== "dense" && hasTerms(q.sparse)) leaves.push({ query: q.sparse, using: SPARSE_VECTOR });
  return leaves;
}

/**
 * Builds ONE Qdrant query request: a single search, an RRF fusion of prefetches, a multi-vector
 * re-scoring of those candidates, or an MMR selection. Null when there is nothing to search with
 * (e.g. a sparse query made only of stop words).
 */
export function buildQueryRequest(q: FolioQuery): Schemas["QueryRequest"] | null {
  const leaves = leavesOf(q);
  if (leaves.length === 0) return null;
  const prefetchLimit = Math.max(q.prefetchLimit ?? Math.max(4 * q.k, 20), q.k);
  const base = { filter: q.filter, limit: q.k, with_payload: true, with_vector: false } as const;

  // No filter on the prefetches: Qdrant applies the request's top-level filter in every leaf prefetch
  // (so does the embedded client, local/query.ts), and a copy here made each candidate pass it twice.
  const prefetchOf = (leaf: Leaf, limit: number): Schemas["Prefetch"] => ({ query: leaf.query, using: leaf.using, limit, ...searchParams(leaf) });
  const mmrOf = (vector: Leaf["query"] | number[][], mmr: NonNullable<FolioQuery["mmr"]>) => {
    const lambda = Math.min(1, Math.max(0, mmr.lambda));
    return { nearest: vector, mmr: { diversity: 1 - lambda, candidates_limit: Math.max(mmr.fetchK ?? 20, q.k) } };
  };

  if (q.mmr && !q.multivector) {
    // MMR needs one vector space: the image, else the text's dense vector, else BM25.
    const leaf = leaves[0] as Leaf;
    return { ...base, query: mmrOf(leaf.query, q.mmr), using: leaf.using, ...searchParams(leaf) };
  }

  let candidates: Schemas["Prefetch"] | null = null;
  if (leaves.length > 1) {
    candidates = { prefetch: leaves.map((leaf) => prefetchOf(leaf, prefetchLimit)), query: { fusion: "rrf" }, limit: prefetchLimit };
  }
  if (q.multivector) {
    const prefetch = candidates ?? prefetchOf(leaves[0] as Leaf, prefetchLimit);
    // Re-scoring the candidates, with MMR in the multi-vector space when asked for.
    return { ...base, prefetch, query: q.mmr ? mmrOf(q.multivector, q.mmr) : q.multivector, using: MULTI_VECTOR };
  }
  if (candidates) return { ...base, prefetch: candidates.prefetch, query: { fusion: "rrf" } };
  const leaf = leaves[0] as Leaf;
  return { ...base, query: leaf.query, using: leaf.using, ...searchParams(leaf) };
}

/**
 * Dense searches ask for int8 candidates rescored from the float originals, twice as many as
 * kept: what a quantized collection needs for exact-quality top-k; ignored where not quantized.
 */
const QUANTIZED_DENSE_SEARCH = { quantization: { rescore: true, oversampling: 2 } } as const;

function searchParams(leaf: Leaf): { params?: Schemas["SearchParams"] } {
  return leaf.using === DENSE_VECTOR ? { params: QUANTIZED_DENSE_SEARCH } : {};
}

export class FolioVectorStore extends QdrantVectorStore {
  declare FilterType: QdrantFilter;
  readonly bm25: Bm25Encoder;
  retrievalMode: SearchMode | undefined;
  readonly prefetchLimit: number | undefined;
  private layout: CollectionLayout | undefined;
  private ensured: Promise<CollectionLayout> | null = null;
  private seenCollection = false;

  constructor(embeddings: EmbeddingsInterface | null, args: FolioVectorStoreArgs) {
    super(embeddings ?? new SparseOnlyEmbeddings(), args);
    this.bm25 = args.bm25 ?? new Bm25Encoder();
    this.layout = args.layout ?? (embeddings === null || embeddings instanceof SparseOnlyEmbeddings ? { dense: null, multivector: false } : undefined);
    this.retrievalMode = args.retrievalMode;
    this.prefetchLimit = args.prefetchLimit;
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
    if (!this.ensured) {
      this.ensured = this.resolveLayout().then((layout) => ensureFolioCollections(this.client, this.collectionName, layout));
      this.ensured.catch(() => {
        this.ensured = null;
      });
    }
    await this.ensured;
    this.seenCollection = true;
  }

  /** Whether the collection exists (reads never create it). */
  async collectionReady(): Promise<boolean> {
    if (this.seenCollection) return true;
    this.seenCollection = await collectionExists(this.client, this.collectionName);
    return this.seenCollection;
  }

  /** Forget cached collection state (after the collection was dropped or recreated elsewhere). */
  resetCollectionState(): void {
    this.seenCollection = false;
    this.ensured = null;
  }

  /** Upserts points with named vectors (dense, multivector, bm25), waiting until they are stored. */
  async upsertPoints(points: FolioPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.ensureCollection();
    const rows = points.map((point) => {
      const vector: Record<string, number[] | number[][] | SparseVector> = {};
      if (point.dense) vector[DENSE_VECTOR] = point.dense;
      if (point.multivector && point.multivector.length > 0) vector[MULTI_VECTOR] = point.multivector;
      const sparse = point.sparse ?? this.bm25.embedDocument(point.text);
      // An empty sparse vector adds nothing and would count in the IDF's N.
      if (sparse.indices.length > 0) vector[SPARSE_VECTOR] = sparse;
      return { id: point.id, vector, payload: { [this.contentPayloadKey]: point.text, [this.metadataPayloadKey]: point.metadata } };
    });
    await this.client.upsert(this.collectionName, { wait: true, points: rows });
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
    const request = buildQueryRequest({ prefetchLimit: this.prefetchLimit, ...q });
    if (!request) return [];
    if (!(await this.collectionReady())) return [];
    const { points } = await this.client.query(this.collectionName, request);
    return points.map((point) => [this.toDocument(point), point.score]);
  }

  toDocument(point: { id: string | number; score?: number; payload?: Record<string, unknown> | null }): Document {
    const payload = point.payload ?? {};
    const metadata = (payload[this.metadataPayloadKey] ?? {}) as Record<string, unknown>;
    const content = payload[this.contentPayloadKey];
    return new Document({
      id: String(point.id),
      pageContent: typeof content === "string" ? content : "",
      metadata: { ...metadata, ...(point.score !== undefined ? { score: point.score } : {}), pointId: String(point.id) },
    });
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
    const valid = ids.filter((id) => isValidPointId(id));
    if (valid.length === 0 || !(await this.collectionReady())) return [];
    const points = await this.client.retrieve(this.collectionName, { ids: valid, with_payload: true, with_vector: false });
    return points.map((point) => this.toDocument({ id: point.id, payload: point.payload }));
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

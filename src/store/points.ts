/**
 * The Folio collection's points without LangChain: upserts with named vectors (dense, sparse BM25,
 * multi-vector) and ONE Qdrant query per search (a single search, RRF fusion, multi-vector
 * re-scoring, MMR). `FolioStore` searches through this directly, so a search never loads
 * @langchain/*; `FolioVectorStore` (the LangChain VectorStore) wraps the same class.
 */
import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import type { Bm25Encoder } from "../embeddings/bm25.js";
import type { SparseVector } from "../embeddings/types.js";
import { DENSE_VECTOR, MULTI_VECTOR, SPARSE_VECTOR, collectionExists, ensureFolioCollections, type ClusterLayout, type CollectionLayout } from "./collection.js";
import type { QdrantFilter } from "./filters.js";
import { isValidPointId } from "./ids.js";
import type { SearchMode } from "./types.js";

export const DENSE_UNAVAILABLE_HINT = "Dense and hybrid search need Jina embeddings: set JINA_API_KEY, or JINA_BASE_URL for a self-hosted endpoint.";

/** The payload keys of @langchain/qdrant (`{content, metadata}`), which Folio's points use too. */
export const CONTENT_PAYLOAD_KEY = "content";
export const METADATA_PAYLOAD_KEY = "metadata";

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

/** A point as read back: its id, text and metadata. */
export interface StoredPoint {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
}

/** A point a query found, with its score. */
export interface ScoredPoint extends StoredPoint {
  score: number;
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

export interface FolioPointsOptions {
  /** The collection's named vectors, or how to find them (e.g. by embedding a probe text) when first needed. */
  layout: () => Promise<CollectionLayout>;
  bm25: Bm25Encoder;
  /** Candidates per prefetch for fusion and re-scoring (default max(4k, 20)). */
  prefetchLimit?: number;
  contentPayloadKey?: string;
  metadataPayloadKey?: string;
  /** Shards, replicas, on-disk and quantization of a collection created on a server. */
  cluster?: ClusterLayout;
}

/** The points of one Folio collection on a Qdrant client (server or embedded). */
export class FolioPoints {
  readonly contentPayloadKey: string;
  readonly metadataPayloadKey: string;
  readonly bm25: Bm25Encoder;
  readonly prefetchLimit: number | undefined;
  private readonly layout: () => Promise<CollectionLayout>;
  private readonly cluster: ClusterLayout | undefined;
  private ensured: Promise<CollectionLayout> | null = null;
  private seenCollection = false;

  constructor(
    readonly client: QdrantClient,
    readonly collectionName: string,
    options: FolioPointsOptions,
  ) {
    this.layout = options.layout;
    this.cluster = options.cluster;
    this.bm25 = options.bm25;
    this.prefetchLimit = options.prefetchLimit;
    this.contentPayloadKey = options.contentPayloadKey ?? CONTENT_PAYLOAD_KEY;
    this.metadataPayloadKey = options.metadataPayloadKey ?? METADATA_PAYLOAD_KEY;
  }

  /** Creates the collection (named vectors, payload indexes, registry) when missing; refuses a mismatched one. */
  async ensureCollection(): Promise<void> {
    if (!this.ensured) {
      this.ensured = this.layout().then((layout) => ensureFolioCollections(this.client, this.collectionName, layout, this.cluster));
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
  async upsert(points: FolioPoint[]): Promise<void> {
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

  /** Runs one Folio query: the points with their scores, best first. */
  async query(q: FolioQuery): Promise<ScoredPoint[]> {
    const request = buildQueryRequest({ prefetchLimit: this.prefetchLimit, ...q });
    if (!request) return [];
    if (!(await this.collectionReady())) return [];
    const { points } = await this.client.query(this.collectionName, request);
    return points.map((point) => ({ ...this.toStored(point), score: point.score }));
  }

  /** Points by id (payload only). */
  async retrieve(ids: string[]): Promise<StoredPoint[]> {
    const valid = ids.filter((id) => isValidPointId(id));
    if (valid.length === 0 || !(await this.collectionReady())) return [];
    const points = await this.client.retrieve(this.collectionName, { ids: valid, with_payload: true, with_vector: false });
    return points.map((point) => this.toStored({ id: point.id, payload: point.payload }));
  }

  /** A Qdrant point's id, text and metadata (from this collection's payload keys). */
  toStored(point: { id: string | number; payload?: Record<string, unknown> | null }): StoredPoint {
    const payload = point.payload ?? {};
    const content = payload[this.contentPayloadKey];
    return { id: String(point.id), text: typeof content === "string" ? content : "", metadata: (payload[this.metadataPayloadKey] ?? {}) as Record<string, unknown> };
  }
}

/**
 * Retrieval for the chain: the store's search (hybrid when dense embeddings exist, else BM25),
 * references excluded unless asked for, then an optional second stage (jina-reranker-m0, or the
 * store's multi-vector re-scoring for figures and pages), then a relevance floor.
 */
import type { EmbeddingInput, ImageInput } from "../embeddings/types.js";
import { analyze } from "../store/index.js";
import type { FolioStoreApi, SearchFilters, SearchHit, SearchMode } from "../store/types.js";

/** What the chain needs from a reranker: `JinaReranker` fits. */
export interface Reranker {
  rerank(query: string | EmbeddingInput, documents: EmbeddingInput[], options?: { topN?: number; signal?: AbortSignal }): Promise<Array<{ index: number; relevanceScore: number }>>;
}

export interface RetrieveOptions {
  /** Candidates fetched per hit kept, when a reranker re-orders them. */
  rerankFetchFactor: number;
  /** Reranker scores below this are not relevant (jina-reranker-m0 scores are roughly 0..1). */
  minRerankScore: number;
  /** The store's search mode (default: the configuration's). */
  mode?: SearchMode;
  /**
   * Re-score with late-interaction multi-vectors on every search, not only on searches confined to
   * figures and pages: their multi-vector ranking is fused with the text ranking.
   */
  multivector?: boolean;
}

export const DEFAULT_RETRIEVE_OPTIONS: RetrieveOptions = { rerankFetchFactor: 3, minRerankScore: 0.05 };

export interface RetrieveInput {
  query: string;
  image?: ImageInput;
  filters?: SearchFilters;
  k: number;
  /** Cancels the reranker call (a closed connection, Ctrl-C). */
  signal?: AbortSignal;
}

export interface RetrieveResult {
  hits: SearchHit[];
  /** How the hits were ordered: "search", "reranker" or "multivector". */
  ranking: "search" | "reranker" | "multivector";
}

const IMAGE_KINDS = new Set(["figure", "page"]);

/** The relevance floor for text queries without dense vectors: a hit must share a topic term with the query. */
export function sharesTerms(query: string, text: string): boolean {
  const q = new Set(analyze(query));
  if (q.size === 0) return true;
  return analyze(text).some((t) => q.has(t));
}

export async function retrieve(store: FolioStoreApi, input: RetrieveInput, reranker: Reranker | undefined, options: RetrieveOptions = DEFAULT_RETRIEVE_OPTIONS): Promise<RetrieveResult> {
  const filters: SearchFilters = { ...input.filters, includeReferences: input.filters?.includeReferences ?? false };
  const text = input.query.trim() || undefined;
  const onlyImageKinds = Boolean(filters.kinds?.length && filters.kinds.every((k) => IMAGE_KINDS.has(k)));
  // Multi-vectors are stored for figures and pages only, so they re-score only searches confined to those.
  const useMultivector = !reranker && store.capabilities.multivector && (input.image !== undefined || onlyImageKinds);

  if (reranker && text) {
    const candidates = await store.search({ text, image: input.image, k: input.k * options.rerankFetchFactor, filters });
    if (candidates.length === 0) return { hits: [], ranking: "reranker" };
    const results = await reranker.rerank(text, candidates.map((h) => h.text || h.metadata.caption || h.metadata.title), { topN: input.k, signal: input.signal });
    const hits = results
      .filter((r) => r.relevanceScore >= options.minRerankScore && candidates[r.index])
      .map((r) => ({ ...candidates[r.index]!, score: r.relevanceScore }));
    return { hits, ranking: "reranker" };
  }

  const hits = await store.search({ text, image: input.image, k: input.k, filters, ...(useMultivector ? { rerankWithMultivector: true } : {}) });
  // Without dense vectors (BM25 only) and without an image, a hit that shares no term with the query is noise.
  const floor = !store.capabilities.dense && input.image === undefined && text ? hits.filter((h) => sharesTerms(text, `${h.text} ${h.metadata.title} ${h.metadata.figureLabel ?? ""}`)) : hits;
  return { hits: floor, ranking: useMultivector ? "multivector" : "search" };
}

/**
 * Retrieval for the chain: the question's named papers and elements (src/chat/papers.ts), the
 * store's search (hybrid when dense embeddings exist, else BM25) over the whole corpus and over the
 * named papers, the named figure or table records, then the lexical ranking stage
 * (src/chat/ranking.ts) or a reranker (jina-reranker-m0), and a relevance floor.
 */
import type { EmbeddingInput, ImageInput } from "../embeddings/types.js";
import { analyze } from "../store/index.js";
import { DEFAULT_RETRIEVE_OPTIONS as RETRIEVE_DEFAULTS } from "./retrieve-defaults.js";
import type { FolioStoreApi, SearchFilters, SearchHit, SearchMode } from "../store/types.js";
import { withGreekVariants } from "./answer-selection.js";
import { describeAssumption, PaperIndex, type PaperDirectory, type QuestionRefs } from "./papers.js";
import { mergeLists, rankCandidates, type Candidate } from "./ranking.js";

/** What the chain needs from a reranker: `JinaReranker` fits. */
export interface Reranker {
  /** What the reranker has used so far (the server's count), when it reports usage. */
  readonly usage?: { totalTokens: number; requests: number; retries: number };
  rerank(query: string | EmbeddingInput, documents: EmbeddingInput[], options?: { topN?: number; signal?: AbortSignal }): Promise<Array<{ index: number; relevanceScore: number }>>;
}

export interface RetrieveOptions {
  /** Candidates fetched per hit kept, for the ranking stage or the reranker. */
  rerankFetchFactor: number;
  /** Reranker scores below this are not relevant (jina-reranker-m0 scores are roughly 0..1). */
  minRerankScore: number;
  /** The store's search mode (default: the configuration's). */
  mode?: SearchMode;
  /**
   * Re-score with late-interaction multi-vectors on every search, not only on searches confined to
   * figures and pages: their multi-vector ranking is merged with the text ranking.
   */
  multivector?: boolean;
}

export const DEFAULT_RETRIEVE_OPTIONS: RetrieveOptions = { ...RETRIEVE_DEFAULTS };

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
  /** The papers and elements the question names. */
  refs?: QuestionRefs;
  /** Said to the user when the question's paper was ambiguous: which one was assumed. */
  assumption?: string;
}

const IMAGE_KINDS = new Set(["figure", "page"]);
/** Element records fetched per named element: the paper's own "Table 2", or the best few when no paper is named. */
const ELEMENT_RECORDS = 3;

/** The relevance floor for text queries without dense vectors: a hit must share a topic term with the query. */
export function sharesTerms(query: string, text: string): boolean {
  const q = new Set(analyze(query));
  if (q.size === 0) return true;
  return analyze(text).some((t) => q.has(t));
}

function intersect(a: string[] | undefined, b: string[]): string[] {
  return a ? a.filter((x) => b.includes(x)) : b;
}

/** The figure and table records the question names ("Table 2 of the ResNet paper"). */
async function elementRecords(store: FolioStoreApi, refs: QuestionRefs, filters: SearchFilters, docIds: string[]): Promise<SearchHit[]> {
  const labels = refs.elements.filter((e) => e.type === "figure" || e.type === "table").map((e) => e.label);
  // Without a named paper every paper has a "Figure 1": the search's own match on the caption decides.
  if (labels.length === 0 || docIds.length === 0 || (filters.kinds?.length && !filters.kinds.includes("figure"))) return [];
  const scope: SearchFilters = { ...filters, kinds: ["figure"], ...(docIds.length ? { docIds } : {}), qdrantFilter: { must: [...(filters.qdrantFilter ? [filters.qdrantFilter] : []), { key: "metadata.figureLabel", match: { any: labels } }] } };
  return store.find(scope, ELEMENT_RECORDS * labels.length);
}

async function textSearch(store: FolioStoreApi, input: RetrieveInput, filters: SearchFilters, fetch: number, options: RetrieveOptions, refs: QuestionRefs): Promise<SearchHit[][]> {
  const base = { text: withGreekVariants(input.query.trim()), image: input.image, k: fetch, ...(options.mode ? { mode: options.mode } : {}) };
  const lists = [await store.search({ ...base, filters })];
  const named = intersect(filters.docIds, refs.papers.map((p) => p.docId));
  if (named.length) lists.push(await store.search({ ...base, filters: { ...filters, docIds: named } }));
  if (options.multivector && store.capabilities.multivector) lists.push(await store.search({ ...base, filters, rerankWithMultivector: true }));
  return lists;
}

/**
 * A question that names several papers (a comparison) is answered from each: the best candidate of
 * every named paper is kept in the top k, in place of the lowest-ranked hits of the others.
 */
function coverNamedPapers(ranked: Candidate[], refs: QuestionRefs, k: number): Candidate[] {
  const top = ranked.slice(0, k);
  if (refs.papers.length < 2 || refs.ambiguous) return top;
  for (const paper of refs.papers) {
    if (top.some((c) => c.hit.metadata.docId === paper.docId)) continue;
    const best = ranked.find((c) => c.hit.metadata.docId === paper.docId);
    if (!best) continue;
    const counts = new Map<string, number>();
    for (const c of top) counts.set(c.hit.metadata.docId, (counts.get(c.hit.metadata.docId) ?? 0) + 1);
    // Replace the lowest hit of the paper with the most hits.
    for (let i = top.length - 1; i >= 0; i--) {
      if ((counts.get(top[i]!.hit.metadata.docId) ?? 0) > 1) {
        top[i] = best;
        break;
      }
    }
  }
  return top.sort((a, b) => b.score - a.score);
}

export async function retrieve(store: FolioStoreApi, input: RetrieveInput, reranker: Reranker | undefined, options: RetrieveOptions = DEFAULT_RETRIEVE_OPTIONS, papers?: PaperDirectory): Promise<RetrieveResult> {
  const filters: SearchFilters = { ...input.filters, includeReferences: input.filters?.includeReferences ?? false };
  const text = input.query.trim() || undefined;
  const onlyImageKinds = Boolean(filters.kinds?.length && filters.kinds.every((k) => IMAGE_KINDS.has(k)));
  // Multi-vectors are stored for figures and pages only, so they re-score only searches confined to those.
  const useMultivector = !reranker && store.capabilities.multivector && (input.image !== undefined || onlyImageKinds);
  if (!text || useMultivector) {
    const hits = await store.search({ text, image: input.image, k: input.k, filters, ...(options.mode ? { mode: options.mode } : {}), ...(useMultivector ? { rerankWithMultivector: true } : {}) });
    return { hits, ranking: useMultivector ? "multivector" : "search" };
  }

  const index = papers ? await papers.current() : new PaperIndex([]);
  const refs = index.resolve(text);
  const assumption = describeAssumption(refs);
  const fetch = input.k * options.rerankFetchFactor;
  const named = intersect(filters.docIds, refs.papers.map((p) => p.docId));
  const [lists, elements] = await Promise.all([textSearch(store, input, filters, fetch, options, refs), elementRecords(store, refs, filters, named)]);
  const elementIds = new Set(elements.map((h) => h.id));
  // Element records have no search score: they join at the top score of the open search.
  const top = Math.max(...(lists[0] ?? []).map((h) => h.score), 0) || 1;
  const candidates = mergeLists([...lists, elements.map((h) => ({ ...h, score: top }))]);
  const ranked = rankCandidates(candidates, { query: text, refs, documentScores: index.documentScores(text) }, elementIds);
  const extras = { refs, ...(assumption ? { assumption } : {}) };

  if (reranker) {
    const pool = ranked.slice(0, fetch).map((c) => c.hit);
    if (pool.length === 0) return { hits: [], ranking: "reranker", ...extras };
    const results = await reranker.rerank(text, pool.map((h) => h.text || h.metadata.caption || h.metadata.title), { topN: input.k, signal: input.signal });
    const hits = results.filter((r) => r.relevanceScore >= options.minRerankScore && pool[r.index]).map((r) => ({ ...pool[r.index]!, score: r.relevanceScore }));
    return { hits, ranking: "reranker", ...extras };
  }
  const hits = coverNamedPapers(ranked, refs, input.k).map((c) => ({ ...c.hit, score: c.score }));
  // Without dense vectors (BM25 only), a hit that shares no term with the query is noise.
  const floor = !store.capabilities.dense ? hits.filter((h) => elementIds.has(h.id) || sharesTerms(text, `${h.text} ${h.metadata.title} ${h.metadata.figureLabel ?? ""}`)) : hits;
  return { hits: floor, ranking: "search", ...extras };
}

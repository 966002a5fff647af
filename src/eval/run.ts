/**
 * Runs a question set against one or more setups: for every question, the retrieval (timed, k up
 * to the largest cut-off asked for) and the answer (as `folio ask` gives it), then the metrics of
 * src/eval/metrics.ts. Stops cleanly on the signal with what was measured so far.
 */
import type { FolioConfig } from "../config.js";
import { configuredReranker, createAnswerer } from "../chat/index.js";
import { DEFAULT_RETRIEVE_OPTIONS, type Reranker } from "../chat/retrieve.js";
import type { Answer, Citation } from "../chat/types.js";
import type { EmbeddingUsage } from "../embeddings/types.js";
import { usageSince, type UsageDelta } from "../embeddings/usage.js";
import type { FolioStoreApi, SearchHit } from "../store/types.js";
import { DocumentResolver, resolveGold } from "./gold.js";
import { answerContains, docRecallAt, ndcgAt, pageHitAt, passageHitAt, rankedUnits, reciprocalRank, supports, type RankedHit, type ResolvedGold } from "./metrics.js";
import type { EvalQuestion } from "./questions.js";
import { missingFor, setupConfig, type SetupSpec } from "./setups.js";

/** What one question scored under one setup. */
export interface QuestionScore {
  id: string;
  kind?: string;
  unanswerable: boolean;
  /** recall@k by k (as strings: JSON keys) */
  docRecall: Record<string, number>;
  pageHit?: Record<string, number>;
  passageHit?: Record<string, number>;
  reciprocalRank: number;
  ndcg10: number;
  retrievalMs: number;
  answerMs: number;
  /** The answer contains the gold answer (when one is given). */
  contains?: boolean;
  /** Share of the cited sources that hold supporting text (when anything is cited and gold is known). */
  citationPrecision?: number;
  declined: boolean;
  /** The gold page (or, without a page, a gold paper) is among the sources the answerer saw. */
  goldInSources: boolean;
  cited: number;
  /** The top hits, for the per-question breakdown: "docId p. 3 (Figure 1)". */
  top: string[];
  answer: string;
}

/** Tokens one setup used, from the servers' counts: embedding (queries, and filling its own collection) and re-ranking. */
export interface SetupUsage {
  embedding: UsageDelta | null;
  rerank: { tokens: number; requests: number; retries: number } | null;
}

export interface SetupRun {
  setup: SetupSpec;
  usage?: SetupUsage;
  /** Why the setup did not run (missing embeddings, reranker ...). */
  skipped?: string;
  /** The collection it ran against (a setup with its own chunk size has its own). */
  collection: string;
  scores: QuestionScore[];
}

export interface EvalRun {
  questions: number;
  /** Questions left out, with the reason (a gold reference that names no document). */
  skippedQuestions: Array<{ id: string; reason: string }>;
  ks: number[];
  answerK: number;
  setups: SetupRun[];
  /** True when the run was stopped before the end (Ctrl-C). */
  interrupted: boolean;
  /** The configured price per million tokens, for the cost line (none is built in). */
  pricePerMillionTokens?: number;
}

export interface EvalEnvironment {
  config: FolioConfig;
  /** The store of the configuration's collection. */
  store: FolioStoreApi;
  /** A store for a setup's own collection (opened, and filled from the main collection's sources when new). */
  storeFor(spec: SetupSpec, config: FolioConfig): Promise<FolioStoreApi>;
}

export interface EvalOptions {
  ks: number[];
  /** Sources the answerer gets (default: the configuration's top k). */
  answerK?: number;
  signal?: AbortSignal;
  onProgress?(setup: string, done: number, total: number): void;
}

const TOP_SHOWN = 5;

/** nDCG is reported at 10, so retrieval goes at least this deep whatever the recall cut-offs. */
const NDCG_DEPTH = 10;

/**
 * A setup's own collection ingests the main collection's sources again, and a file can get another
 * docId there (its root folder differs, or the main ids came from a manifest): ids are mapped back to
 * the main collection's by source, so the gold (resolved against the main collection) applies.
 */
async function mainDocIds(store: FolioStoreApi, main: FolioStoreApi): Promise<(docId: string) => string> {
  if (store === main) return (docId) => docId;
  const bySource = new Map((await main.listDocuments()).map((r) => [r.source, r.docId]));
  const toMain = new Map((await store.listDocuments()).map((r) => [r.docId, bySource.get(r.source) ?? r.docId]));
  return (docId) => toMain.get(docId) ?? docId;
}

function renameHits(hits: SearchHit[], rename: (docId: string) => string): SearchHit[] {
  return hits.map((h) => ({ ...h, metadata: { ...h.metadata, docId: rename(h.metadata.docId) } }));
}

function renameAnswer(answer: Answer, rename: (docId: string) => string): Answer {
  const cite = (c: Citation): Citation => ({ ...c, docId: rename(c.docId) });
  return { ...answer, citations: answer.citations.map(cite), sources: answer.sources.map(cite) };
}

function toRanked(hit: SearchHit): RankedHit {
  return { id: hit.id, docId: hit.metadata.docId, ...(hit.metadata.page !== undefined ? { page: hit.metadata.page } : {}), text: hit.text || hit.metadata.caption || "" };
}

function describeHit(hit: SearchHit): string {
  const m = hit.metadata;
  return [m.docId, m.page !== undefined ? `p. ${m.page}` : "", m.figureLabel ? `(${m.figureLabel})` : ""].filter(Boolean).join(" ");
}

function byK(ks: number[], f: (k: number) => number): Record<string, number> {
  return Object.fromEntries(ks.map((k) => [String(k), f(k)]));
}

async function citationPrecision(answer: Answer, gold: ResolvedGold, store: FolioStoreApi): Promise<number | undefined> {
  if (answer.citations.length === 0 || gold.docs.size === 0) return undefined;
  let supporting = 0;
  for (const c of answer.citations) {
    const chunk = await store.getChunk(c.id);
    const hit: RankedHit = { id: c.id, docId: c.docId, ...(c.page !== undefined ? { page: c.page } : {}), text: chunk?.text ?? c.snippet };
    if (supports(hit, gold)) supporting++;
  }
  return supporting / answer.citations.length;
}

async function scoreQuestion(q: EvalQuestion, gold: ResolvedGold, hits: SearchHit[], answer: Answer, timing: { retrievalMs: number; answerMs: number }, ks: number[], store: FolioStoreApi): Promise<QuestionScore> {
  const ranked = hits.map(toRanked);
  const grades = rankedUnits(ranked, gold);
  const answerable = !q.unanswerable && gold.docs.size > 0;
  const precision = answerable ? await citationPrecision(answer, gold, store) : undefined;
  return {
    id: q.id,
    ...(q.kind ? { kind: q.kind } : {}),
    unanswerable: q.unanswerable,
    docRecall: answerable ? byK(ks, (k) => docRecallAt(ranked, gold, k)) : {},
    ...(answerable && gold.page !== undefined ? { pageHit: byK(ks, (k) => pageHitAt(ranked, gold, k)) } : {}),
    ...(answerable && gold.passage !== undefined ? { passageHit: byK(ks, (k) => passageHitAt(ranked, gold, k)) } : {}),
    reciprocalRank: answerable ? reciprocalRank(grades) : 0,
    ndcg10: answerable ? ndcgAt(grades, gold, 10) : 0,
    ...timing,
    ...(q.answer ? { contains: answerContains(answer.answer, q.answer) } : {}),
    ...(precision !== undefined ? { citationPrecision: precision } : {}),
    declined: answer.unanswered,
    goldInSources: answerable && answer.sources.some((c) => gold.docs.has(c.docId) && (gold.page === undefined || (c.docId === gold.docs.keys().next().value && c.page === gold.page))),
    cited: answer.citations.length,
    top: hits.slice(0, TOP_SHOWN).map(describeHit),
    answer: answer.answer,
  };
}

async function runSetup(spec: SetupSpec, questions: Array<{ q: EvalQuestion; gold: ResolvedGold }>, env: EvalEnvironment, options: EvalOptions): Promise<SetupRun> {
  const config = setupConfig(spec, env.config);
  const missing = missingFor(spec, config, env.store.capabilities);
  if (missing) return { setup: spec, skipped: missing, collection: config.collection, scores: [] };
  const embeddingAtStart = env.store.embeddingUsage();
  const store = spec.chunkTokens === undefined ? env.store : await env.storeFor(spec, config);
  const reranker = config.embeddings.mode === "jina" && config.embeddings.rerank ? configuredReranker(config) : undefined;
  const answerer = createAnswerer(config, store, { reranker, retrieve: { ...DEFAULT_RETRIEVE_OPTIONS, ...(spec.mode ? { mode: spec.mode } : {}), multivector: spec.multivector } });
  const maxK = Math.max(NDCG_DEPTH, ...options.ks);
  const rename = await mainDocIds(store, env.store);
  const scores: QuestionScore[] = [];
  for (const { q, gold } of questions) {
    if (options.signal?.aborted) break;
    const started = performance.now();
    const retrieved = await answerer.parts.retrieve.invoke({ query: q.question, k: maxK, ...(options.signal ? { signal: options.signal } : {}) });
    const retrievalMs = performance.now() - started;
    const hits = renameHits(retrieved.hits, rename);
    const answerStarted = performance.now();
    const answered = await answerer.answer({ question: q.question, ...(options.answerK ? { k: options.answerK } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    const answerMs = performance.now() - answerStarted;
    const answer = renameAnswer(answered, rename);
    scores.push(await scoreQuestion(q, gold, hits, answer, { retrievalMs, answerMs }, options.ks, store));
    options.onProgress?.(spec.name, scores.length, questions.length);
  }
  return { setup: spec, collection: config.collection, scores, usage: setupUsage(env.store, embeddingAtStart, reranker) };
}

/** The embeddings instance is shared by every setup's collection, so the main store's counter covers them all. */
function setupUsage(store: FolioStoreApi, start: EmbeddingUsage | null, reranker: Reranker | undefined): SetupUsage {
  const now = store.embeddingUsage();
  const embedding = now ? usageSince(start, now) : null;
  const r = reranker?.usage;
  return { embedding, rerank: r ? { tokens: r.totalTokens, requests: r.requests, retries: r.retries } : null };
}

export async function runEval(questions: EvalQuestion[], setups: SetupSpec[], env: EvalEnvironment, options: EvalOptions): Promise<EvalRun> {
  const resolver = new DocumentResolver(await env.store.listDocuments());
  const skippedQuestions: EvalRun["skippedQuestions"] = [];
  const usable: Array<{ q: EvalQuestion; gold: ResolvedGold }> = [];
  for (const q of questions) {
    const resolved = resolveGold(q, resolver);
    if (resolved.ok) usable.push({ q, gold: resolved.gold });
    else skippedQuestions.push({ id: q.id, reason: resolved.reason });
  }
  const runs: SetupRun[] = [];
  let interrupted = false;
  for (const spec of setups) {
    if (options.signal?.aborted) break;
    try {
      runs.push(await runSetup(spec, usable, env, options));
    } catch (error) {
      if (!options.signal?.aborted) throw error;
    }
  }
  if (options.signal?.aborted) interrupted = true;
  return { questions: usable.length, skippedQuestions, ks: options.ks, answerK: options.answerK ?? env.config.search.topK, setups: runs, interrupted, ...(env.config.tokens?.pricePerMillionTokens !== undefined ? { pricePerMillionTokens: env.config.tokens.pricePerMillionTokens } : {}) };
}

/**
 * The second, lexical ranking stage over the store's candidates. It works with any store and any
 * first stage, so the same evidence helps BM25 alone and hybrid search:
 *   - each candidate list's scores are normalised by its best score, so a search restricted to the
 *     named papers and the open search can be merged;
 *   - the named paper (src/chat/papers.ts) multiplies its chunks' scores, more when it is clear;
 *   - the document-level score (title, abstract, headings) adds a share, so a passage from the
 *     paper that is about the question's topic beats a passing mention elsewhere;
 *   - phrases: consecutive question terms found consecutively in the chunk ("masked language model");
 *   - the element the question names: its own record first, chunks that cite it or sit in that section next.
 */
import { analyze } from "../store/index.js";
import type { SearchHit } from "../store/types.js";
import type { ElementRef, QuestionRefs } from "./papers.js";

export const RANKING = {
  /** Multiplier for chunks of the paper the question names (clearly / among ambiguous candidates). */
  namedPaper: 1.6,
  ambiguousPaper: 1.3,
  /** Share of the document-level score (0..1 after normalising by the best paper) added to a chunk's. */
  documentShare: 0.3,
  /** Per phrase (two consecutive question terms found together), and the cap on the product. */
  phrase: 0.12,
  phraseCap: 1.6,
  /** A chunk that cites the named element ("as Table 2 shows") or lies in the named section. */
  elementMention: 1.3,
} as const;

export interface Candidate {
  hit: SearchHit;
  /** Best of its normalised first-stage scores. */
  base: number;
  score: number;
}

/** Merges lists of hits (each normalised by its best score), keeping each point once with its best score. */
export function mergeLists(lists: readonly SearchHit[][]): Candidate[] {
  const byId = new Map<string, Candidate>();
  for (const list of lists) {
    const best = Math.max(...list.map((h) => h.score), 0) || 1;
    for (const hit of list) {
      const base = hit.score / best;
      const seen = byId.get(hit.id);
      if (!seen || seen.base < base) byId.set(hit.id, { hit, base, score: base });
    }
  }
  return [...byId.values()];
}

/** Consecutive pairs of analysed question terms. */
function bigrams(terms: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < terms.length; i++) out.push(`${terms[i]} ${terms[i + 1]}`);
  return [...new Set(out)];
}

function phraseFactor(pairs: readonly string[], text: string): number {
  if (pairs.length === 0) return 1;
  const terms = analyze(text);
  const present = new Set<string>();
  for (let i = 0; i + 1 < terms.length; i++) present.add(`${terms[i]} ${terms[i + 1]}`);
  const found = pairs.filter((p) => present.has(p)).length;
  return Math.min(RANKING.phraseCap, 1 + RANKING.phrase * found);
}

function mentionsElement(hit: SearchHit, elements: readonly ElementRef[]): boolean {
  const text = hit.text;
  return elements.some((e) => {
    if (e.type === "section") return (hit.metadata.section ?? "").startsWith(`${e.number} `) || hit.metadata.section === e.number;
    return new RegExp(`\\b${e.label.split(" ")[0]}\\.?\\s*\\(?${e.number.replace(/\./g, "\\.")}\\b`, "i").test(text) || (e.type === "figure" && new RegExp(`\\bFig\\.\\s*${e.number}\\b`).test(text));
  });
}

/** A chunk that holds an algorithm or equation itself, labelled as such ("Algorithm 2: AdaMax ..."). */
function holdsElement(hit: SearchHit, elements: readonly ElementRef[]): boolean {
  return elements.some((e) => (e.type === "algorithm" || e.type === "equation") && new RegExp(`\\b${e.label.split(" ")[0]}\\s*${e.number.replace(/\./g, "\\.")}\\s*[:.]`, "i").test(hit.text));
}

export interface RankingContext {
  query: string;
  refs: QuestionRefs;
  documentScores: Map<string, number>;
}

/** Re-scores the candidates; element records of the named papers come first. */
export function rankCandidates(candidates: Candidate[], ctx: RankingContext, elementIds: ReadonlySet<string>): Candidate[] {
  const pairs = bigrams(analyze(ctx.query));
  const bestDoc = Math.max(...ctx.documentScores.values(), 0) || 1;
  const named = new Map(ctx.refs.papers.map((p, i) => [p.docId, i === 0 && !ctx.refs.ambiguous ? RANKING.namedPaper : RANKING.ambiguousPaper]));
  const top = Math.max(...candidates.map((c) => c.base), 0);
  for (const c of candidates) {
    const docId = c.hit.metadata.docId;
    let score = c.base * (1 + RANKING.documentShare * ((ctx.documentScores.get(docId) ?? 0) / bestDoc));
    score *= named.get(docId) ?? 1;
    score *= phraseFactor(pairs, `${c.hit.text} ${c.hit.metadata.caption ?? ""}`);
    if (ctx.refs.elements.length && (named.size === 0 || named.has(docId)) && mentionsElement(c.hit, ctx.refs.elements)) score *= RANKING.elementMention;
    // The named element's own record (or, for algorithms and equations, the chunk that holds it: "Algorithm 2:") outranks every passage.
    if (elementIds.has(c.hit.id) || (named.has(docId) && holdsElement(c.hit, ctx.refs.elements))) score += top * RANKING.namedPaper * RANKING.phraseCap * 2;
    c.score = score;
  }
  return candidates.sort((a, b) => b.score - a.score);
}

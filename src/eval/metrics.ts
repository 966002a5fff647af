/**
 * Retrieval and answer metrics for `folio eval`, as pure functions over ranked hits and gold.
 *
 * The unit a question is judged by is its most specific gold: the passage when one is given, else
 * the page, else the documents. Ranked hits are mapped to units and repeats dropped before MRR and
 * nDCG, so ten chunks of the right paper count once, as one relevant document does in BEIR.
 */

/** What a metric needs of a retrieved source. */
export interface RankedHit {
  id: string;
  docId: string;
  page?: number;
  text: string;
}

/** A question's gold, with its paper references resolved to docIds. */
export interface ResolvedGold {
  /** docId -> graded relevance; the first entry is the paper the page and passage belong to. */
  docs: Map<string, number>;
  page?: number;
  passage?: string;
}

/**
 * A source holds the gold passage when it contains at least this share of the passage's words,
 * in order (the longest common subsequence of words). Below 1 so that a passage the parser reads
 * with a run-together word or a hyphenation still counts; above one half so that "most" means most.
 */
export const PASSAGE_COVERAGE = 0.6;

const WORD = /[\p{L}\p{N}]+/gu;

export function words(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(WORD) ?? [];
}

/** Length of the longest common subsequence of two word lists (two rows of the usual table). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Int32Array(b.length + 1);
  let row = new Int32Array(b.length + 1);
  for (const word of a) {
    for (let j = 1; j <= b.length; j++) row[j] = word === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    [prev, row] = [row, prev];
  }
  return prev[b.length]!;
}

/** The share of the passage's words the text holds in order (0..1). */
export function passageCoverage(passage: string, text: string): number {
  const p = words(passage);
  if (p.length === 0) return 0;
  const wanted = new Set(p);
  // Only words of the passage can be in the subsequence: dropping the others keeps the table small.
  const t = words(text).filter((w) => wanted.has(w));
  return lcsLength(p, t) / p.length;
}

export function holdsPassage(passage: string, text: string): boolean {
  return passageCoverage(passage, text) >= PASSAGE_COVERAGE;
}

/**
 * An answer as a list of tokens for comparison: NFKC, lower case, runs of letters and runs of digits
 * (decimal points and thousands separators kept inside numbers), so "340M" and "340 M" are the same
 * tokens and "40" is not found inside "1400".
 */
export function answerTokens(text: string): string[] {
  // Chinese, Japanese and Thai have no spaces: each of their characters is a token of its own.
  return text.normalize("NFKC").toLowerCase().match(/\p{N}+(?:[.,]\p{N}+)*|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}ー]|\p{L}+/gu)?.map((t) => t.replace(/,(?=\p{N}{3}\b)/gu, "")) ?? [];
}

/** True when the gold answer's tokens appear, contiguous and in order, in the answer. */
export function answerContains(answer: string, gold: string): boolean {
  const g = answerTokens(gold);
  const a = answerTokens(answer);
  if (g.length === 0) return false;
  for (let i = 0; i + g.length <= a.length; i++) if (g.every((t, j) => a[i + j] === t)) return true;
  return false;
}

function isGoldHit(hit: RankedHit, gold: ResolvedGold, firstDoc: string | undefined): boolean {
  if (gold.passage !== undefined) return hit.docId === firstDoc && holdsPassage(gold.passage, hit.text);
  if (gold.page !== undefined) return hit.docId === firstDoc && hit.page === gold.page;
  return gold.docs.has(hit.docId);
}

/** Ranked units with their grades, repeats dropped (see the file comment). */
export function rankedUnits(hits: readonly RankedHit[], gold: ResolvedGold): number[] {
  const firstDoc = gold.docs.keys().next().value;
  const specific = gold.passage !== undefined || gold.page !== undefined;
  const seen = new Set<string>();
  const grades: number[] = [];
  for (const hit of hits) {
    const relevant = isGoldHit(hit, gold, firstDoc);
    const key = specific ? (relevant ? "gold" : `hit:${hit.id}`) : `doc:${hit.docId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    grades.push(relevant ? (specific ? 1 : (gold.docs.get(hit.docId) ?? 0)) : 0);
  }
  return grades;
}

/** The grades an ideal ranking would have, best first. */
function idealGrades(gold: ResolvedGold): number[] {
  if (gold.passage !== undefined || gold.page !== undefined) return gold.docs.size ? [1] : [];
  return [...gold.docs.values()].filter((g) => g > 0).sort((a, b) => b - a);
}

export function reciprocalRank(grades: readonly number[]): number {
  const i = grades.findIndex((g) => g > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** nDCG@k with linear gains (trec_eval's and BEIR's), 0 when the gold is empty. */
export function ndcgAt(grades: readonly number[], gold: ResolvedGold, k: number): number {
  const dcg = (list: readonly number[]) => list.slice(0, k).reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  const ideal = dcg(idealGrades(gold));
  return ideal > 0 ? dcg(grades) / ideal : 0;
}

/** Document recall@k: the share of gold documents among the first k hits. */
export function docRecallAt(hits: readonly RankedHit[], gold: ResolvedGold, k: number): number {
  const relevant = [...gold.docs].filter(([, g]) => g > 0).map(([d]) => d);
  if (relevant.length === 0) return 0;
  const top = new Set(hits.slice(0, k).map((h) => h.docId));
  return relevant.filter((d) => top.has(d)).length / relevant.length;
}

/** 1 when one of the first k hits is on the gold page of the first gold paper. */
export function pageHitAt(hits: readonly RankedHit[], gold: ResolvedGold, k: number): number {
  const firstDoc = gold.docs.keys().next().value;
  return hits.slice(0, k).some((h) => h.docId === firstDoc && h.page === gold.page) ? 1 : 0;
}

/** 1 when one of the first k hits holds the gold passage. */
export function passageHitAt(hits: readonly RankedHit[], gold: ResolvedGold, k: number): number {
  const firstDoc = gold.docs.keys().next().value;
  return hits.slice(0, k).some((h) => h.docId === firstDoc && holdsPassage(gold.passage ?? "", h.text)) ? 1 : 0;
}

/** A cited source supports the answer when it holds the gold passage or is on the gold page (or in a gold paper, when no page is given). */
export function supports(hit: RankedHit, gold: ResolvedGold): boolean {
  const firstDoc = gold.docs.keys().next().value;
  if (gold.passage !== undefined && hit.docId === firstDoc && holdsPassage(gold.passage, hit.text)) return true;
  if (gold.page !== undefined) return hit.docId === firstDoc && hit.page === gold.page;
  return gold.passage === undefined && gold.docs.has(hit.docId);
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/** A small seeded generator (mulberry32), so a bootstrap interval is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PairedDifference {
  /** mean(b - a) over the questions both were measured on */
  difference: number;
  /** 95% percentile-bootstrap interval of that mean */
  low: number;
  high: number;
  n: number;
}

/** Paired bootstrap of mean(b - a): resample questions with replacement, keep the 2.5th and 97.5th percentiles. */
export function pairedBootstrap(a: readonly number[], b: readonly number[], options: { resamples?: number; seed?: number } = {}): PairedDifference {
  if (a.length !== b.length) throw new RangeError("A paired comparison needs the same questions on both sides.");
  const diffs = a.map((x, i) => b[i]! - x);
  const n = diffs.length;
  if (n === 0) return { difference: 0, low: 0, high: 0, n: 0 };
  const random = seededRandom(options.seed ?? 1);
  const resamples = options.resamples ?? 2000;
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[Math.floor(random() * n)]!;
    means.push(sum / n);
  }
  return { difference: mean(diffs), low: percentile(means, 2.5), high: percentile(means, 97.5), n };
}

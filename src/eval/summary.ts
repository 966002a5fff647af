/**
 * From per-question scores to one summary per setup, the comparisons between setups, and the
 * JSON document `folio eval --json` prints and the HTML report draws.
 */
import { mean, pairedBootstrap, percentile, type PairedDifference } from "./metrics.js";
import type { EvalRun, QuestionScore, SetupRun, SetupUsage } from "./run.js";

/** A share with the number of questions it is over (null when no question qualifies). */
export interface Share {
  value: number | null;
  n: number;
}

export interface SetupSummary {
  name: string;
  description: string;
  collection: string;
  skipped?: string;
  questions: number;
  /** Tokens the setup used (the servers' counts); absent when it did not run. */
  usage?: SetupUsage;
  docRecall: Record<string, Share>;
  pageRecall: Record<string, Share>;
  passageRecall: Record<string, Share>;
  mrr: Share;
  ndcg10: Share;
  latencyMs: { p50: number; p95: number };
  answerLatencyMs: { p50: number; p95: number };
  answerContains: Share;
  citationPrecision: Share;
  declinedUnanswerable: Share;
  /** Answerable questions declined although the gold page (or paper) was among the sources. */
  falseDeclines: Share;
  noCitation: Share;
  /** Per question kind: gold page among the first 3 and 5 hits (null when 3 or 5 is not among the cut-offs), answer contains gold. */
  byKind: Record<string, { n: number; pageRecall3: number | null; pageRecall5: number | null; answerContains: number | null; declined: number | null }>;
}

export interface Comparison {
  baseline: string;
  setup: string;
  metric: string;
  result: PairedDifference;
}

export interface EvalReport {
  questions: number;
  skippedQuestions: EvalRun["skippedQuestions"];
  ks: number[];
  answerK: number;
  interrupted: boolean;
  pricePerMillionTokens?: number;
  setups: SetupSummary[];
  comparisons: Comparison[];
  perQuestion: QuestionRow[];
}

export type QuestionCell = Pick<QuestionScore, "reciprocalRank" | "contains" | "declined" | "top" | "answer"> & { pageHit5?: number };
export interface QuestionRow {
  id: string;
  kind?: string;
  setups: Record<string, QuestionCell>;
}

function share(values: Array<number | boolean | undefined>): Share {
  const defined = values.filter((v): v is number | boolean => v !== undefined).map(Number);
  return { value: defined.length ? mean(defined) : null, n: defined.length };
}

const CUT_FOR_KIND = "5";

function summarizeSetup(run: SetupRun, ks: number[]): SetupSummary {
  const answerable = run.scores.filter((s) => !s.unanswerable && Object.keys(s.docRecall).length > 0);
  const unanswerable = run.scores.filter((s) => s.unanswerable);
  const atK = (pick: (s: QuestionScore) => Record<string, number> | undefined) => Object.fromEntries(ks.map((k) => [String(k), share(answerable.map((s) => pick(s)?.[String(k)]))]));
  const kinds = [...new Set(run.scores.map((s) => s.kind).filter((k): k is string => Boolean(k)))].sort();
  return {
    name: run.setup.name,
    description: run.setup.description,
    collection: run.collection,
    ...(run.skipped ? { skipped: run.skipped } : {}),
    questions: run.scores.length,
    ...(run.usage ? { usage: run.usage } : {}),
    docRecall: atK((s) => s.docRecall),
    pageRecall: atK((s) => s.pageHit),
    passageRecall: atK((s) => s.passageHit),
    mrr: share(answerable.map((s) => s.reciprocalRank)),
    ndcg10: share(answerable.map((s) => s.ndcg10)),
    latencyMs: { p50: percentile(run.scores.map((s) => s.retrievalMs), 50), p95: percentile(run.scores.map((s) => s.retrievalMs), 95) },
    answerLatencyMs: { p50: percentile(run.scores.map((s) => s.answerMs), 50), p95: percentile(run.scores.map((s) => s.answerMs), 95) },
    // Over every answerable question with a gold answer, including those without a gold paper (answer-only).
    answerContains: share(run.scores.filter((s) => !s.unanswerable).map((s) => s.contains)),
    citationPrecision: share(answerable.map((s) => s.citationPrecision)),
    declinedUnanswerable: share(unanswerable.map((s) => s.declined)),
    falseDeclines: share(answerable.filter((s) => s.goldInSources).map((s) => s.declined)),
    noCitation: share(run.scores.filter((s) => !s.declined).map((s) => s.cited === 0)),
    byKind: Object.fromEntries(
      kinds.map((kind) => {
        const of = run.scores.filter((s) => s.kind === kind);
        return [kind, { n: of.length, pageRecall3: share(of.map((s) => s.pageHit?.["3"])).value, pageRecall5: share(of.map((s) => s.pageHit?.[CUT_FOR_KIND])).value, answerContains: share(of.map((s) => s.contains)).value, declined: share(of.map((s) => s.declined)).value }];
      }),
    ),
  };
}

/** Per-question values of the metrics compared between setups (the questions both setups scored). */
const COMPARED: Array<{ metric: string; value: (s: QuestionScore) => number | undefined }> = [
  // The questions the summary's MRR is over: those with gold documents (docRecall is empty without).
  { metric: "mrr", value: (s) => (s.unanswerable || Object.keys(s.docRecall).length === 0 ? undefined : s.reciprocalRank) },
  { metric: "answerContains", value: (s) => (s.contains === undefined ? undefined : Number(s.contains)) },
];

function compare(baseline: SetupRun, other: SetupRun): Comparison[] {
  const theirs = new Map(other.scores.map((s) => [s.id, s]));
  return COMPARED.map(({ metric, value }) => {
    const a: number[] = [];
    const b: number[] = [];
    for (const s of baseline.scores) {
      const t = theirs.get(s.id);
      const x = value(s);
      const y = t ? value(t) : undefined;
      if (x === undefined || y === undefined) continue;
      a.push(x);
      b.push(y);
    }
    return { baseline: baseline.setup.name, setup: other.setup.name, metric, result: pairedBootstrap(a, b) };
  });
}

export function summarize(run: EvalRun): EvalReport {
  const ran = run.setups.filter((s) => !s.skipped);
  const perQuestion = new Map<string, QuestionRow>();
  for (const setup of ran) {
    for (const s of setup.scores) {
      const row = perQuestion.get(s.id) ?? { id: s.id, ...(s.kind ? { kind: s.kind } : {}), setups: {} };
      row.setups[setup.setup.name] = { reciprocalRank: s.reciprocalRank, ...(s.contains !== undefined ? { contains: s.contains } : {}), declined: s.declined, top: s.top, answer: s.answer, ...(s.pageHit?.[CUT_FOR_KIND] !== undefined ? { pageHit5: s.pageHit[CUT_FOR_KIND] } : {}) };
      perQuestion.set(s.id, row);
    }
  }
  return {
    questions: run.questions,
    skippedQuestions: run.skippedQuestions,
    ks: run.ks,
    answerK: run.answerK,
    interrupted: run.interrupted,
    ...(run.pricePerMillionTokens !== undefined ? { pricePerMillionTokens: run.pricePerMillionTokens } : {}),
    setups: run.setups.map((s) => summarizeSetup(s, run.ks)),
    comparisons: ran.slice(1).flatMap((other) => compare(ran[0]!, other)),
    perQuestion: [...perQuestion.values()],
  };
}

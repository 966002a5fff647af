/** The report as text: one row per setup, the best value of each column marked with "*". */
import { countOf as count, formatPrice, priceOf } from "../util/numbers.js";
import type { Comparison, EvalReport, SetupSummary, Share } from "./summary.js";

interface Column {
  title: string;
  value(s: SetupSummary): number | null;
  format(v: number): string;
  /** true when lower is better (latency, declines of answerable questions) */
  lowerIsBetter?: boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => v.toFixed(3);
const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)}`;
const of = (s: Share) => s.value;

function columns(report: EvalReport): Column[] {
  const cut = report.ks.includes(5) ? "5" : String(report.ks[0]);
  return [
    { title: `doc R@${cut}`, value: (s) => of(s.docRecall[cut] ?? { value: null, n: 0 }), format: pct },
    { title: "page R@1", value: (s) => of(s.pageRecall["1"] ?? { value: null, n: 0 }), format: pct },
    { title: `page R@${cut}`, value: (s) => of(s.pageRecall[cut] ?? { value: null, n: 0 }), format: pct },
    { title: `passage R@${cut}`, value: (s) => of(s.passageRecall[cut] ?? { value: null, n: 0 }), format: pct },
    { title: "MRR", value: (s) => of(s.mrr), format: num },
    { title: "nDCG@10", value: (s) => of(s.ndcg10), format: num },
    { title: "answer", value: (s) => of(s.answerContains), format: pct },
    { title: "cite prec", value: (s) => of(s.citationPrecision), format: pct },
    { title: "unans declined", value: (s) => of(s.declinedUnanswerable), format: pct },
    { title: "false declines", value: (s) => of(s.falseDeclines), format: pct, lowerIsBetter: true },
    { title: "no citation", value: (s) => of(s.noCitation), format: pct, lowerIsBetter: true },
    { title: "p50 ms", value: (s) => (s.questions ? s.latencyMs.p50 : null), format: ms, lowerIsBetter: true },
    { title: "p95 ms", value: (s) => (s.questions ? s.latencyMs.p95 : null), format: ms, lowerIsBetter: true },
  ];
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd()).join("\n");
}

function formatComparison(c: Comparison): string {
  const r = c.result;
  const f = c.metric === "mrr" ? (v: number) => (v >= 0 ? "+" : "") + v.toFixed(3) : (v: number) => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)} pts`;
  const verdict = r.low > 0 ? "better" : r.high < 0 ? "worse" : "no significant difference";
  return `${c.setup} vs ${c.baseline}, ${c.metric}: ${f(r.difference)} (95% CI ${f(r.low)} to ${f(r.high)}, ${r.n} questions): ${verdict}`;
}

/** One line per setup that spent tokens: what the embeddings and rerank servers counted, and the price when one is set. */
function usageLines(setups: SetupSummary[], pricePerMillion: number | undefined): string[] {
  return setups.flatMap((s) => {
    const e = s.usage?.embedding;
    const r = s.usage?.rerank;
    const tokens = (e?.tokens ?? 0) + (r?.tokens ?? 0);
    if (!e && !r) return [];
    const parts = [e ? `embedding ${count(e.tokens, "token", "tokens")} in ${count(e.requests, "request", "requests")} (cache ${count(e.cacheHits, "hit", "hits")}, ${count(e.cacheMisses, "miss", "misses")})` : "", r ? `re-ranking ${count(r.tokens, "token", "tokens")} in ${count(r.requests, "request", "requests")}` : ""].filter(Boolean);
    const retries = (e?.retries ?? 0) + (r?.retries ?? 0);
    const price = pricePerMillion !== undefined ? `, about ${formatPrice(priceOf(tokens, pricePerMillion))} at your price` : "";
    return [`tokens used by ${s.name}: ${parts.join(", ")}${retries ? ` (${count(retries, "retry", "retries")})` : ""}${price}.`];
  });
}

export function formatReport(report: EvalReport): string {
  const cols = columns(report);
  const ran = report.setups.filter((s) => !s.skipped);
  const best = cols.map((c) => {
    const values = ran.map(c.value).filter((v): v is number => v !== null);
    if (values.length < 2) return null;
    return c.lowerIsBetter ? Math.min(...values) : Math.max(...values);
  });
  const rows = ran.map((s) => [s.name, ...cols.map((c, i) => {
    const v = c.value(s);
    if (v === null) return "-";
    return `${c.format(v)}${best[i] !== null && v === best[i] ? "*" : " "}`;
  })]);
  const lines = [pad([["setup", ...cols.map((c) => `${c.title} `)], ...rows])];
  const answerable = ran[0] ? (ran[0].mrr.n) : 0;
  const unanswerable = ran[0] ? ran[0].declinedUnanswerable.n : 0;
  lines.push("", `${report.questions} questions (${answerable} answerable, ${unanswerable} unanswerable); answers from the top ${report.answerK} sources${ran.length > 1 ? "; * marks the best of each column" : ""}.`);
  for (const s of report.setups.filter((x) => x.skipped)) lines.push(`skipped ${s.name}: ${s.skipped}`);
  for (const q of report.skippedQuestions) lines.push(`skipped question ${q.id}: ${q.reason}`);
  if (report.comparisons.length) lines.push("", ...report.comparisons.map(formatComparison));
  const usage = usageLines(ran, report.pricePerMillionTokens);
  if (usage.length) lines.push("", ...usage);
  if (report.interrupted) lines.push("", "Interrupted: the figures cover the questions measured before the stop.");
  return lines.join("\n");
}

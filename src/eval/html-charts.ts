/**
 * The pieces of the HTML report that draw: an escaping `html` template tag, the metrics (the
 * columns of src/eval/table.ts, with keys and formats), one bar chart per metric and the recall@k
 * curves, as inline SVG strings. Every bar and curve point is a `<g>` carrying data-setup,
 * data-metric (and data-k), data-value ("n/a" when the metric does not apply) and a visible label.
 */
import type { EvalReport, SetupSummary, Share } from "./summary.js";

/** Markup that is already safe; anything else put into `html` is escaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function renderPart(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(renderPart).join("");
  if (part === null || part === undefined || part === false) return "";
  return escapeHtml(String(part));
}

/** A template tag that escapes every interpolated string (text and attribute values alike). */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < parts.length ? renderPart(parts[i]) : ""), ""));
}

export type MetricKind = "share" | "score" | "ms";

export interface Metric {
  /** The data-metric of its bars and table cells. */
  key: string;
  title: string;
  kind: MetricKind;
  value(s: SetupSummary): number | null;
  /** The questions the value is over (undefined for latencies). */
  n?(s: SetupSummary): number;
  lowerIsBetter?: boolean;
}

const NONE: Share = { value: null, n: 0 };

function shareMetric(key: string, title: string, pick: (s: SetupSummary) => Share | undefined, lowerIsBetter = false): Metric {
  return { key, title, kind: "share", value: (s) => (pick(s) ?? NONE).value, n: (s) => (pick(s) ?? NONE).n, ...(lowerIsBetter ? { lowerIsBetter } : {}) };
}

/** The columns of src/eval/table.ts, in its order and with its cut-off (5, else the first k). */
export function metricsFor(report: EvalReport): Metric[] {
  const cut = report.ks.includes(5) ? "5" : String(report.ks[0]);
  const all: Metric[] = [
    shareMetric(`docRecall@${cut}`, `doc R@${cut}`, (s) => s.docRecall[cut]),
    shareMetric("pageRecall@1", "page R@1", (s) => s.pageRecall["1"]),
    shareMetric(`pageRecall@${cut}`, `page R@${cut}`, (s) => s.pageRecall[cut]),
    shareMetric(`passageRecall@${cut}`, `passage R@${cut}`, (s) => s.passageRecall[cut]),
    { ...shareMetric("mrr", "MRR", (s) => s.mrr), kind: "score" },
    { ...shareMetric("ndcg10", "nDCG@10", (s) => s.ndcg10), kind: "score" },
    shareMetric("answerContains", "answer", (s) => s.answerContains),
    shareMetric("citationPrecision", "cite prec", (s) => s.citationPrecision),
    shareMetric("declinedUnanswerable", "unans declined", (s) => s.declinedUnanswerable),
    shareMetric("falseDeclines", "false declines", (s) => s.falseDeclines, true),
    shareMetric("noCitation", "no citation", (s) => s.noCitation, true),
    { key: "latencyMs.p50", title: "p50 ms", kind: "ms", value: (s) => (s.questions ? s.latencyMs.p50 : null), lowerIsBetter: true },
    { key: "latencyMs.p95", title: "p95 ms", kind: "ms", value: (s) => (s.questions ? s.latencyMs.p95 : null), lowerIsBetter: true },
  ];
  // With ks that hold no 5 and start at 1, "page R@1" would come twice; a key names one column.
  return all.filter((m, i) => all.findIndex((o) => o.key === m.key) === i);
}

/** Formatted as in src/eval/table.ts; latencies without the unit (the column title has it). */
export function formatValue(kind: MetricKind, v: number | null): string {
  if (v === null) return "n/a";
  if (kind === "share") return `${(v * 100).toFixed(1)}%`;
  if (kind === "score") return v.toFixed(3);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}`;
}

function chartLabel(kind: MetricKind, v: number | null): string {
  return kind === "ms" && v !== null ? `${formatValue(kind, v)} ms` : formatValue(kind, v);
}

/** Okabe-Ito colours (told apart with the common colour-vision deficiencies), yellow left out, grey for black (seen on dark pages too). */
const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#767676"];

export function setupColour(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

const WIDTH = 400;
const BAR = { maxWidth: 320, height: 14, row: 36, labelGap: 6 } as const;

function bar(setup: SetupSummary, index: number, metric: Metric, scaleMax: number, top: number): Html {
  const v = metric.value(setup);
  const width = v === null ? 0 : Math.max(v > 0 ? 1 : 0, (v / scaleMax) * BAR.maxWidth);
  const n = metric.n?.(setup);
  const tip = `${setup.name}: ${chartLabel(metric.kind, v)}${n !== undefined ? ` (n = ${n})` : ""}`;
  return html`<text class="name" x="0" y="${top + 11}">${setup.name}</text>
<g class="bar${v === null ? " na" : ""}" data-setup="${setup.name}" data-metric="${metric.key}" data-value="${v === null ? "n/a" : String(v)}"${n !== undefined ? html` data-n="${n}"` : ""}><title>${tip}</title>
<rect class="track" x="0" y="${top + 16}" width="${BAR.maxWidth}" height="${BAR.height}"></rect>
${v !== null && html`<rect x="0" y="${top + 16}" width="${round1(width)}" height="${BAR.height}" fill="${setupColour(index)}"></rect>`}
<text class="value" x="${round1(v === null ? 0 : width) + BAR.labelGap}" y="${top + 27}">${chartLabel(metric.kind, v)}</text></g>`;
}

/** One metric, one horizontal bar per setup: shares and scores on 0..1, latencies on 0..the slowest. */
export function barChart(setups: SetupSummary[], metric: Metric): Html {
  const values = setups.map((s) => metric.value(s)).filter((v): v is number => v !== null);
  const scaleMax = metric.kind === "ms" ? Math.max(...values, 0) || 1 : 1;
  const height = setups.length * BAR.row + 4;
  const direction = metric.lowerIsBetter ? "lower is better" : "higher is better";
  return html`<figure class="chart" data-chart="${metric.key}"><figcaption>${metric.title} <span class="hint">${direction}</span></figcaption>
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${`${metric.title} by setup`}">
${setups.map((s, i) => bar(s, i, metric, scaleMax, i * BAR.row))}
</svg></figure>`;
}

export type CurveMetric = "pageRecall" | "docRecall";

const CURVE = { left: 42, right: 340, top: 12, bottom: 200, height: 226, labelGap: 11 } as const;

/** Label heights for points at one k: in value order, at least `gap` apart, kept inside [lo, hi]. */
export function spreadLabels(ys: number[], gap: number, lo: number, hi: number): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const placed = order.map((o) => o.y);
  for (let j = 0; j < placed.length; j++) placed[j] = Math.max(placed[j]!, j === 0 ? lo : placed[j - 1]! + gap);
  for (let j = placed.length - 1; j >= 0; j--) placed[j] = Math.min(placed[j]!, j === placed.length - 1 ? hi : placed[j + 1]! - gap);
  const out = new Array<number>(ys.length);
  order.forEach((o, j) => (out[o.i] = placed[j]!));
  return out;
}

function curveX(ks: number[], i: number): number {
  return ks.length === 1 ? (CURVE.left + CURVE.right) / 2 : CURVE.left + (i / (ks.length - 1)) * (CURVE.right - CURVE.left);
}

const curveY = (v: number) => CURVE.bottom - v * (CURVE.bottom - CURVE.top);

function curveAxes(ks: number[]): Html {
  const grid = [0, 0.25, 0.5, 0.75, 1].map((v) => html`<line class="grid" x1="${CURVE.left}" x2="${CURVE.right}" y1="${curveY(v)}" y2="${curveY(v)}"></line><text class="axis" x="${CURVE.left - 6}" y="${curveY(v) + 4}" text-anchor="end">${`${v * 100}%`}</text>`);
  const ticks = ks.map((k, i) => html`<text class="axis" x="${round1(curveX(ks, i))}" y="${CURVE.bottom + 18}" text-anchor="middle">${`k=${k}`}</text>`);
  return html`${grid}${ticks}`;
}

/** Runs of consecutive defined points, so a k without a value breaks the line instead of dropping to 0. */
function polylines(points: Array<{ x: number; y: number } | null>, colour: string): Html[] {
  const runs: Array<Array<{ x: number; y: number }>> = [[]];
  for (const p of points) {
    if (p) runs[runs.length - 1]!.push(p);
    else if (runs[runs.length - 1]!.length) runs.push([]);
  }
  return runs.filter((r) => r.length > 1).map((r) => html`<polyline points="${r.map((p) => `${round1(p.x)},${round1(p.y)}`).join(" ")}" stroke="${colour}"></polyline>`);
}

/** Recall at each k of the report, one line per setup, each point labelled (labels spread apart at a k, each with a key of its setup's colour). */
export function recallCurve(setups: SetupSummary[], ks: number[], metric: CurveMetric, title: string): Html {
  const valueAt = (s: SetupSummary, k: number) => s[metric][String(k)]?.value ?? null;
  const labelY = ks.map((k) => spreadLabels(setups.map((s) => curveY(valueAt(s, k) ?? 0) + 4), CURVE.labelGap, CURVE.top, CURVE.bottom + 4));
  const lines = setups.map((s, si) => polylines(ks.map((k, i) => {
    const v = valueAt(s, k);
    return v === null ? null : { x: curveX(ks, i), y: curveY(v) };
  }), setupColour(si)));
  const points = setups.map((s, si) => ks.map((k, i) => {
    const v = valueAt(s, k);
    const x = round1(curveX(ks, i));
    const dot = v === null ? "" : html`<circle cx="${x}" cy="${round1(curveY(v))}" r="3.5" fill="${setupColour(si)}"></circle>`;
    return html`<g class="point${v === null ? " na" : ""}" data-setup="${s.name}" data-metric="${metric}" data-k="${k}" data-value="${v === null ? "n/a" : String(v)}"><title>${`${s.name}, ${title} at k=${k}: ${formatValue("share", v)}`}</title>${dot}<rect class="key" x="${x + 6}" y="${round1(labelY[i]![si]! - 6)}" width="6" height="6" fill="${setupColour(si)}"></rect><text class="value" x="${x + 14}" y="${round1(labelY[i]![si]!)}">${formatValue("share", v)}</text></g>`;
  }));
  const legend = setups.map((s, i) => html`<li><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${setupColour(i)}"></rect></svg>${s.name}</li>`);
  return html`<figure class="chart curve" data-chart="${metric}"><figcaption>${title}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${CURVE.height}" role="img" aria-label="${`${title} by setup`}">${curveAxes(ks)}${lines}${points}</svg>
<ul class="legend">${legend}</ul></figure>`;
}

/**
 * The HTML report of `folio eval --report`: one self-contained page (inline CSS and SVG, no script,
 * a CSP that forbids loading anything) with the run's header, the summary table, a bar chart per
 * metric, the recall@k curves, the comparisons and the per-question breakdown.
 * Charts and the escaping `html` tag are in ./html-charts.ts.
 */
import { barChart, formatValue, html, Html, metricsFor, recallCurve, type Metric } from "./html-charts.js";
import type { Comparison, EvalReport, QuestionCell, QuestionRow, SetupSummary } from "./summary.js";

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6570; --line: #d5dae0; --track: #eef1f4; --best: #e3f2e6; --warn: #fff4d6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ec; --muted: #9aa4ae; --line: #3a424b; --track: #262c33; --best: #1f3b27; --warn: #3d3216; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 76rem; padding: 1rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0; padding: 0; list-style: none; }
.muted, .hint { color: var(--muted); } .hint { font-size: .8rem; font-weight: normal; }
.warning { background: var(--warn); padding: .5rem .75rem; border-radius: 4px; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: right; vertical-align: top; overflow-wrap: normal; }
td, th[scope=row] { white-space: nowrap; }
th[scope=row] { position: sticky; left: 0; background: Canvas; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.best { background: var(--best); font-weight: 600; }
td.top ol { margin: 0; padding-left: 1.2rem; white-space: nowrap; } td.answer { min-width: 14rem; max-width: 28rem; text-align: left; white-space: normal; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 19rem), 1fr)); gap: 1rem 1.5rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .25rem; }
svg { display: block; width: 100%; height: auto; font-size: 12px; }
svg text { fill: var(--fg); } svg text.axis { fill: var(--muted); font-size: 11px; }
svg .track { fill: var(--track); } svg .grid { stroke: var(--line); }
svg .na text.value { fill: var(--muted); font-style: italic; } svg .na .track { fill: none; stroke: var(--line); stroke-dasharray: 3 3; }
.curve polyline { fill: none; stroke-width: 2; } .curve text.value { font-size: 10px; paint-order: stroke; stroke: Canvas; stroke-width: 3px; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: .25rem 0 0; font-size: .85rem; }
.legend .swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .35rem; vertical-align: -.1rem; }
details > summary { cursor: pointer; font-weight: 600; }
`;

const ran = (report: EvalReport) => report.setups.filter((s) => !s.skipped);

function header(report: EvalReport): Html {
  const first = ran(report)[0];
  const facts = [
    `${report.questions} questions`,
    `${first?.mrr.n ?? 0} answerable`,
    `${first?.declinedUnanswerable.n ?? 0} unanswerable`,
    `answers from the top ${report.answerK} sources`,
    `recall cut-offs k = ${report.ks.join(", ")}`,
  ];
  const setups = report.setups.map((s) => html`<li data-setup="${s.name}"${s.skipped ? html` class="skipped"` : ""}><strong>${s.name}</strong>: ${s.description} <span class="muted">(collection ${s.collection})</span>${s.skipped ? html` <em>skipped: <span class="reason">${s.skipped}</span></em>` : ""}</li>`);
  const skippedQuestions = report.skippedQuestions.map((q) => html`<li data-question="${q.id}"><strong>${q.id}</strong>: ${q.reason}</li>`);
  return html`<header><h1>Folio eval report</h1>
<ul class="facts" id="facts">${facts.map((f) => html`<li>${f}</li>`)}</ul>
${report.interrupted ? html`<p class="warning" id="interrupted">Interrupted: the figures cover the questions measured before the stop.</p>` : ""}
<h2>Setups</h2><ul id="setups">${setups}</ul>
${skippedQuestions.length ? html`<h2>Skipped questions</h2><ul id="skipped-questions">${skippedQuestions}</ul>` : ""}</header>`;
}

/** The best value of each metric among the setups, as src/eval/table.ts marks it (only with two or more values). */
function bestOf(setups: SetupSummary[], metric: Metric): number | null {
  const values = setups.map((s) => metric.value(s)).filter((v): v is number => v !== null);
  if (values.length < 2) return null;
  return metric.lowerIsBetter ? Math.min(...values) : Math.max(...values);
}

function summaryTable(report: EvalReport, metrics: Metric[]): Html {
  const setups = ran(report);
  const best = metrics.map((m) => bestOf(setups, m));
  const rows = setups.map((s) => html`<tr data-setup="${s.name}"><th scope="row">${s.name}</th>${metrics.map((m, i) => {
    const v = m.value(s);
    const isBest = v !== null && v === best[i];
    return html`<td data-metric="${m.key}" data-value="${v === null ? "n/a" : String(v)}"${isBest ? html` class="best" title="best of the column"` : ""}>${formatValue(m.kind, v)}</td>`;
  })}</tr>`);
  return html`<section id="summary"><h2>Summary</h2>
<div class="scroll"><table><thead><tr><th scope="col">setup</th>${metrics.map((m) => html`<th scope="col">${m.title}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>
${setups.length > 1 ? html`<p class="muted">Highlighted: the best of each column.</p>` : ""}</section>`;
}

function charts(report: EvalReport, metrics: Metric[]): Html {
  const setups = ran(report);
  return html`<section id="metrics"><h2>Metrics by setup</h2><div class="charts">${metrics.map((m) => barChart(setups, m))}</div></section>
<section id="recall"><h2>Recall at k</h2><div class="charts">${recallCurve(setups, report.ks, "pageRecall", "page recall@k")}${recallCurve(setups, report.ks, "docRecall", "doc recall@k")}</div></section>`;
}

/** A difference as src/eval/table.ts writes it: MRR in its own units, shares in percentage points. */
function signed(metric: string, v: number): string {
  const sign = v >= 0 ? "+" : "";
  return metric === "mrr" ? `${sign}${v.toFixed(3)}` : `${sign}${(v * 100).toFixed(1)} pts`;
}

function verdict(c: Comparison): string {
  return c.result.low > 0 ? "better" : c.result.high < 0 ? "worse" : "no significant difference";
}

function comparisons(report: EvalReport): Html {
  if (report.comparisons.length === 0) return html``;
  const rows = report.comparisons.map((c) => html`<tr data-setup="${c.setup}" data-baseline="${c.baseline}" data-metric="${c.metric}" data-difference="${String(c.result.difference)}" data-low="${String(c.result.low)}" data-high="${String(c.result.high)}">
<td class="text">${c.setup} vs ${c.baseline}</td><td class="text">${c.metric}</td><td>${signed(c.metric, c.result.difference)}</td><td>${`${signed(c.metric, c.result.low)} to ${signed(c.metric, c.result.high)}`}</td><td>${c.result.n}</td><td class="text">${verdict(c)}</td></tr>`);
  return html`<section id="comparisons"><h2>Comparisons</h2><p class="muted">Paired difference over the questions both setups scored, with its 95% bootstrap interval.</p>
<div class="scroll"><table><thead><tr><th class="text">setups</th><th class="text">metric</th><th>difference</th><th>95% CI</th><th>questions</th><th class="text">verdict</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

const yesNo = (v: boolean | undefined) => (v === undefined ? "n/a" : v ? "yes" : "no");
const QUESTION_COLUMNS = ["page hit@5", "RR", "contains", "declined", "top hits", "answer"];

function questionCells(setup: string, cell: QuestionCell | undefined): Html {
  if (!cell) return html`<td data-setup="${setup}" colspan="${QUESTION_COLUMNS.length}" class="text muted">not measured</td>`;
  const hit = cell.pageHit5 === undefined ? "n/a" : cell.pageHit5 ? "hit" : "miss";
  return html`<td data-setup="${setup}" data-field="pageHit5">${hit}</td><td data-setup="${setup}" data-field="reciprocalRank">${cell.reciprocalRank.toFixed(3)}</td>
<td data-setup="${setup}" data-field="contains">${yesNo(cell.contains)}</td><td data-setup="${setup}" data-field="declined">${yesNo(cell.declined)}</td>
<td class="top text" data-setup="${setup}"><ol>${cell.top.map((t) => html`<li>${t}</li>`)}</ol></td><td class="answer" data-setup="${setup}">${cell.answer}</td>`;
}

function questionRow(row: QuestionRow, setups: string[]): Html {
  return html`<tr data-question="${row.id}"><th scope="row">${row.id}</th><td class="text">${row.kind ?? ""}</td>${setups.map((s) => questionCells(s, row.setups[s]))}</tr>`;
}

function perQuestion(report: EvalReport): Html {
  const setups = ran(report).map((s) => s.name);
  if (report.perQuestion.length === 0 || setups.length === 0) return html``;
  return html`<section id="questions"><details><summary>Per question (${report.perQuestion.length})</summary>
<div class="scroll"><table><thead><tr><th rowspan="2" class="text">question</th><th rowspan="2" class="text">kind</th>${setups.map((s) => html`<th colspan="${QUESTION_COLUMNS.length}" class="text">${s}</th>`)}</tr>
<tr>${setups.map(() => QUESTION_COLUMNS.map((c) => html`<th>${c}</th>`))}</tr></thead>
<tbody>${report.perQuestion.map((r) => questionRow(r, setups))}</tbody></table></div></details></section>`;
}

export function renderHtmlReport(report: EvalReport): string {
  const metrics = metricsFor(report);
  const body = ran(report).length
    ? html`${summaryTable(report, metrics)}${charts(report, metrics)}${comparisons(report)}${perQuestion(report)}`
    : html`<p class="warning" id="nothing-ran">No setup ran.</p>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Folio eval report</title><style>${new Html(STYLE)}</style></head>
<body>${header(report)}<main>${body}</main></body></html>
`.text;
}

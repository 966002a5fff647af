/**
 * The `folio eval` HTML report: a hand-written run (two setups that ran, one skipped) through
 * `summarize` and `renderHtmlReport`, checked as text (escaping) and in headless Chromium
 * (playwright-core, the system's /usr/bin/chromium, as test/web/browser.test.ts): no requests but
 * the page, every bar and curve point carries the JSON's figure, no console errors, no horizontal
 * overflow on a 390 px phone. Leaves screenshots at test/.tmp/eval-report-*.png.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../../src/eval/html.js";
import type { EvalRun, QuestionScore, SetupRun } from "../../src/eval/run.js";
import type { SetupSpec } from "../../src/eval/setups.js";
import { summarize, type EvalReport, type SetupSummary } from "../../src/eval/summary.js";
import { removeDir, tempDir } from "../helpers/tmp.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const TMP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.tmp");

if (!hasChromium) console.warn(`test/eval/report-browser.test.ts (browser part) skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);

const KS = [1, 5, 10];
const SKIP_REASON = "needs an embeddings endpoint (set JINA_API_KEY or JINA_BASE_URL)";

function spec(name: string, description = "a setup"): SetupSpec {
  return { name, description, multivector: false };
}

function score(id: string, fields: Partial<QuestionScore>): QuestionScore {
  return { id, unanswerable: false, docRecall: {}, reciprocalRank: 0, ndcg10: 0, retrievalMs: 5, answerMs: 20, declined: false, goldInSources: false, cited: 0, top: [`doc-${id} p. 1`], answer: `answer to ${id}`, ...fields };
}

const byK = (values: number[]) => Object.fromEntries(KS.map((k, i) => [String(k), values[i]!]));

/** q1 page and passage gold, q2 page gold, q3 paper gold only, q4 unanswerable. Sparse cites nothing. */
function sparseScores(): QuestionScore[] {
  return [
    score("q1", { kind: "fact", docRecall: byK([1, 1, 1]), pageHit: byK([0, 1, 1]), passageHit: byK([0, 1, 1]), reciprocalRank: 0.5, ndcg10: 0.631, retrievalMs: 4, contains: true, goldInSources: true }),
    score("q2", { kind: "number", docRecall: byK([0, 1, 1]), pageHit: byK([0, 0, 1]), reciprocalRank: 0.1, ndcg10: 0.289, retrievalMs: 12, contains: false, declined: true, goldInSources: true }),
    score("q3", { kind: "definition", docRecall: byK([1, 1, 1]), reciprocalRank: 1, ndcg10: 1, retrievalMs: 6 }),
    score("q4", { kind: "unanswerable", unanswerable: true, retrievalMs: 3, declined: true }),
  ];
}

function hybridScores(): QuestionScore[] {
  return [
    score("q1", { kind: "fact", docRecall: byK([1, 1, 1]), pageHit: byK([1, 1, 1]), passageHit: byK([1, 1, 1]), reciprocalRank: 1, ndcg10: 1, retrievalMs: 30, contains: true, citationPrecision: 1, goldInSources: true, cited: 2 }),
    score("q2", { kind: "number", docRecall: byK([1, 1, 1]), pageHit: byK([0, 1, 1]), reciprocalRank: 0.5, ndcg10: 0.631, retrievalMs: 45, contains: true, citationPrecision: 0.5, goldInSources: true, cited: 2 }),
    score("q3", { kind: "definition", docRecall: byK([0, 1, 1]), reciprocalRank: 0.5, ndcg10: 0.5, retrievalMs: 38, cited: 1 }),
    score("q4", { kind: "unanswerable", unanswerable: true, retrievalMs: 29, declined: false, cited: 1 }),
  ];
}

function run(setups: SetupRun[]): EvalRun {
  return { questions: 4, skippedQuestions: [{ id: "q5", reason: "names no document of the collection" }], ks: KS, answerK: 5, setups, interrupted: false };
}

const REPORT: EvalReport = summarize(run([
  { setup: spec("sparse", "BM25 only"), collection: "folio", scores: sparseScores() },
  { setup: spec("hybrid", "dense and BM25, fused"), collection: "folio", scores: hybridScores() },
  { setup: spec("dense", "Jina dense vectors only"), skipped: SKIP_REASON, collection: "folio", scores: [] },
]));

/** What each bar should show, read from the JSON independently of the report's code. */
const EXPECTED_BARS: Record<string, { value: (s: SetupSummary) => number | null; format: "pct" | "num" | "ms" }> = {
  "docRecall@5": { value: (s) => s.docRecall["5"]!.value, format: "pct" },
  "pageRecall@1": { value: (s) => s.pageRecall["1"]!.value, format: "pct" },
  "pageRecall@5": { value: (s) => s.pageRecall["5"]!.value, format: "pct" },
  "passageRecall@5": { value: (s) => s.passageRecall["5"]!.value, format: "pct" },
  mrr: { value: (s) => s.mrr.value, format: "num" },
  ndcg10: { value: (s) => s.ndcg10.value, format: "num" },
  answerContains: { value: (s) => s.answerContains.value, format: "pct" },
  citationPrecision: { value: (s) => s.citationPrecision.value, format: "pct" },
  declinedUnanswerable: { value: (s) => s.declinedUnanswerable.value, format: "pct" },
  falseDeclines: { value: (s) => s.falseDeclines.value, format: "pct" },
  noCitation: { value: (s) => s.noCitation.value, format: "pct" },
  "latencyMs.p50": { value: (s) => s.latencyMs.p50, format: "ms" },
  "latencyMs.p95": { value: (s) => s.latencyMs.p95, format: "ms" },
};

function expectedLabel(format: "pct" | "num" | "ms", v: number | null): string {
  if (v === null) return "n/a";
  if (format === "pct") return `${(v * 100).toFixed(1)}%`;
  if (format === "num") return v.toFixed(3);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

function expectFigure(actual: string, expected: number | null, what: string): void {
  if (expected === null) return void expect(actual, what).toBe("n/a");
  expect(Number(actual), what).toBeCloseTo(expected, 6);
}

describe("renderHtmlReport as text", () => {
  it("escapes setup names, question ids and answers", () => {
    const hostile = '<script>alert("x")</script>';
    const report = summarize(run([{ setup: spec(hostile), collection: "c<1>", scores: [score('q"1', { docRecall: byK([1, 1, 1]), answer: "<script>alert(1)</script> & <img src=x onerror=alert(2)>", top: ["<b>doc</b> p. 2"] })] }]));
    const page = renderHtmlReport(report);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain("<b>doc</b>");
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;");
    expect(page).toContain('data-question="q&quot;1"');
    expect(page).toContain('data-setup="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"');
  });

  it("draws the sparse setup's figures the test computed by hand", () => {
    const page = renderHtmlReport(REPORT);
    // MRR over the answerable q1..q3: (0.5 + 0.1 + 1) / 3; sparse cites nothing, so no citation precision.
    expect(page).toMatch(/<g class="bar" data-setup="sparse" data-metric="mrr" data-value="0\.533\d*"/);
    expect(page).toMatch(/data-setup="sparse" data-metric="citationPrecision" data-value="n\/a"/);
  });
});

interface DrawnFigure {
  setup: string;
  metric: string;
  k: string | null;
  value: string;
  label: string;
  labelInside: boolean;
}

/** Every `.bar` or `.point` of the page with its label, and whether the label lies inside its chart. */
function drawn(page: Page, selector: string): Promise<DrawnFigure[]> {
  return page.evaluate((sel) => Array.from(document.querySelectorAll(sel), (g) => {
    const label = g.querySelector("text.value");
    const box = label?.getBoundingClientRect();
    const svg = g.closest("svg")!.getBoundingClientRect();
    const inside = Boolean(box && box.width > 0 && box.left >= svg.left - 1 && box.right <= svg.right + 1 && box.top >= svg.top - 1 && box.bottom <= svg.bottom + 1);
    return { setup: g.getAttribute("data-setup") ?? "", metric: g.getAttribute("data-metric") ?? "", k: g.getAttribute("data-k"), value: g.getAttribute("data-value") ?? "", label: label?.textContent ?? "", labelInside: inside };
  }), selector);
}

describe.skipIf(!hasChromium)("eval HTML report in headless Chromium", () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const ran = REPORT.setups.filter((s) => !s.skipped);

  beforeAll(async () => {
    dir = await tempDir("eval-report");
    const file = path.join(dir, "report.html");
    await writeFile(file, renderHtmlReport(REPORT));
    url = pathToFileURL(file).href;
    context = await chromium.launchPersistentContext(path.join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("request", (request) => requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(url, { waitUntil: "load" });
  });
  afterAll(async () => {
    await context?.close();
    if (dir) await removeDir(dir);
  });

  it("loads nothing but the document", () => {
    expect(requests).toEqual([url]);
  });

  it("draws one bar per metric and setup that ran, with the JSON's figure as data and as label", async () => {
    const bars = await drawn(page, "g.bar");
    expect(bars).toHaveLength(Object.keys(EXPECTED_BARS).length * ran.length);
    for (const setup of ran) {
      for (const [metric, { value, format }] of Object.entries(EXPECTED_BARS)) {
        const found = bars.filter((b) => b.setup === setup.name && b.metric === metric);
        expect(found, `${setup.name} ${metric}`).toHaveLength(1);
        const expected = value(setup);
        expectFigure(found[0]!.value, expected, `${setup.name} ${metric}`);
        expect(found[0]!.label, `${setup.name} ${metric} label`).toBe(expectedLabel(format, expected));
        expect(found[0]!.labelInside, `${setup.name} ${metric} label inside the chart`).toBe(true);
      }
    }
    expect(bars.some((b) => b.setup === "dense")).toBe(false);
    // A metric that does not apply is drawn as n/a, without a bar.
    expect(await page.locator('g.bar[data-setup="sparse"][data-metric="citationPrecision"] rect[fill]').count()).toBe(0);
  });

  it("draws a recall curve point per k and setup with the JSON's recall", async () => {
    for (const curve of ["pageRecall", "docRecall"] as const) {
      const points = await drawn(page, `g.point[data-metric="${curve}"]`);
      expect(points).toHaveLength(KS.length * ran.length);
      for (const setup of ran) {
        for (const k of KS) {
          const found = points.filter((p) => p.setup === setup.name && p.k === String(k));
          expect(found, `${curve} ${setup.name} k=${k}`).toHaveLength(1);
          const expected = setup[curve][String(k)]!.value;
          expectFigure(found[0]!.value, expected, `${curve} ${setup.name} k=${k}`);
          expect(found[0]!.label).toBe(expectedLabel("pct", expected));
          expect(found[0]!.labelInside).toBe(true);
        }
      }
      expect(await page.locator(`figure[data-chart="${curve}"] polyline`).count()).toBe(ran.length);
      expect(await page.locator(`figure[data-chart="${curve}"] .legend li`).allTextContents()).toEqual(ran.map((s) => s.name));
    }
  });

  it("shows the skipped setup with its reason, the skipped question and the counts", async () => {
    const skipped = page.locator('#setups li[data-setup="dense"]');
    await expect.poll(() => skipped.isVisible()).toBe(true);
    expect(await skipped.textContent()).toContain(SKIP_REASON);
    expect(await page.locator("#skipped-questions").textContent()).toContain("q5");
    expect(await page.locator("#facts").textContent()).toMatch(/4 questions.*3 answerable.*1 unanswerable/);
    expect(await page.locator("#interrupted").count()).toBe(0);
  });

  it("marks the best of each summary column and lists the comparisons", async () => {
    expect(await page.locator('#summary td.best[data-metric="mrr"]').getAttribute("data-value")).toBe(String(REPORT.setups.find((s) => s.name === "hybrid")!.mrr.value));
    expect(await page.locator('#summary td.best[data-metric="latencyMs.p50"]').locator("xpath=..").getAttribute("data-setup")).toBe("sparse");
    const rows = page.locator("#comparisons tbody tr");
    expect(await rows.count()).toBe(REPORT.comparisons.length);
    const mrr = REPORT.comparisons.find((c) => c.metric === "mrr")!;
    expect(Number(await rows.first().getAttribute("data-difference"))).toBeCloseTo(mrr.result.difference, 6);
    expect(await rows.first().textContent()).toContain(`${mrr.result.difference >= 0 ? "+" : ""}${mrr.result.difference.toFixed(3)}`);
  });

  it("fits a 390 px phone with the per-question table open, and logs no errors", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#questions summary").click();
    await expect.poll(() => page.locator('#questions tr[data-question="q1"]').isVisible()).toBe(true);
    const widths = await page.evaluate(() => ({ document: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
    expect(widths.document).toBeLessThanOrEqual(394);
    expect(widths.body).toBeLessThanOrEqual(394);
    await mkdir(TMP, { recursive: true });
    await page.screenshot({ path: path.join(TMP, "eval-report-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: path.join(TMP, "eval-report-1280.png"), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});

/**
 * `folio eval` end to end through the real CLI on embedded defaults (BM25, extractive answerer):
 * the demo corpus (data/papers) with its question sets (data/eval), a setup with its own chunk
 * size, the text table, the HTML report, BEIR folders and usage errors.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { EvalReport, SetupSummary } from "../../src/eval/summary.js";
import { runFolio } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";

const root = path.resolve(import.meta.dirname, "../..");
const QUESTIONS = "data/eval/demo-questions.jsonl";
const CHUNK_COLLECTION = "folio-eval-chunk128";
/** docIds of the demo papers: hashes of "papers/<file>", the same on every machine. */
const DENSE_SPARSE = "file:9c520ccda9cc2384";

const round = (v: number | null) => (v === null ? null : Math.round(v * 1e4) / 1e4);

/** The figures of a setup that do not depend on timing, rounded to 4 places. */
function figures(s: SetupSummary) {
  const atK = (r: SetupSummary["docRecall"]) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v.value)]));
  return {
    questions: s.questions,
    docRecall: atK(s.docRecall),
    pageRecall: atK(s.pageRecall),
    passageRecall: atK(s.passageRecall),
    mrr: round(s.mrr.value),
    ndcg10: round(s.ndcg10.value),
    answerContains: round(s.answerContains.value),
    citationPrecision: round(s.citationPrecision.value),
    declinedUnanswerable: round(s.declinedUnanswerable.value),
    falseDeclines: round(s.falseDeclines.value),
    noCitation: round(s.noCitation.value),
  };
}

interface DocRecord {
  docId: string;
  chunks: number;
  ingestedAt: string;
}

describe("folio eval on the demo corpus", () => {
  const home = useTempDir("eval-cli");
  const env = () => ({ FOLIO_HOME: home() });
  const docs = async (collection?: string): Promise<DocRecord[]> => {
    const run = await runFolio(["docs", "--json"], { env: { ...env(), ...(collection ? { FOLIO_COLLECTION: collection } : {}) }, cwd: root });
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as { documents: DocRecord[] }).documents;
  };

  beforeAll(async () => {
    const run = await runFolio(["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--json"], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).ingested).toBe(4);
  });

  let firstBuild: DocRecord[] = [];

  it("reports the exact figures of the question set, with the chunk-size setup on a collection of its own", async () => {
    const run = await runFolio(["eval", QUESTIONS, "--setups", "current,sparse@chunk=128", "--json"], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Setup sparse@chunk=128: collection "${CHUNK_COLLECTION}" holds the 4 documents with 128-token chunks`);
    // The setup's collection holds the same four documents, in more (smaller) chunks (kept for the next test first).
    firstBuild = await docs(CHUNK_COLLECTION);
    const main = await docs();
    expect(firstBuild.map((d) => d.docId).sort()).toEqual(main.map((d) => d.docId).sort());
    expect(firstBuild.reduce((n, d) => n + d.chunks, 0)).toBeGreaterThan(main.reduce((n, d) => n + d.chunks, 0));

    const report = JSON.parse(run.stdout) as EvalReport;
    expect(report).toMatchObject({ questions: 14, skippedQuestions: [], ks: [1, 5, 10, 20], answerK: 6, interrupted: false });
    expect(report.setups.map((s) => [s.name, s.collection, s.skipped])).toEqual([
      ["current", "folio", undefined],
      ["sparse@chunk=128", CHUNK_COLLECTION, undefined],
    ]);

    // These figures are exact because the run is offline and deterministic (BM25 and the extractive
    // answerer), but they change whenever chunking, retrieval or the answerer change. To regenerate:
    // ingest as in beforeAll, run `folio eval data/eval/demo-questions.jsonl --setups current,sparse@chunk=128 --json`,
    // and check the new figures against its perQuestion breakdown (as the comments below do) before pasting them.
    // 12 answerable questions (one gold page and passage each), 2 unanswerable.
    const all = (v: number) => ({ "1": v, "5": 1, "10": 1, "20": 1 });
    expect(figures(report.setups[0]!)).toEqual({
      questions: 14,
      docRecall: all(1),
      pageRecall: all(1),
      // demo-02 (Qdrant's default k): its gold page comes first, but the chunk with the passage third.
      passageRecall: all(0.9167), // 11/12
      mrr: 0.9444, // (11 + 1/3) / 12
      ndcg10: 0.9583, // (11 + 1/log2(4)) / 12
      // demo-03 (DPR's margin), demo-05 (a table row instead of the sentence) and demo-10 (late chunking)
      // quote a passage next to their gold answer, not the answer (the extractive answerer, src/chat).
      answerContains: 0.75, // 9/12
      citationPrecision: 0.8194,
      declinedUnanswerable: 1, // 2/2
      falseDeclines: 0,
      noCitation: 0,
    });
    expect(figures(report.setups[1]!)).toEqual({
      questions: 14,
      docRecall: all(1),
      // 128-token chunks: demo-08 (exponential nDCG) ranks the abstract on page 1 first, its passage third.
      pageRecall: all(0.9167), // 11/12
      passageRecall: all(0.8333), // 10/12
      mrr: 0.8889, // (10 + 2/3) / 12
      ndcg10: 0.9167, // (10 + 2 * 1/log2(4)) / 12
      answerContains: 0.75,
      citationPrecision: 0.8194,
      declinedUnanswerable: 1,
      falseDeclines: 0,
      noCitation: 0,
    });
    const rr = Object.fromEntries(report.perQuestion.map((q) => [q.id, [round(q.setups.current!.reciprocalRank), round(q.setups["sparse@chunk=128"]!.reciprocalRank)]]));
    expect(rr).toMatchObject({ "demo-01": [1, 1], "demo-02": [0.3333, 0.3333], "demo-08": [1, 0.3333], "demo-13": [0, 0], "demo-14": [0, 0] });
    expect(report.perQuestion.find((q) => q.id === "demo-10")?.setups.current).toMatchObject({ contains: false, declined: false });
    expect(report.perQuestion.find((q) => q.id === "demo-06")?.setups.current?.top[0]).toBe("file:73d32ffe8c8e7166 p. 2 (Figure 1)");
    // MRR: -2/3 on one question of 12; the answers are the same.
    expect(report.comparisons.map((c) => [c.metric, round(c.result.difference), c.result.n])).toEqual([
      ["mrr", -0.0556, 12],
      ["answerContains", 0, 12],
    ]);
    expect(report.comparisons[1]!.result).toMatchObject({ low: 0, high: 0 });
  });

  it("reuses the setup's collection on a second run, prints a table with the best values marked, and writes the HTML report", async () => {
    expect(firstBuild).toHaveLength(4);
    const report = path.join(home(), "out.html");
    const run = await runFolio(["eval", QUESTIONS, "--setups", "current,sparse@chunk=128", "--report", report], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`collection "${CHUNK_COLLECTION}"`);
    expect(await docs(CHUNK_COLLECTION)).toEqual(firstBuild); // nothing re-ingested: same records, same ingestedAt

    const lines = run.stdout.split("\n");
    const cells = (line: string) => line.trim().split(/\s{2,}/);
    const header = cells(lines[0]!);
    const current = cells(lines.find((l) => l.startsWith("current "))!);
    const chunked = cells(lines.find((l) => l.startsWith("sparse@chunk=128 "))!);
    const column = (title: string) => header.indexOf(title);
    expect(column("MRR")).toBeGreaterThan(0);
    expect(current[column("MRR")]).toBe("0.944*");
    expect(chunked[column("MRR")]).toBe("0.889");
    expect(current[column("passage R@5")]).toBe("100.0%*");
    expect(chunked[column("passage R@5")]).toBe("100.0%*");
    expect(current[column("page R@1")]).toBe("100.0%*");
    expect(chunked[column("page R@1")]).toBe("91.7%");
    expect(current[column("false declines")]).toBe("0.0%*"); // lower is better: the tie marks both
    expect(run.stdout).toContain("14 questions (12 answerable, 2 unanswerable); answers from the top 6 sources; * marks the best of each column.");
    expect(run.stdout).toMatch(/sparse@chunk=128 vs current, mrr: -0\.056 \(95% CI .* 12 questions\)/);

    const html = await readFile(report, "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("sparse@chunk=128");
    expect(run.stderr).toContain(`Report written to ${report}.`);
  });

  it("runs a BEIR folder with graded qrels that name papers by file name", async () => {
    const run = await runFolio(["eval", "data/eval/demo-beir", "--setups", "sparse", "--json"], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as EvalReport;
    // 9 queries: b7's score-0 row is ignored, b9 has no qrels and is dropped.
    expect(report.questions).toBe(8);
    expect(report.skippedQuestions).toEqual([]);
    const [sparse] = report.setups;
    // Figures exact as above (regenerate the same way with `folio eval data/eval/demo-beir --setups sparse --json`).
    // b2 and b5 have two gold papers (grades 2 and 1); BM25 ranks the grade-2 paper's chunks first for both,
    // so the grade-1 paper is found after the fifth hit (recall 1/2 up to k = 5) and, for one of them,
    // after another paper: units 2, 0, 1, nDCG (2 + 1/2) / (2 + 1/log2(3)).
    expect(figures(sparse!)).toMatchObject({
      questions: 8,
      docRecall: { "1": 0.875, "5": 0.875, "10": 1, "20": 1 }, // (6 + 1/2 + 1/2) / 8
      pageRecall: { "1": null, "5": null },
      mrr: 1,
      ndcg10: round((7 + 2.5 / (2 + 1 / Math.log2(3))) / 8),
      answerContains: null,
      citationPrecision: 1,
    });
    // nDCG@10 looks 10 deep whatever the recall cut-offs (the grade-1 papers come after rank 1).
    const shallow = await runFolio(["eval", "data/eval/demo-beir", "--setups", "sparse", "--k", "1", "--json"], { env: env(), cwd: root });
    expect((JSON.parse(shallow.stdout) as EvalReport).setups[0]!.ndcg10).toEqual(sparse!.ndcg10);
  });

  it("reports a question whose gold names no stored document as a skip, and measures the rest", async () => {
    const beir = path.join(home(), "beir-unknown");
    await mkdir(path.join(beir, "qrels"), { recursive: true });
    await writeFile(path.join(beir, "queries.jsonl"), [{ _id: "gone", text: "reciprocal rank fusion" }, { _id: "here", text: "reciprocal rank fusion constant" }].map((q) => JSON.stringify(q)).join("\n"));
    await writeFile(path.join(beir, "qrels", "test.tsv"), `query-id\tcorpus-id\tscore\ngone\tno-such-paper.pdf\t1\nhere\t${DENSE_SPARSE}\t1\n`);
    const run = await runFolio(["eval", beir, "--setups", "sparse", "--json"], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as EvalReport;
    expect(report.skippedQuestions).toEqual([{ id: "gone", reason: 'queries.jsonl:1: "no-such-paper.pdf" names no document in the store' }]);
    expect(report.questions).toBe(1);
    expect(report.setups[0]).toMatchObject({ questions: 1, mrr: { value: 1, n: 1 } });
    const text = await runFolio(["eval", beir, "--setups", "sparse"], { env: env(), cwd: root });
    expect(text.stdout).toContain('skipped question gone: queries.jsonl:1: "no-such-paper.pdf" names no document in the store');
  });

  it("scores a setup's own collection by the main collection's docIds when the files get other ids there", async () => {
    // Ingested as <corpus>/notes/*.pdf the ids hash "corpus/notes/<file>"; the setup's collection gets the
    // files one by one, so its ids hash "notes/<file>": the gold must still apply, and a second run must keep it.
    const corpus = path.join(home(), "corpus");
    await mkdir(path.join(corpus, "notes"), { recursive: true });
    for (const f of ["evaluating-retrieval.pdf", "dense-sparse-hybrid-retrieval.pdf"]) await writeFile(path.join(corpus, "notes", f), await readFile(path.join(root, "data/papers", f)));
    const other = { FOLIO_HOME: path.join(home(), "nested-home") };
    expect((await runFolio(["ingest", corpus, "--json"], { env: other, cwd: root })).code).toBe(0);
    const mainIds = new Set((JSON.parse((await runFolio(["docs", "--json"], { env: other, cwd: root })).stdout) as { documents: DocRecord[] }).documents.map((d) => d.docId));
    const questions = path.join(home(), "nested.jsonl");
    await writeFile(questions, JSON.stringify({ id: "n1", question: "What nDCG@5 does the worked example reach with exponential gains?", paper: "evaluating-retrieval.pdf", page: 2, answer: "0.821" }));
    for (const attempt of ["built", "reused"]) {
      const run = await runFolio(["eval", questions, "--setups", "sparse,sparse@chunk=128", "--json"], { env: other, cwd: root });
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as EvalReport;
      const [whole, chunked] = report.setups;
      expect(chunked!.docRecall["20"], attempt).toEqual({ value: 1, n: 1 });
      expect(chunked!.pageRecall["20"], attempt).toEqual(whole!.pageRecall["20"]);
      // The breakdown names papers by the main collection's ids too.
      const shown = report.perQuestion[0]!.setups["sparse@chunk=128"]!.top.map((t) => t.split(" ")[0]!);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.every((id) => mainIds.has(id)), shown.join(", ")).toBe(true);
    }
    const setupDocs = await runFolio(["docs", "--json"], { env: { ...other, FOLIO_COLLECTION: CHUNK_COLLECTION }, cwd: root });
    expect(JSON.parse(setupDocs.stdout).documents).toHaveLength(2);
  });

  it("exits 2 on an unknown setup, a bad chunk size and a bad --k, saying what is accepted", async () => {
    const unknown = await runFolio(["eval", QUESTIONS, "--setups", "sparse,bm42"], { env: env(), cwd: root });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown setup "bm42"/);
    expect(unknown.stderr).toMatch(/hint: Setups: current, sparse, dense, hybrid, hybrid\+multivector, hybrid\+rerank/);
    const chunk = await runFolio(["eval", QUESTIONS, "--setups", "sparse@chunk=8"], { env: env(), cwd: root });
    expect(chunk.code).toBe(2);
    expect(chunk.stderr).toMatch(/Chunk size 8 in "sparse@chunk=8" is out of range/);
    for (const k of ["0", "1,five", "101", ""]) {
      const run = await runFolio(["eval", QUESTIONS, "--k", k], { env: env(), cwd: root });
      expect(run.code, `--k "${k}"`).toBe(2);
      expect(run.stderr).toMatch(/--k must be a list of whole numbers from 1 to 100/);
    }
    expect(unknown.stdout + chunk.stdout).toBe("");
  });

  it("refuses a --report it could not write before running anything, exiting 2", async () => {
    const target = path.join(home(), "no-such-folder", "report.html");
    const run = await runFolio(["eval", QUESTIONS, "--report", target], { env: env(), cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Cannot write the report to ${target}`);
    expect(run.stderr).toMatch(/hint: Create the folder/);
    expect(run.stdout).toBe("");
  });

  it("names a question set that is not there, exiting 1", async () => {
    const run = await runFolio(["eval", "data/eval/no-such-set.jsonl"], { env: env(), cwd: root });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`No question set at ${path.join(root, "data/eval/no-such-set.jsonl")}.`);
    expect(run.stderr).toMatch(/hint:/);
  });
});

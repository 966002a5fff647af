/**
 * From per-question scores to a setup's summary and the comparisons (src/eval/summary.ts), on
 * hand-written scores: which questions each figure is over.
 */
import { describe, expect, it } from "vitest";
import type { EvalRun, QuestionScore, SetupRun } from "../../src/eval/run.js";
import { summarize } from "../../src/eval/summary.js";

function score(id: string, fields: Partial<QuestionScore>): QuestionScore {
  return { id, unanswerable: false, docRecall: {}, reciprocalRank: 0, ndcg10: 0, retrievalMs: 10, answerMs: 20, declined: false, goldInSources: false, cited: 1, top: [], answer: "", ...fields };
}

function setup(name: string, scores: QuestionScore[]): SetupRun {
  return { setup: { name, description: name, multivector: false }, collection: "folio", scores };
}

function run(ks: number[], setups: SetupRun[]): EvalRun {
  return { questions: 3, skippedQuestions: [], ks, answerK: 6, setups, interrupted: false };
}

describe("summarize", () => {
  // g1 has a gold paper and page, a1 only a gold answer, u1 is unanswerable.
  const first = [
    score("g1", { docRecall: { "1": 1, "10": 1 }, pageHit: { "1": 1, "10": 1 }, reciprocalRank: 1, ndcg10: 1, contains: false }),
    score("a1", { contains: true }),
    score("u1", { unanswerable: true, declined: true, cited: 0 }),
  ];
  const second = [
    score("g1", { docRecall: { "1": 0, "10": 1 }, pageHit: { "1": 0, "10": 1 }, reciprocalRank: 0.5, ndcg10: 0.631, contains: true }),
    score("a1", { contains: true }),
    score("u1", { unanswerable: true, declined: false, cited: 0 }),
  ];
  const report = summarize(run([1, 10], [setup("one", first), setup("two", second)]));

  it("counts answer-only questions in the answer figure, not in the retrieval figures", () => {
    const [one, two] = report.setups;
    expect(one!.answerContains).toEqual({ value: 0.5, n: 2 });
    expect(two!.answerContains).toEqual({ value: 1, n: 2 });
    expect(one!.mrr).toEqual({ value: 1, n: 1 });
    expect(two!.docRecall["1"]).toEqual({ value: 0, n: 1 });
    expect(one!.declinedUnanswerable).toEqual({ value: 1, n: 1 });
    expect(two!.noCitation).toEqual({ value: 1 / 3, n: 3 }); // u1 answered without a citation
  });

  it("compares MRR over the questions with gold documents only, and answers over those with a gold answer", () => {
    expect(report.comparisons.map((c) => [c.metric, c.result.difference, c.result.n])).toEqual([
      ["mrr", -0.5, 1],
      ["answerContains", 0.5, 2],
    ]);
  });

  it("leaves out the per-question page hit at 5 when 5 is not a cut-off", () => {
    expect(report.perQuestion.find((q) => q.id === "g1")!.setups.one).not.toHaveProperty("pageHit5");
    const atFive = summarize(run([5], [setup("one", [score("g1", { docRecall: { "5": 1 }, pageHit: { "5": 0 } })])]));
    expect(atFive.perQuestion[0]!.setups.one).toMatchObject({ pageHit5: 0 });
  });
});

/**
 * The metrics of `folio eval` (src/eval/metrics.ts) against cases computed by hand. nDCG's graded
 * case is the worked example of the demo corpus (data/papers/evaluating-retrieval.pdf, p. 2).
 */
import { describe, expect, it } from "vitest";
import {
  PASSAGE_COVERAGE,
  answerContains,
  answerTokens,
  docRecallAt,
  holdsPassage,
  lcsLength,
  ndcgAt,
  pageHitAt,
  pairedBootstrap,
  passageCoverage,
  passageHitAt,
  percentile,
  rankedUnits,
  reciprocalRank,
  supports,
  type RankedHit,
  type ResolvedGold,
} from "../../src/eval/metrics.js";

const hit = (id: string, docId: string, page?: number, text = ""): RankedHit => ({ id, docId, ...(page !== undefined ? { page } : {}), text });
const docs = (entries: Record<string, number>) => new Map(Object.entries(entries));
const split = (s: string) => s.split(" ");

describe("passage matching", () => {
  it("counts the longest common subsequence of words", () => {
    expect(lcsLength(split("a b c d"), split("a c b d"))).toBe(3);
    expect(lcsLength(split("a b"), split("b a"))).toBe(1);
    expect(lcsLength(split("x a y b z c"), split("a b c"))).toBe(3);
    expect(lcsLength([], split("a b"))).toBe(0);
    expect(lcsLength(split("a a b"), split("a b"))).toBe(2);
  });

  it("ignores case, punctuation and the text's other words", () => {
    expect(passageCoverage("the quick brown fox", "Intro. The QUICK, brown ... and then a fox!")).toBe(1);
    expect(passageCoverage("", "anything")).toBe(0);
    expect(passageCoverage("a a b", "a b")).toBeCloseTo(2 / 3, 12);
  });

  it("needs the words in order: the same words reversed hold one fifth", () => {
    const passage = "alpha beta gamma delta epsilon";
    expect(passageCoverage(passage, "epsilon delta gamma beta alpha")).toBeCloseTo(1 / 5, 12);
    expect(holdsPassage(passage, "epsilon delta gamma beta alpha")).toBe(false);
    expect(holdsPassage(passage, `before ${passage} after`)).toBe(true);
  });

  it("holds the passage at exactly the threshold, not one word below", () => {
    expect(PASSAGE_COVERAGE).toBe(0.6);
    const passage = "w1 w2 w3 w4 w5";
    expect(passageCoverage(passage, "w1 x w3 y w5")).toBe(0.6);
    expect(holdsPassage(passage, "w1 x w3 y w5")).toBe(true);
    expect(holdsPassage(passage, "w1 x w3 y")).toBe(false);
    const ten = "a b c d e f g h i j";
    expect(holdsPassage(ten, "a b c d e f")).toBe(true);
    expect(holdsPassage(ten, "a b c d e")).toBe(false);
  });
});

describe("answer matching", () => {
  it("splits letters from digits and keeps decimals and thousands together", () => {
    expect(answerTokens("340M")).toEqual(["340", "m"]);
    expect(answerTokens("340 M")).toEqual(["340", "m"]);
    expect(answerTokens("nDCG@5 = 0.771.")).toEqual(["ndcg", "5", "0.771"]);
    expect(answerTokens("153,600 bytes")).toEqual(["153600", "bytes"]);
    expect(answerTokens("３４０Ｍ")).toEqual(["340", "m"]);
  });

  it('finds "340M" in "340 M" and the other way round', () => {
    expect(answerContains("BERT-large has 340 M parameters", "340M")).toBe(true);
    expect(answerContains("BERT-large has 340M parameters", "340 M")).toBe(true);
    expect(answerContains("BERT-large has 3400M parameters", "340M")).toBe(false);
  });

  it('does not find "40" inside "1400" or in "40.5"', () => {
    expect(answerContains("the run took 1400 steps", "40")).toBe(false);
    expect(answerContains("a score of 40.5", "40")).toBe(false);
    expect(answerContains("with k = 40 and more", "40")).toBe(true);
  });

  it("compares decimals whole and thousands with or without the separator", () => {
    expect(answerContains("so nDCG@5 = 0.821.", "0.821")).toBe(true);
    expect(answerContains("so nDCG@5 = 0.821.", "0.82")).toBe(false);
    expect(answerContains("occupies 153600 bytes", "153,600 bytes")).toBe(true);
    expect(answerContains("DCG@5 = 4.387", "4387")).toBe(false);
  });

  it("ignores case, needs the tokens contiguous and in order, and never matches an empty gold", () => {
    expect(answerContains("The name comes from ADAPTIVE Moment Estimation.", "adaptive moment estimation")).toBe(true);
    expect(answerContains("moment adaptive estimation", "adaptive moment")).toBe(false);
    expect(answerContains("adaptive first moment", "adaptive moment")).toBe(false);
    expect(answerContains("anything", " - ")).toBe(false);
  });
});

describe("ranked units", () => {
  it("with document gold, counts each document once at its first hit, with its grade", () => {
    const gold: ResolvedGold = { docs: docs({ A: 2, B: 1 }) };
    const hits = [hit("a1", "A"), hit("a2", "A"), hit("c1", "C"), hit("b1", "B"), hit("c2", "C"), hit("a3", "A")];
    expect(rankedUnits(hits, gold)).toEqual([2, 0, 1]);
  });

  it("with page gold, counts the first hit on the gold page of the first gold paper, once", () => {
    const gold: ResolvedGold = { docs: docs({ A: 1 }), page: 2 };
    const hits = [hit("a1", "A", 1), hit("a2", "A", 2), hit("b2", "B", 2), hit("a3", "A", 2), hit("a4", "A", 3)];
    expect(rankedUnits(hits, gold)).toEqual([0, 1, 0, 0]);
  });

  it("with passage gold, counts the first hit of the first gold paper that holds it, once", () => {
    const passage = "late interaction keeps token level evidence";
    const gold: ResolvedGold = { docs: docs({ A: 1, B: 1 }), page: 3, passage };
    const hits = [hit("a1", "A", 3, "something else on the gold page"), hit("b1", "B", 3, passage), hit("a2", "A", 3, `so ${passage}.`), hit("a3", "A", 3, passage)];
    // Another gold paper holding the same words is not the passage; the page does not count when a passage is given.
    expect(rankedUnits(hits, gold)).toEqual([0, 0, 1]);
  });
});

describe("reciprocal rank", () => {
  it("is one over the rank of the first relevant unit, 0 without one", () => {
    expect(reciprocalRank([0, 0, 1, 1])).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank([2, 0])).toBe(1);
    expect(reciprocalRank([0, 0])).toBe(0);
    expect(reciprocalRank([])).toBe(0);
  });
});

describe("nDCG@k", () => {
  // evaluating-retrieval.pdf, p. 2: grades 3, 0, 2, 0, 1 against four relevant (3, 2, 2, 1): nDCG@5 = 4.387 / 5.693 = 0.771.
  const graded: ResolvedGold = { docs: docs({ d1: 3, d3: 2, d6: 2, d5: 1 }) };

  it("matches the worked example with graded, BEIR-like gold (linear gains)", () => {
    const dcg = 3 + 2 / 2 + 1 / Math.log2(6);
    const idcg = 3 + 2 / Math.log2(3) + 2 / 2 + 1 / Math.log2(5);
    expect(ndcgAt([3, 0, 2, 0, 1], graded, 5)).toBeCloseTo(dcg / idcg, 12);
    expect(ndcgAt([3, 0, 2, 0, 1], graded, 5)).toBeCloseTo(0.771, 3);
  });

  it("gives the same figure to orders that differ only between equal grades, and less to a worse order", () => {
    const tied: ResolvedGold = { docs: docs({ a: 2, b: 2, c: 1 }) };
    expect(ndcgAt([2, 2, 1], tied, 10)).toBeCloseTo(1, 12);
    expect(ndcgAt([2, 1, 2], tied, 10)).toBeCloseTo((2 + 1 / Math.log2(3) + 2 / 2) / (2 + 2 / Math.log2(3) + 1 / 2), 12);
    expect(ndcgAt([2, 1, 2], tied, 10)).toBeLessThan(1);
  });

  it("is 0 when the gold is empty or nothing relevant is retrieved", () => {
    expect(ndcgAt([1, 0], { docs: new Map() }, 10)).toBe(0);
    expect(ndcgAt([0, 0, 0], graded, 10)).toBe(0);
    expect(ndcgAt([], graded, 10)).toBe(0);
  });

  it("with k larger than the results, the ideal still has every relevant document", () => {
    const two: ResolvedGold = { docs: docs({ a: 1, b: 1 }) };
    expect(ndcgAt([1], two, 10)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
    expect(ndcgAt([0, 1], two, 1)).toBe(0);
  });

  it("has one ideal unit for page or passage gold", () => {
    expect(ndcgAt([0, 1], { docs: docs({ A: 1 }), page: 2 }, 10)).toBeCloseTo(1 / Math.log2(3), 12);
  });
});

describe("recall and hits at k", () => {
  const gold: ResolvedGold = { docs: docs({ a: 2, b: 1, c: 0 }), page: 4, passage: "the gold passage words" };

  it("document recall is the share of gold documents (grade > 0) in the first k hits, k may exceed the hits", () => {
    const hits = [hit("x1", "x"), hit("b1", "b"), hit("b2", "b"), hit("a1", "a")];
    expect(docRecallAt(hits, gold, 1)).toBe(0);
    expect(docRecallAt(hits, gold, 2)).toBe(0.5);
    expect(docRecallAt(hits, gold, 3)).toBe(0.5);
    expect(docRecallAt(hits, gold, 100)).toBe(1);
    expect(docRecallAt([hit("c1", "c")], { docs: docs({ c: 0 }) }, 10)).toBe(0);
  });

  it("page and passage hits look at the first gold paper only", () => {
    const hits = [hit("b4", "b", 4, "the gold passage words"), hit("a3", "a", 3, "the gold passage words"), hit("a4", "a", 4, "other words")];
    expect(pageHitAt(hits, gold, 2)).toBe(0);
    expect(pageHitAt(hits, gold, 3)).toBe(1);
    expect(passageHitAt(hits, gold, 1)).toBe(0);
    expect(passageHitAt(hits, gold, 2)).toBe(1);
  });

  it("a citation supports the answer with the passage or on the gold page, a gold paper alone when that is all the gold", () => {
    expect(supports(hit("a3", "a", 3, "the gold passage words"), gold)).toBe(true);
    expect(supports(hit("a4", "a", 4, "other words"), gold)).toBe(true);
    expect(supports(hit("a5", "a", 5, "other words"), gold)).toBe(false);
    expect(supports(hit("b1", "b", 1), { docs: docs({ a: 1, b: 1 }) })).toBe(true);
    expect(supports(hit("b1", "b", 1), { docs: docs({ a: 1, b: 1 }), passage: "the gold passage words" })).toBe(false);
  });
});

describe("percentile (nearest rank)", () => {
  it("takes the value at rank ceil(p/100 * n) of the sorted list", () => {
    const values = [50, 15, 40, 20, 35];
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 25)).toBe(20); // rank ceil(1.25) = 2, not the nearest integer 1
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 0)).toBe(15);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
    expect(percentile([], 50)).toBe(0);
    expect(values).toEqual([50, 15, 40, 20, 35]);
  });
});

describe("paired bootstrap", () => {
  const a = [0.2, 0.5, 0.1, 0.9, 0.4, 0.3, 0.7, 0.6, 0.0, 0.8];

  it("is the same on every run with the same seed", () => {
    // Ten distinct differences, so another seed moves the percentiles.
    const noisy = a.map((x, i) => x + 0.05 * Math.sin(3 * i + 1) + 0.01 * i);
    const first = pairedBootstrap(a, noisy, { seed: 7 });
    expect(pairedBootstrap(a, noisy, { seed: 7 })).toEqual(first);
    expect(first.low).toBeLessThan(first.high);
    expect(pairedBootstrap(a, noisy, { seed: 8 })).not.toEqual(first);
  });

  it("gives 0 with a zero-width interval for identical inputs", () => {
    expect(pairedBootstrap(a, [...a])).toEqual({ difference: 0, low: 0, high: 0, n: a.length });
  });

  it("puts a clear positive shift above 0", () => {
    const better = a.map((x, i) => x + 0.2 + (i % 3) * 0.1);
    const r = pairedBootstrap(a, better);
    expect(r.difference).toBeCloseTo(0.2 + (0.1 * (0 + 1 + 2 + 0 + 1 + 2 + 0 + 1 + 2 + 0)) / 10, 12);
    expect(r.low).toBeGreaterThan(0);
    expect(r.low).toBeGreaterThanOrEqual(0.2 - 1e-12);
    expect(r.high).toBeLessThanOrEqual(0.4 + 1e-12);
    expect(r.n).toBe(10);
  });

  it("straddles 0 when the two sides trade wins", () => {
    const r = pairedBootstrap([0, 1, 0, 1, 0, 1], [1, 0, 1, 0, 1, 0]);
    expect(r.difference).toBe(0);
    expect(r.low).toBeLessThan(0);
    expect(r.high).toBeGreaterThan(0);
  });

  it("throws on unequal lengths and is empty for no questions", () => {
    expect(() => pairedBootstrap([1, 2], [1])).toThrow(RangeError);
    expect(pairedBootstrap([], [])).toEqual({ difference: 0, low: 0, high: 0, n: 0 });
  });
});

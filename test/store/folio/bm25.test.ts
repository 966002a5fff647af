import { describe, expect, it } from "vitest";
import { Bm25Encoder, analyze, fnv1a32, tokenize } from "../../../src/embeddings/bm25.js";

describe("BM25 tokeniser", () => {
  it("lower-cases, drops stop words and keeps numbers", () => {
    expect(tokenize("The Transformer uses 8 attention heads in 2017")).toEqual(["transformer", "uses", "8", "attention", "heads", "2017"]);
  });

  it("keeps compounds whole and as parts, and dotted numbers whole", () => {
    expect(tokenize("BERT-base beats GPT-4 by 3.5 points")).toEqual(["bert-base", "bert", "base", "beats", "gpt-4", "gpt", "4", "3.5", "points"]);
  });

  it("handles possessives, contractions, dotted abbreviations and non-Latin scripts", () => {
    expect(tokenize("the model's output, e.g. don't Transformer’s 注意力")).toEqual(["model", "output", "transformer", "注意力"]);
  });

  it("stems with Porter, also inside compounds", () => {
    expect(analyze("running models were pre-trained on connections")).toEqual(["run", "model", "pre-train", "pre", "train", "connect"]);
    // The same stem for inflections, so a query in another form still matches.
    expect(analyze("connection")).toEqual(analyze("connected"));
  });
});

describe("BM25 term ids", () => {
  it("are 32-bit FNV-1a of the UTF-8 stemmed term (stable across runs and machines)", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    const encoder = new Bm25Encoder();
    expect(encoder.embedQuery("attention").indices).toEqual([fnv1a32("attent")]);
  });
});

describe("BM25 values", () => {
  it("document side is the saturated term frequency with length normalisation", () => {
    const encoder = new Bm25Encoder({ k1: 1.2, b: 0.75, avgdl: 4 });
    // terms: attent x2, need x1 -> dl = 3
    const vector = encoder.embedDocument("Attention attention is all you need");
    const norm = 1.2 * (1 - 0.75 + (0.75 * 3) / 4);
    const expected = new Map([
      [fnv1a32("attent"), (2 * 2.2) / (2 + norm)],
      [fnv1a32("need"), (1 * 2.2) / (1 + norm)],
    ]);
    expect(vector.indices).toEqual([...expected.keys()].sort((a, b) => a - b));
    vector.indices.forEach((index, i) => expect(vector.values[i]).toBeCloseTo(expected.get(index) as number, 12));
  });

  it("saturates: more occurrences add less and less, longer documents weigh less", () => {
    const encoder = new Bm25Encoder();
    const weight = (text: string) => encoder.embedDocument(text).values[0] as number;
    const one = weight("graph");
    const two = weight("graph graph");
    const three = weight("graph graph graph");
    expect(two).toBeGreaterThan(one);
    expect(three - two).toBeLessThan(two - one);
    const long = encoder.embedDocument(`graph ${"filler ".repeat(300)}`);
    const graphInLong = long.values[long.indices.indexOf(fnv1a32("graph"))] as number;
    expect(graphInLong).toBeLessThan(one);
  });

  it("query side is 1 per unique term, indices sorted; stop-word-only text is empty", () => {
    const encoder = new Bm25Encoder();
    const query = encoder.embedQuery("graph neural graph networks");
    expect(query.values).toEqual([1, 1, 1]);
    expect([...query.indices].sort((a, b) => a - b)).toEqual(query.indices);
    expect(encoder.embedQuery("what is the")).toEqual({ indices: [], values: [] });
  });

  it("rejects parameters out of range", () => {
    expect(() => new Bm25Encoder({ b: 2 })).toThrow(RangeError);
    expect(() => new Bm25Encoder({ avgdl: 0 })).toThrow(RangeError);
  });
});

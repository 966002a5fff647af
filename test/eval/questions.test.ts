/**
 * Question sets for `folio eval`: Folio's JSONL and BEIR's folder layout. Every bad input is an
 * InputError whose message names the file and line and whose hint says what to write instead.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { loadQuestions, parseBeir, parseFolioJsonl } from "../../src/eval/questions.js";
import { useTempDir } from "../helpers/tmp.js";

const root = path.resolve(import.meta.dirname, "../..");

/** The InputError `fn` throws (fails the test when it throws nothing, or something else). */
async function inputError(fn: () => unknown): Promise<InputError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    expect(e.code).toBe("INPUT");
    expect(e.hint.length).toBeGreaterThan(10);
    return e;
  }
  throw new Error("expected an InputError");
}

const jsonl = (...rows: unknown[]) => rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n");
const FILE = "/sets/questions.jsonl";

describe("Folio JSONL", () => {
  it("reads answerable and unanswerable questions, skipping blank lines and keeping line numbers", () => {
    const text = jsonl(
      "",
      { id: "q1", kind: "number", question: " What is k? ", paper: "arxiv:1706.03762", page: 3, passage: "k = 60", answer: "60", note: "unknown fields are fine" },
      { id: 7, question: "What is the boiling point of tungsten carbide?", unanswerable: true },
      { id: "q3", question: "Which paper defines MaxSim?", paper: "late-interaction-multi-vector.pdf" },
    );
    expect(parseFolioJsonl(text, FILE)).toEqual([
      { id: "q1", question: "What is k?", kind: "number", gold: [{ ref: "arxiv:1706.03762", grade: 1 }], page: 3, passage: "k = 60", answer: "60", unanswerable: false, origin: "questions.jsonl:2" },
      { id: "7", question: "What is the boiling point of tungsten carbide?", gold: [], unanswerable: true, origin: "questions.jsonl:3" },
      { id: "q3", question: "Which paper defines MaxSim?", gold: [{ ref: "late-interaction-multi-vector.pdf", grade: 1 }], unanswerable: false, origin: "questions.jsonl:4" },
    ]);
  });

  it("rejects an empty file", async () => {
    const e = await inputError(() => parseFolioJsonl("\n  \n", FILE));
    expect(e.message).toBe("questions.jsonl has no questions.");
    expect(e.hint).toMatch(/"question"/);
  });

  it("names the line that is not JSON", async () => {
    const e = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "fine?" }, "", "{id: q2, question: oops}"), FILE));
    expect(e.message).toMatch(/^questions\.jsonl:3: not JSON \(/);
    expect(e.hint).toMatch(/one JSON object/);
  });

  it("rejects a question without text, naming the field", async () => {
    const missing = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "ok?" }, { id: "q2", paper: "x.pdf" }), FILE));
    expect(missing.message).toMatch(/^questions\.jsonl:2: question: Required\.$/);
    const blank = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "   " }), FILE));
    expect(blank.message).toBe("questions.jsonl:1: question: the question is empty.");
  });

  it("rejects a duplicate id, also between a number and the same string", async () => {
    const e = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "a?" }, { id: "q2", question: "b?" }, { id: "q1", question: "c?" }), FILE));
    expect(e.message).toBe('questions.jsonl:3: the id "q1" is used twice.');
    const mixed = await inputError(() => parseFolioJsonl(jsonl({ id: 1, question: "a?" }, { id: "1", question: "b?" }), FILE));
    expect(mixed.message).toBe('questions.jsonl:2: the id "1" is used twice.');
  });

  it("rejects a page or a passage without a paper, and an unanswerable question with an answer", async () => {
    const page = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "a?", page: 2, answer: "x" }), FILE));
    expect(page.message).toBe("questions.jsonl:1: `page` and `passage` need `paper`.");
    expect(page.hint).toMatch(/paper/);
    const passage = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "a?", passage: "some words" }), FILE));
    expect(passage.message).toMatch(/^questions\.jsonl:1: `page` and `passage` need `paper`/);
    const unanswerable = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "a?", unanswerable: true, answer: "42" }), FILE));
    expect(unanswerable.message).toMatch(/^questions\.jsonl:1: an unanswerable question has no paper or answer/);
  });

  it("rejects a page that is not a positive whole number", async () => {
    const e = await inputError(() => parseFolioJsonl(jsonl({ id: "q1", question: "a?", paper: "x.pdf", page: 0 }), FILE));
    expect(e.message).toMatch(/^questions\.jsonl:1: page: /);
  });
});

describe("BEIR layout", () => {
  const queries = jsonl({ _id: "q1", text: "reciprocal rank fusion" }, { _id: "q2", text: "token-level storage" }, { _id: "q3", text: "no judgement for this one" }, { _id: 4, text: "only a zero score" });

  it("reads graded qrels with a header row; score 0 is not relevant and queries without qrels are dropped", () => {
    const qrels = ["query-id\tcorpus-id\tscore", "q1\tdoc-a\t2", "q2\tdoc-b\t1", "q2\tdoc-c\t3", "q2\tdoc-d\t0", "4\tdoc-a\t0", "q9\tdoc-a\t1"].join("\n");
    expect(parseBeir(queries, qrels, "/beir/qrels/test.tsv")).toEqual([
      { id: "q1", question: "reciprocal rank fusion", gold: [{ ref: "doc-a", grade: 2 }], unanswerable: false, origin: "queries.jsonl:1" },
      { id: "q2", question: "token-level storage", gold: [{ ref: "doc-b", grade: 1 }, { ref: "doc-c", grade: 3 }], unanswerable: false, origin: "queries.jsonl:2" },
    ]);
  });

  it("reads TREC's 4-column qrels, tab- or space-separated, without a header", () => {
    const expected = [
      { id: "q1", question: "reciprocal rank fusion", gold: [{ ref: "doc-a", grade: 1 }], unanswerable: false, origin: "queries.jsonl:1" },
      { id: "q2", question: "token-level storage", gold: [{ ref: "doc-b", grade: 2 }], unanswerable: false, origin: "queries.jsonl:2" },
    ];
    expect(parseBeir(queries, "q1\t0\tdoc-a\t1\nq2\t0\tdoc-b\t2\nq3\t0\tdoc-c\t0\n", "test.tsv")).toEqual(expected);
    expect(parseBeir(queries, "q1 0 doc-a 1\nq2  0  doc-b  2\n", "test.tsv")).toEqual(expected);
  });

  it("names the qrels line that has no numeric score", async () => {
    const e = await inputError(() => parseBeir(queries, "query-id\tcorpus-id\tscore\nq1\tdoc-a\t1\nq2\tdoc-b\thigh", "/beir/qrels/test.tsv"));
    expect(e.message).toBe("qrels/test.tsv:3: expected query-id, corpus-id and a numeric score separated by tabs.");
    expect(e.hint).toMatch(/queries\.jsonl/);
  });

  it("names the query line that is not JSON, has no text, or repeats an id; rejects no queries", async () => {
    const qrels = "q1\tdoc-a\t1";
    expect((await inputError(() => parseBeir(jsonl({ _id: "q1", text: "ok" }, "nope"), qrels, "test.tsv"))).message).toMatch(/^queries\.jsonl:2: not JSON/);
    expect((await inputError(() => parseBeir(jsonl({ _id: "q1", text: " " }), qrels, "test.tsv"))).message).toBe("queries.jsonl:1: text: the query text is empty.");
    expect((await inputError(() => parseBeir(jsonl({ _id: "q1", text: "a" }, { _id: "q1", text: "b" }), qrels, "test.tsv"))).message).toBe('queries.jsonl:2: the query id "q1" is used twice (first at queries.jsonl:1).');
    expect((await inputError(() => parseBeir("", qrels, "test.tsv"))).message).toBe("queries.jsonl has no queries.");
  });
});

describe("loadQuestions", () => {
  const dir = useTempDir("eval-questions");

  it("reads a .jsonl file as Folio's format and a folder as BEIR's, with the split named", async () => {
    const file = path.join(dir(), "set.jsonl");
    await writeFile(file, jsonl({ id: "a", question: "What is k?", answer: "60" }));
    expect(await loadQuestions(file)).toEqual([{ id: "a", question: "What is k?", gold: [], answer: "60", unanswerable: false, origin: "set.jsonl:1" }]);

    const beir = path.join(dir(), "beir");
    await mkdir(path.join(beir, "qrels"), { recursive: true });
    await writeFile(path.join(beir, "queries.jsonl"), jsonl({ _id: "q1", text: "fusion" }, { _id: "q2", text: "storage" }));
    await writeFile(path.join(beir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\tdoc-a\t1\n");
    await writeFile(path.join(beir, "qrels", "dev.tsv"), "query-id\tcorpus-id\tscore\nq2\tdoc-b\t1\n");
    expect((await loadQuestions(beir)).map((q) => q.id)).toEqual(["q1"]);
    expect((await loadQuestions(beir, { split: "dev" })).map((q) => q.id)).toEqual(["q2"]);
  });

  it("names a missing qrels file, with a hint about --split", async () => {
    const beir = path.join(dir(), "beir-no-qrels");
    await mkdir(beir, { recursive: true });
    await writeFile(path.join(beir, "queries.jsonl"), jsonl({ _id: "q1", text: "fusion" }));
    const e = await inputError(() => loadQuestions(beir));
    expect(e.message).toBe(`Cannot read ${path.join(beir, "qrels", "test.tsv")}: ENOENT.`);
    expect(e.hint).toMatch(/--split/);
  });

  it("names a missing question set and a folder without queries.jsonl", async () => {
    const nowhere = path.join(dir(), "nowhere.jsonl");
    expect((await inputError(() => loadQuestions(nowhere))).message).toBe(`No question set at ${nowhere}.`);
    const empty = path.join(dir(), "empty-folder");
    await mkdir(empty, { recursive: true });
    expect((await inputError(() => loadQuestions(empty))).message).toBe(`Cannot read ${path.join(empty, "queries.jsonl")}: ENOENT.`);
  });

  it("reads the demo corpus's question sets (data/eval)", async () => {
    const demo = await loadQuestions(path.join(root, "data/eval/demo-questions.jsonl"));
    expect(demo).toHaveLength(14);
    expect(demo.filter((q) => q.unanswerable)).toHaveLength(2);
    expect(demo.filter((q) => !q.unanswerable).every((q) => q.gold.length === 1 && q.page && q.passage && q.answer)).toBe(true);
    const beir = await loadQuestions(path.join(root, "data/eval/demo-beir"));
    expect(beir.map((q) => q.id)).toEqual(["b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"]);
    expect(beir.find((q) => q.id === "b7")?.gold).toEqual([{ ref: "matryoshka-late-chunking.pdf", grade: 2 }]);
  });
});

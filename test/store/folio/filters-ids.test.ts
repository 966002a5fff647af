import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { buildFilter, chunkPointId, documentPointId, isValidPointId, parseQdrantFilter } from "../../../src/store/index.js";

describe("buildFilter", () => {
  it("excludes references by default and nothing else", () => {
    expect(buildFilter()).toEqual({ must_not: [{ key: "metadata.references", match: { value: true } }] });
    expect(buildFilter({ includeReferences: true })).toBeUndefined();
  });

  it("maps every SearchFilters field onto metadata.* conditions, raw filter under must", () => {
    const raw = { should: [{ key: "metadata.section", match: { text: "Method" } }] };
    expect(buildFilter({ docIds: ["a"], kinds: ["figure", "page"], year: { gte: 2015 }, pages: { gte: 2, lte: 4 }, includeReferences: true, qdrantFilter: raw })).toEqual({
      must: [
        { should: [{ key: "metadata.docId", match: { any: ["a"] } }, { key: "metadata.paperId", match: { any: ["a"] } }] },
        { key: "metadata.kind", match: { any: ["figure", "page"] } },
        { key: "metadata.year", range: { gte: 2015 } },
        { key: "metadata.page", range: { gte: 2, lte: 4 } },
        raw,
      ],
    });
  });
});

describe("parseQdrantFilter", () => {
  it("accepts Qdrant's filter language: nesting, should, must_not, min_should, has_id, is_empty", () => {
    const filter = {
      must: [{ key: "metadata.year", range: { gt: 2000 } }, { must_not: [{ is_empty: { key: "metadata.caption" } }] }],
      should: { key: "metadata.kind", match: { value: "figure" } },
      min_should: { conditions: [{ has_id: [1, "5b0f6c1e-2f4a-5d1b-9a53-6f6c696f0001"] }], min_count: 1 },
    };
    expect(parseQdrantFilter(filter)).toEqual(filter);
  });

  it("rejects anything else with an InputError naming the problem", () => {
    for (const bad of [{ must: [{ key: "x" }] }, { must: [{ key: "x", match: { value: { nested: 1 } } }] }, { oops: [] }, "must", [1]]) {
      expect(() => parseQdrantFilter(bad)).toThrow(InputError);
    }
  });
});

describe("point ids", () => {
  it("are deterministic UUIDs of document, kind, index and text", () => {
    const id = chunkPointId("doc", "text", 3, "hello");
    expect(isValidPointId(id)).toBe(true);
    expect(chunkPointId("doc", "text", 3, "hello")).toBe(id);
    expect(chunkPointId("doc", "text", 3, "hello!")).not.toBe(id);
    expect(chunkPointId("doc", "figure", 3, "hello")).not.toBe(id);
    expect(chunkPointId("doc2", "text", 3, "hello")).not.toBe(id);
    expect(documentPointId("doc")).toBe(documentPointId("doc"));
    expect(isValidPointId("not-a-uuid")).toBe(false);
    expect(isValidPointId(42)).toBe(true);
  });
});

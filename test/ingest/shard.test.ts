/** `--shard i/N`: the parse and the split (copies share a size, so they share a shard). */
import { describe, expect, it } from "vitest";
import { parseShard, shardKey, shardOf } from "../../src/ingest/stages/shard.js";

describe("shards", () => {
  it("parses i/N with 1 <= i <= N and refuses anything else", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
    for (const bad of ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2"]) expect(parseShard(bad), bad).toBeNull();
  });

  it("puts every item in exactly one shard, about evenly, and copies (one size) together", () => {
    const counts = [0, 0, 0, 0, 0];
    for (let size = 10_000; size < 20_000; size++) counts[shardOf(shardKey({ size, docId: `file:${size}` }), 5) - 1]!++;
    for (const c of counts) expect(c).toBeGreaterThan(1_800);
    expect(shardOf(shardKey({ size: 1234, docId: "file:a" }), 7)).toBe(shardOf(shardKey({ size: 1234, docId: "file:b" }), 7));
    // A URL has no size yet: its id decides.
    expect(shardKey({ size: undefined, docId: "url:abc" })).toBe("id:url:abc");
  });
});

/**
 * Regressions found by a randomized differential review of the shared store (several clients on one
 * folder against a `:memory:` client): each case once lost or kept the wrong points in a client.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";

const dirs: string[] = [];
const clients: LocalQdrantClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function open(dir: string): LocalQdrantClient {
  const c = new LocalQdrantClient({ path: dir });
  clients.push(c);
  return c;
}
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "folio-review-"));
  dirs.push(d);
  return d;
}

describe("shared store regressions", () => {
  it("a collection dropped and made again under its name is new to every client (uids never come back)", async () => {
    const dir = tmp();
    const a = open(dir);
    const b = open(dir);
    await a.createCollection("x", { vectors: { size: 2, distance: "Dot" } });
    await a.upsert("x", { points: [1, 2, 3].map((i) => ({ id: i, vector: [i, 0] })) });
    expect((await b.count("x")).count).toBe(3);
    await a.deleteCollection("x");
    await a.createCollection("x", { vectors: { size: 3, distance: "Dot" } });
    await a.upsert("x", { points: [{ id: 100, vector: [1, 0, 0] }] });
    expect((await b.scroll("x")).points.map((p) => p.id)).toEqual([100]);
    expect((await b.query("x", { query: [1, 0, 0], limit: 5 })).points.map((p) => p.id)).toEqual([100]);
  });

  it("a payload index dropped and made again reflects the changes made meanwhile, not the segment's column", async () => {
    const dir = tmp();
    const a = open(dir);
    await a.createCollection("x", { vectors: { size: 2, distance: "Dot" } });
    await a.createPayloadIndex("x", { field_name: "tag", field_schema: "keyword" });
    await a.upsert("x", { points: [1, 2].map((i) => ({ id: i, vector: [i, 1], payload: { tag: "old" } })) });
    await a.compact();
    const b = open(dir); // reads the segment, with its column for "tag"
    await b.deletePayloadIndex("x", "tag");
    await b.setPayload("x", { points: [1], payload: { tag: "new" } });
    await b.createPayloadIndex("x", { field_name: "tag", field_schema: "keyword" });
    const count = async (c: LocalQdrantClient, tag: string) => (await c.count("x", { filter: { must: [{ key: "tag", match: { value: tag } }] } })).count;
    expect([await count(b, "new"), await count(b, "old")]).toEqual([1, 1]);
    const fresh = open(dir);
    expect([await count(fresh, "new"), await count(fresh, "old")]).toEqual([1, 1]);
  });

  it("a quantized collection whose float rows were read first still finds points added by another client", async () => {
    const dir = tmp();
    const a = open(dir);
    await a.createCollection("x", { vectors: { size: 4, distance: "Dot" }, quantization_config: { scalar: { type: "int8" } } });
    await a.upsert("x", { points: [1, 2, 3, 4, 5].map((i) => ({ id: i, vector: [i / 10, 0, 0, 0] })) });
    await a.compact();
    const b = open(dir);
    await b.query("x", { query: [0, 1, 0, 0], limit: 2, params: { quantization: { ignore: true } } });
    await a.upsert("x", { points: [{ id: 6, vector: [0, 0.9, 0, 0] }] });
    expect((await b.query("x", { query: [0, 1, 0, 0], limit: 1 })).points[0]?.id).toBe(6);
  });

  it("changing a collection's indexes or parameters keeps its segment, so opening stays fast", async () => {
    const dir = tmp();
    const a = open(dir);
    await a.createCollection("x", { vectors: { size: 4, distance: "Dot" } });
    // enough points that a client finding no segment would write one itself (an older store)
    const points = Array.from({ length: 1200 }, (_, i) => ({ id: i + 1, vector: [(i + 1) / 1200, 0, 0, 1] }));
    await a.upsert("x", { points });
    await a.compact();
    const segments = () => fs.readdirSync(path.join(dir, "segments")).filter((f) => f.endsWith(".seg"));
    const before = segments();
    expect(before).toHaveLength(1);
    await a.createPayloadIndex("x", { field_name: "tag", field_schema: "keyword" });
    await a.updateCollection("x", { quantization_config: { scalar: { type: "int8" } } });
    // a new client reads the same segment (quantizing its rows) instead of every record
    const fresh = open(dir);
    expect((await fresh.query("x", { query: [1, 0, 0, 0], limit: 3, params: { quantization: { rescore: true, oversampling: 2 } } })).points.map((p) => p.id)).toEqual([1200, 1199, 1198]);
    expect(segments()).toEqual(before);
    await a.compact();
    expect(segments()).not.toEqual(before); // the next compaction writes the int8 rows in
  });

  it("operation ids keep growing across clients, deletes included, as a server's do", async () => {
    const dir = tmp();
    const a = open(dir);
    const b = open(dir);
    await a.createCollection("x", { vectors: { size: 2, distance: "Dot" } });
    const first = await a.upsert("x", { points: [{ id: 1, vector: [1, 0] }] });
    const second = await a.delete("x", { points: [1] });
    const third = await b.upsert("x", { points: [{ id: 2, vector: [1, 0] }] });
    expect([first.operation_id, second.operation_id, third.operation_id]).toEqual([1, 2, 3]);
    expect((await b.query("x", { query: [1, 0], limit: 1 })).points[0]?.version).toBe(3);
  });
});

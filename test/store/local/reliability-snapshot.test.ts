/**
 * Several clients on one store folder at once: a reader that opened the old segment keeps
 * answering like a fresh client after a writer in another process added, deleted and compacted
 * (deleting the old segment file), including writes made after the compaction; two processes
 * writing alternately end with the union of their writes (no lost update); and two clients in
 * the same process share a folder.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";
import { answers, byDoc, expectSameAnswers } from "./reliability-answers.js";
import {
  applyOp,
  ChildClient,
  chunkPoint,
  COLLECTION,
  COLLECTION_CONFIG,
  docName,
  idKey,
  scrollAll,
  segmentFiles,
  stateDiff,
  type ChunkPoint,
  type Id,
  type Model,
} from "./reliability-workload.js";
import { useScratch } from "./reliability-scratch.js";

const scratch = useScratch();

const folder = (name: string): string => scratch.folder(name);
const start = (dir: string, label: string): ChildClient => scratch.start(dir, label);

const docPoints = (doc: number, chunks: number, rev = 1): ChunkPoint[] => Array.from({ length: chunks }, (_, c) => chunkPoint(doc, c, rev));

function upserted(model: Model, points: ChunkPoint[]): Model {
  return applyOp(model, { kind: "upsert", doc: -1, batch: 0, points });
}
function removed(model: Model, ids: Id[]): Model {
  const next = new Map(model);
  for (const id of ids) next.delete(idKey(id));
  return next;
}

async function createStore(dir: string, points: ChunkPoint[]): Promise<void> {
  const c = new LocalQdrantClient({ path: dir });
  await c.createCollection(COLLECTION, COLLECTION_CONFIG);
  await c.createPayloadIndex(COLLECTION, { field_name: "doc", field_schema: "keyword", wait: true });
  if (points.length) await c.upsert(COLLECTION, { wait: true, points });
  await c.compact();
  await c.close();
}

describe("readers and writers in several processes", () => {
  it("a reader on the old segment answers like a fresh client after another process wrote and compacted", async () => {
    const dir = folder("snap");
    let model: Model = new Map();
    const base = [0, 1, 2, 3].flatMap((d) => docPoints(d, 10));
    await createStore(dir, base);
    model = upserted(model, base);
    const oldSegments = segmentFiles(dir);
    expect(oldSegments.length, "compact() wrote a segment file").toBeGreaterThan(0);

    const reader = new LocalQdrantClient({ path: dir });
    const probes = [base[3]!, base[17]!, chunkPoint(4, 2, 1), chunkPoint(5, 1, 1)];
    const initially = await answers(reader, probes, 4);
    expect(stateDiff(await scrollAll(reader), model), "reader before the writer").toEqual([]);

    const writer = start(dir, "writer");
    await writer.ready();
    const added = docPoints(4, 12);
    await writer.call("upsert", COLLECTION, { wait: true, points: added });
    model = upserted(model, added);
    const gone = base.filter((_, i) => i % 3 === 0).map((p) => p.id);
    await writer.call("delete", COLLECTION, { wait: true, points: gone });
    model = removed(model, gone);
    await writer.call("compact");
    for (const f of oldSegments) expect(fs.existsSync(f), `compaction removed the old segment ${f}`).toBe(false);
    expect(segmentFiles(dir).length, "compaction wrote a new segment").toBeGreaterThan(0);
    // writes after the compaction
    const late = docPoints(5, 6);
    await writer.call("upsert", COLLECTION, { wait: true, points: late });
    model = upserted(model, late);
    await writer.call("delete", COLLECTION, { wait: true, filter: byDoc(1) });
    model = removed(
      model,
      base.filter((p) => p.payload.doc === docName(1)).map((p) => p.id),
    );

    // the old reader's very next calls see all of it
    const fresh = new LocalQdrantClient({ path: dir });
    const got = await answers(reader, probes, 4);
    const want = await answers(fresh, probes, 4);
    expectSameAnswers(got, want, "old reader vs fresh client, writer still open");
    expect(got, "the writes changed the answers").not.toEqual(initially);
    expect(stateDiff(await scrollAll(reader), model), "old reader's points").toEqual([]);
    const lateGot = await reader.retrieve(COLLECTION, { ids: late.map((p) => p.id), with_payload: true });
    expect(lateGot.map((r) => r.id).sort(), "points added after the compaction").toEqual(late.map((p) => p.id).sort());
    await fresh.close();

    // the writer closes (and compacts again); the reader still answers like a fresh client
    const exit = await writer.close();
    expect(exit, writer.stderr).toEqual({ code: 0, signal: null });
    const fresh2 = new LocalQdrantClient({ path: dir });
    expectSameAnswers(await answers(reader, probes, 4), await answers(fresh2, probes, 4), "old reader vs fresh client, writer closed");
    expect(stateDiff(await scrollAll(fresh2), model), "fresh client's points").toEqual([]);
    await fresh2.close();
    await reader.close();
  });

  it("two processes writing alternately to one collection end with the union of their writes", async () => {
    const dir = folder("alt");
    const shared = chunkPoint(20, 0, 1);
    await createStore(dir, [shared]);
    let model: Model = upserted(new Map(), [shared]);
    const a = start(dir, "writer A");
    const b = start(dir, "writer B");
    await Promise.all([a.ready(), b.ready()]);
    const sharedPayload: Record<string, unknown> = { ...shared.payload };
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      for (const [w, name, doc] of [
        [a, "a", 10],
        [b, "b", 11],
      ] as const) {
        const other = w === a ? b : a;
        const points = [chunkPoint(doc, 2 * round, 1), chunkPoint(doc, 2 * round + 1, 1)];
        await w.call("upsert", COLLECTION, { wait: true, points });
        model = upserted(model, points);
        // a read-modify-write on the same point from both sides: neither may drop the other's keys
        await w.call("setPayload", COLLECTION, { wait: true, points: [shared.id], payload: { [`${name}${round}`]: round } });
        sharedPayload[`${name}${round}`] = round;
        // the other process sees this write on its next call
        const ids = [...points.map((p) => p.id), shared.id];
        const seen = await other.call<Array<{ id: Id; payload: Record<string, unknown> }>>("retrieve", COLLECTION, { ids, with_payload: true });
        expect(seen.map((r) => idKey(r.id)).sort(), `round ${round}: ${name}'s points seen by the other process`).toEqual(ids.map(idKey).sort());
        expect(seen.find((r) => idKey(r.id) === idKey(shared.id))?.payload, `round ${round}: shared payload seen by the other process`).toEqual(sharedPayload);
      }
      if (round === 2) await a.call("compact");
      if (round === 3) {
        // A deletes one of B's points, B one of A's
        const ofB = chunkPoint(11, 1, 1).id;
        const ofA = chunkPoint(10, 1, 1).id;
        await a.call("delete", COLLECTION, { wait: true, points: [ofB] });
        await b.call("delete", COLLECTION, { wait: true, points: [ofA] });
        model = removed(model, [ofA, ofB]);
      }
      if (round === 4) await b.call("compact");
      expect(await a.call<{ count: number }>("count", COLLECTION, { exact: true }), `round ${round}: A's count`).toEqual({ count: model.size });
      expect(await b.call<{ count: number }>("count", COLLECTION, { exact: true }), `round ${round}: B's count`).toEqual({ count: model.size });
    }
    expect(await a.close(), a.stderr).toEqual({ code: 0, signal: null });
    expect(await b.close(), b.stderr).toEqual({ code: 0, signal: null });

    const c = new LocalQdrantClient({ path: dir });
    const state = await scrollAll(c);
    expect(state.map((p) => idKey(p.id)).sort()).toEqual([...model.keys()].sort());
    expect(state.find((p) => idKey(p.id) === idKey(shared.id))?.payload).toEqual(sharedPayload);
    expect(stateDiff(state.filter((p) => idKey(p.id) !== idKey(shared.id)), removed(model, [shared.id]))).toEqual([]);
    await c.close();
  });

  it("a second client in the same process on the same folder reads and writes too", async () => {
    const dir = folder("same");
    const first = docPoints(30, 5);
    await createStore(dir, first);
    let model: Model = upserted(new Map(), first);
    const c1 = new LocalQdrantClient({ path: dir });
    const c2 = new LocalQdrantClient({ path: dir });
    const more = docPoints(31, 5);
    await c2.upsert(COLLECTION, { wait: true, points: more });
    model = upserted(model, more);
    expect((await c1.retrieve(COLLECTION, { ids: more.map((p) => p.id) })).length, "c1 sees c2's upsert").toBe(more.length);
    await c1.delete(COLLECTION, { wait: true, points: [first[0]!.id] });
    model = removed(model, [first[0]!.id]);
    expect(await c2.retrieve(COLLECTION, { ids: [first[0]!.id] }), "c2 sees c1's delete").toEqual([]);
    await c1.setPayload(COLLECTION, { wait: true, points: [more[0]!.id], payload: { x: 1 } });
    await c2.setPayload(COLLECTION, { wait: true, points: [more[0]!.id], payload: { y: 2 } });
    expect((await c1.retrieve(COLLECTION, { ids: [more[0]!.id] }))[0]?.payload).toEqual({ ...more[0]!.payload, x: 1, y: 2 });
    await c1.compact();
    const probes = [first[2]!, more[3]!];
    expectSameAnswers(await answers(c2, probes, 31), await answers(c1, probes, 31), "c2 vs c1 after c1 compacted");
    await c1.close();
    // closing one client leaves the other working
    const last = docPoints(32, 3);
    await c2.upsert(COLLECTION, { wait: true, points: last });
    model = upserted(model, last);
    expect((await c2.count(COLLECTION, { exact: true })).count).toBe(model.size);
    await c2.close();
    const c3 = new LocalQdrantClient({ path: dir });
    const state = await scrollAll(c3);
    expect(state.map((p) => idKey(p.id)).sort()).toEqual([...model.keys()].sort());
    expect(state.find((p) => idKey(p.id) === idKey(more[0]!.id))?.payload).toEqual({ ...more[0]!.payload, x: 1, y: 2 });
    await c3.close();
  });
});

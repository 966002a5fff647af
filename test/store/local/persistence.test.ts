/** The persistent store: reopen, sharing between clients, the writer lock, unsupported calls. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { LocalQdrantClient, StoreLockedError } from "../../../src/store/local/index.js";
import { UnsupportedFeatureError } from "../../../src/errors.js";

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "folio-local-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("LocalQdrantClient persistence", () => {
  it("keeps collections, points, payload edits, deletes and indexes across reopen", async () => {
    const dir = tmp();
    const a = new LocalQdrantClient({ path: dir });
    await a.createCollection("c", {
      vectors: { d: { size: 3, distance: "Cosine" }, m: { size: 2, distance: "Dot", multivector_config: { comparator: "max_sim" } } },
      sparse_vectors: { s: { modifier: "idf" } },
    });
    await a.upsert("c", {
      wait: true,
      points: [
        { id: 1, vector: { d: [1, 2, 3], m: [[1, 0], [0, 1]], s: { indices: [9, 2], values: [0.5, 1] } }, payload: { t: "one" } },
        { id: "a1b2c3d4-0000-4000-8000-000000000001", vector: { d: [3, 2, 1] }, payload: { t: "two" } },
        { id: 3, vector: { d: [0, 0, 1] }, payload: { t: "three" } },
      ],
    });
    await a.setPayload("c", { payload: { extra: true }, points: [1], wait: true });
    await a.delete("c", { points: [3], wait: true });
    await a.createPayloadIndex("c", { field_name: "t", field_schema: "keyword", wait: true });
    const before = await a.query("c", { query: [1, 2, 3], using: "d", with_vector: true, with_payload: true });
    await a.close();

    const b = new LocalQdrantClient({ path: dir });
    expect((await b.getCollections()).collections).toEqual([{ name: "c" }]);
    const info = await b.getCollection("c");
    expect(info.points_count).toBe(2);
    expect(info.payload_schema.t?.data_type).toBe("keyword");
    const after = await b.query("c", { query: [1, 2, 3], using: "d", with_vector: true, with_payload: true });
    expect(after).toEqual(before);
    const rec = await b.retrieve("c", { ids: [1], with_vector: true });
    expect(rec[0]!.payload).toEqual({ t: "one", extra: true });
    expect((rec[0]!.vector as Record<string, unknown>).s).toEqual({ indices: [2, 9], values: [1, 0.5] });
    expect((rec[0]!.vector as Record<string, unknown>).m).toEqual([[1, 0], [0, 1]]);
    await b.deleteCollection("c");
    await b.close();
    const c = new LocalQdrantClient({ path: dir });
    expect((await c.getCollections()).collections).toEqual([]);
    await c.close();
  });

  it("durability 'flush' acknowledges after the fsync and reads back the same", async () => {
    const dir = tmp();
    const a = new LocalQdrantClient({ path: dir, durability: "flush" });
    await a.createCollection("f", { vectors: { size: 2, distance: "Euclid" } });
    const res = await a.upsert("f", { wait: true, points: [{ id: 1, vector: [3, 4], payload: { x: 1 } }] });
    expect(res).toEqual({ operation_id: 1, status: "completed" });
    await a.close();
    const b = new LocalQdrantClient({ path: dir });
    const hit = await b.query("f", { query: [0, 0], with_payload: true });
    expect(hit.points[0]).toMatchObject({ id: 1, score: 5, payload: { x: 1 } });
    await b.close();
  });

  it("lets several clients share a folder: each sees the others' commits on its next call", async () => {
    const dir = tmp();
    const a = new LocalQdrantClient({ path: dir });
    const b = new LocalQdrantClient({ path: dir });
    await a.createCollection("shared", { vectors: { size: 2, distance: "Dot" } });
    await a.upsert("shared", { wait: true, points: [{ id: 1, vector: [1, 0], payload: { by: "a" } }] });
    expect((await b.count("shared")).count).toBe(1);
    await b.upsert("shared", { wait: true, points: [{ id: 2, vector: [0, 1], payload: { by: "b" } }] });
    await a.delete("shared", { wait: true, points: [1] });
    const seenByA = await a.scroll("shared", { with_payload: true });
    expect(seenByA.points.map((p) => [p.id, (p.payload as { by: string }).by])).toEqual([[2, "b"]]);
    expect((await b.query("shared", { query: [0, 1], limit: 5 })).points.map((p) => p.id)).toEqual([2]);
    await b.deleteCollection("shared");
    expect((await a.collectionExists("shared")).exists).toBe(false);
    await a.close();
    await b.close();
  });

  it("holds the writer lock for one long run of writes; a second writer waits, says for whom, then times out with STORE_LOCKED", async () => {
    const dir = tmp();
    const a = new LocalQdrantClient({ path: dir });
    const b = new LocalQdrantClient({ path: dir });
    const release = await a.lockForWriting({ label: "ingest", timeoutMs: 1000 });
    const told: string[] = [];
    const err = await b.lockForWriting({ label: "ingest", timeoutMs: 50, pollMs: 10, onWait: (m) => told.push(m) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as StoreLockedError).code).toBe("STORE_LOCKED");
    expect((err as Error).message).toContain(`the ingest in pid ${process.pid}`);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`waiting for the ingest in pid ${process.pid}`);
    const waiting = b.lockForWriting({ label: "reset", timeoutMs: 5000, pollMs: 10 });
    release();
    const releaseB = await waiting; // taken once the first writer let go
    releaseB();
    await a.close();
    await b.close();
  });

  it("takes over a writer lock left by a process that no longer runs", async () => {
    const dir = tmp();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    fs.writeFileSync(path.join(dir, "folio-writer.lock"), JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), since: new Date().toISOString(), label: "ingest" }));
    const c = new LocalQdrantClient({ path: dir });
    const release = await c.lockForWriting({ label: "ingest", timeoutMs: 0 });
    release();
    await c.close();
    expect(fs.existsSync(path.join(dir, "folio-writer.lock"))).toBe(false);
  });

  it("takes over a writer lock whose pid now belongs to another program (reused pid, or a reboot)", async () => {
    const dir = tmp();
    // pid 1 runs, but it is not the process that wrote this lock (different start time / boot)
    fs.writeFileSync(
      path.join(dir, "folio-writer.lock"),
      JSON.stringify({ pid: 1, host: os.hostname(), since: "2020-01-01T00:00:00Z", bootId: "another-boot", startTime: "1" }),
    );
    const c = new LocalQdrantClient({ path: dir });
    const release = await c.lockForWriting({ label: "ingest", timeoutMs: 0 });
    release();
    await c.close();
  });

  it("fails unsupported calls with a typed error instead of using the network", async () => {
    const c = new LocalQdrantClient({ path: ":memory:" });
    await c.createCollection("x", { vectors: { size: 2, distance: "Dot" } });
    const calls: Array<() => unknown> = [() => c.createSnapshot("x"), () => c.discoverPoints("x", { target: 1, limit: 1 }), () => c.api()];
    for (const call of calls) {
      let err: unknown;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      expect((err as UnsupportedFeatureError).hint).toContain("QDRANT_URL");
    }
    await expect(c.query("x", { query: { recommend: { positive: [1] } } })).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await c.close();
  });
});

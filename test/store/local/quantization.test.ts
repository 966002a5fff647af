/** Scalar int8 quantization the Qdrant way: created or switched on later, rescored exactly, shared by processes. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";
import { UnsupportedFeatureError } from "../../../src/errors.js";
import { rng } from "../conformance/fixtures.js";

const DIM = 64;
const POINTS = 3000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "folio-int8-"));
  dirs.push(d);
  return d;
}

function vectors(seed: number, n: number): number[][] {
  const random = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: DIM }, () => random() * 2 - 1));
}

async function fill(client: LocalQdrantClient, quantized: boolean): Promise<void> {
  await client.createCollection("q", {
    vectors: { size: DIM, distance: "Cosine" },
    ...(quantized ? { quantization_config: { scalar: { type: "int8", always_ram: true } } } : {}),
  });
  const data = vectors(1, POINTS);
  for (let start = 0; start < POINTS; start += 500) {
    await client.upsert("q", { wait: true, points: data.slice(start, start + 500).map((vector, i) => ({ id: start + i + 1, vector, payload: { n: start + i } })) });
  }
}

const RESCORED = { quantization: { rescore: true, oversampling: 3 } };

/** Same ids in the same order, scores equal up to float32 summation order (SIMD lanes vs one row). */
function expectSameRanking(got: Array<{ id: string | number; score: number }>, want: Array<{ id: string | number; score: number }>): void {
  expect(got.map((p) => p.id)).toEqual(want.map((p) => p.id));
  for (const [i, p] of got.entries()) expect(Math.abs(p.score - want[i]!.score)).toBeLessThan(1e-6);
}

async function topIds(client: LocalQdrantClient, query: number[], params?: object): Promise<Array<string | number>> {
  const { points } = await client.query("q", { query, limit: 10, ...(params ? { params } : {}) });
  return points.map((p) => p.id);
}

/** Share of the exact top-10 ids the quantized search finds, over the queries. */
async function recall(exact: LocalQdrantClient, quantized: LocalQdrantClient, params?: object): Promise<number> {
  let hit = 0;
  const queries = vectors(9, 20);
  for (const q of queries) {
    const truth = new Set(await topIds(exact, q, { quantization: { ignore: true } }));
    for (const id of await topIds(quantized, q, params)) if (truth.has(id)) hit++;
  }
  return hit / (queries.length * 10);
}

describe("int8 quantization", () => {
  it("a quantized collection answers with exact scores after rescoring, and recall of the exact top-10", async () => {
    const exact = new LocalQdrantClient({ path: ":memory:" });
    const quantized = new LocalQdrantClient({ path: ":memory:" });
    await fill(exact, false);
    await fill(quantized, true);
    expect(await recall(exact, quantized, RESCORED)).toBeGreaterThanOrEqual(0.99);
    const q = vectors(9, 1)[0]!;
    const a = await exact.query("q", { query: q, limit: 3 });
    const b = await quantized.query("q", { query: q, limit: 3, params: RESCORED });
    // rescored from the float originals: the float scores, not int8 approximations
    expectSameRanking(b.points, a.points);
    // without rescoring the scores are int8 estimates: close, but not the float ones
    const raw = await quantized.query("q", { query: q, limit: 3, params: { quantization: { rescore: false } } });
    const errors = raw.points.map((p, i) => Math.abs(p.score - a.points[i]!.score));
    expect(Math.max(...errors)).toBeGreaterThan(1e-6);
    expect(Math.max(...errors)).toBeLessThan(0.02);
    expect((await quantized.getCollection("q")).config.quantization_config).toMatchObject({ scalar: { type: "int8" } });
  });

  it("is switched on and off with updateCollection; another client and a reopened store follow", async () => {
    const dir = tmp();
    const writer = new LocalQdrantClient({ path: dir });
    const reader = new LocalQdrantClient({ path: dir });
    await fill(writer, false);
    const q = vectors(9, 1)[0]!;
    const before = await reader.query("q", { query: q, limit: 10 });
    await writer.updateCollection("q", { quantization_config: { scalar: { type: "int8", quantile: 0.99 } }, optimizers_config: { indexing_threshold: 1000 } });
    const info = await reader.getCollection("q");
    expect(info.config.quantization_config).toMatchObject({ scalar: { type: "int8", quantile: 0.99 } });
    expect(info.config.optimizer_config.indexing_threshold).toBe(1000);
    expect(info.config.optimizer_config.deleted_threshold).toBe(0.2); // a partial update keeps the rest
    expectSameRanking((await reader.query("q", { query: q, limit: 10, params: RESCORED })).points, before.points);
    await writer.compact("q");
    await writer.close();
    const reopened = new LocalQdrantClient({ path: dir });
    expectSameRanking((await reopened.query("q", { query: q, limit: 10, params: RESCORED })).points, before.points);
    await reopened.updateCollection("q", { quantization_config: "Disabled" });
    expect((await reader.getCollection("q")).config.quantization_config).toBeNull();
    expect((await reader.query("q", { query: q, limit: 10, params: { quantization: { rescore: false } } })).points).toEqual(before.points);
    await reader.close();
    await reopened.close();
  });

  it("refuses what the embedded store cannot do, before anything is written", async () => {
    const client = new LocalQdrantClient({ path: ":memory:" });
    await expect(client.createCollection("p", { vectors: { size: 8, distance: "Dot" }, quantization_config: { product: { compression: "x16" } } })).rejects.toBeInstanceOf(UnsupportedFeatureError);
    expect((await client.collectionExists("p")).exists).toBe(false);
    await client.createCollection("v", { vectors: { size: 8, distance: "Dot" } });
    await expect(client.updateCollection("v", { vectors: { "": { on_disk: true } } })).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await expect(client.query("v", { query: [1, 0, 0, 0, 0, 0, 0, 0], params: { quantization: { oversampling: 0.5 } } })).rejects.toMatchObject({ status: 400 });
  });
});

/**
 * A seeded differential test of the shared store: random writes, reads, compactions, reopens, index
 * changes, quantization switches and collection re-creation through two clients on one folder (two
 * processes' views), against a `:memory:` client given the same operations; every read must agree.
 * It found four bugs when it was written (see reliability-review.test.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";

type CreateArgs = Parameters<LocalQdrantClient["createCollection"]>[1];
type QueryArgs = Parameters<LocalQdrantClient["query"]>[1];

function rng(seed: number) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; }; }

async function run(seed: number, steps: number, FLAGS: Set<string>): Promise<string | null> {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T,>(a: T[]): T => a[int(a.length)]!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rvf-"));
  const quiet = () => undefined;
  const open = () => new LocalQdrantClient({ path: dir, onWarning: quiet });
  const P: LocalQdrantClient[] = [open(), open()];
  const M = new LocalQdrantClient({ path: ":memory:" });
  const quant = FLAGS.has("quant") && r() < 0.5;
  const spec = {
    vectors: { d: { size: 4, distance: "Cosine" }, m: { size: 2, distance: "Dot", multivector_config: { comparator: "max_sim" } } },
    sparse_vectors: { s: { modifier: "idf" } },
    ...(quant ? { quantization_config: { scalar: { type: "int8" as const } } } : {}),
  } as CreateArgs;
  const log: string[] = [];
  const both = async (name: string, f: (c: LocalQdrantClient) => Promise<unknown>, who: LocalQdrantClient) => {
    let a: unknown, b: unknown, ea: string | null = null, eb: string | null = null;
    try { a = await f(M); } catch (e) { ea = String((e as Error).message).slice(0, 80); }
    try { b = await f(who); } catch (e) { eb = String((e as Error).message).slice(0, 80); }
    return { a, b, ea, eb };
  };
  await M.createCollection("c", spec); await P[0]!.createCollection("c", spec);
  const ids = Array.from({ length: 30 }, (_, i) => i < 24 ? i : `00000000-0000-4000-8000-0000000000${(i + 10).toString(16).padStart(2, "0")}`);
  const vec = () => Array.from({ length: 4 }, () => Math.round((r() * 2 - 1) * 1000) / 1000);
  const sparse = () => { const n = 1 + int(4); const idx = new Set<number>(); while (idx.size < n) idx.add(int(12)); return { indices: [...idx], values: [...idx].map(() => Math.round(r() * 1000) / 1000 + 0.001) }; };
  const multi = () => Array.from({ length: 1 + int(3) }, () => [Math.round(r() * 1000) / 1000, Math.round(r() * 1000) / 1000]);
  const payload = () => { const p: Record<string, unknown> = {}; if (r() < 0.8) p.tag = pick(["a", "b", "c"]); if (r() < 0.7) p.n = int(10); if (r() < 0.3) p.arr = [int(5), int(5)]; if (r() < 0.1) p.tag = [pick(["a", "b"]), pick(["c", "d"])]; if (r() < 0.05) p.tag = { x: 1 }; return p; };
  const point = () => { const v: Record<string, unknown> = {}; if (r() < 0.9) v.d = vec(); if (r() < 0.7) v.s = sparse(); if (r() < 0.4) v.m = multi(); return { id: pick(ids), vector: v, payload: payload() }; };
  const filter = () => pick<Record<string, unknown> | undefined>([
    undefined,
    { must: [{ key: "tag", match: { value: pick(["a", "b", "c", "d"]) } }] },
    { must: [{ key: "n", range: { gte: int(10) } }] },
    { must_not: [{ key: "tag", match: { any: ["a", "c"] } }] },
    { should: [{ key: "arr", match: { value: int(5) } }, { key: "n", match: { value: int(10) } }] },
    { must: [{ is_empty: { key: "tag" } }] },
    { must: [{ has_vector: "s" }] },
    { must: [{ key: "tag", match: { except: ["a"] } }] },
  ]);
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === "object") { const src = x as Record<string, unknown>; const o: Record<string, unknown> = {}; for (const k of Object.keys(src).sort()) { if (k === "version" || k === "operation_id") continue; o[k] = norm(src[k]); } return o; }
    if (typeof x === "number" && !Number.isInteger(x)) return Math.round(x * 1e4) / 1e4;
    return x;
  };
  const check = async (what: string, f: (c: LocalQdrantClient) => Promise<unknown>) => {
    const who = pick([0, 1]);
    const { a, b, ea, eb } = await both(what, f, P[who]!);
    const ja = JSON.stringify(norm(a)) + (ea ?? ""), jb = JSON.stringify(norm(b)) + (eb ?? "");
    if (ja !== jb) return `seed ${seed} step ${log.length} P${who} ${what}\n  mem: ${ja.slice(0, 600)}\n  per: ${jb.slice(0, 600)}\n  log: ${log.slice(-25).join(" | ")}`;
    return null;
  };
  try {
    for (let step = 0; step < steps; step++) {
      const x = r();
      const who = int(2);
      const W = P[who]!;
      let desc = "";
      const apply = async (f: (c: LocalQdrantClient) => Promise<unknown>) => {
        const { ea, eb } = await both(desc, f, W);
        if ((ea === null) !== (eb === null)) throw new Error(`seed ${seed} write error mismatch at ${desc}: mem=${ea} per=${eb}`);
      };
      if (x < 0.3) { const pts = Array.from({ length: 1 + int(4) }, point); const seen = new Set(); const u = pts.filter(p => !seen.has(p.id) && seen.add(p.id)); desc = `P${who} upsert ${u.map(p => p.id).join(",")}`; await apply(c => c.upsert("c", { points: u } as Parameters<LocalQdrantClient["upsert"]>[1])); }
      else if (x < 0.4) { const d = Array.from({ length: 1 + int(3) }, () => pick(ids)); desc = `P${who} delete ${d}`; await apply(c => c.delete("c", { points: d })); }
      else if (x < 0.44) { const f = filter() ?? { must: [{ key: "n", match: { value: int(10) } }] }; desc = `P${who} deleteByFilter ${JSON.stringify(f)}`; await apply(c => c.delete("c", { filter: f })); }
      else if (x < 0.5) { const d = [pick(ids)]; const p = payload(); desc = `P${who} setPayload ${d} ${JSON.stringify(p)}`; await apply(c => c.setPayload("c", { points: d, payload: p })); }
      else if (x < 0.53) { const d = [pick(ids), pick(ids)]; const p = payload(); desc = `P${who} overwritePayload ${d}`; await apply(c => c.overwritePayload("c", { points: d, payload: p })); }
      else if (x < 0.55) { const d = [pick(ids)]; desc = `P${who} deletePayload ${d} tag`; await apply(c => c.deletePayload("c", { points: d, keys: ["tag"] })); }
      else if (x < 0.57) { const f = filter() ?? {must:[]}; const p = { n: int(10) }; desc = `P${who} setPayloadByFilter ${JSON.stringify(f)} ${JSON.stringify(p)}`; await apply(c => c.setPayload("c", { filter: f, payload: p })); }
      else if (x < 0.6) { const id = pick(ids); const v: Record<string, unknown> = {}; if (r() < 0.6) v.d = vec(); else v.s = sparse(); desc = `P${who} updateVectors ${id} ${Object.keys(v)}`; await apply(async c => { const ex = await c.retrieve("c", { ids: [id] }); if (ex.length === 0) return; return c.updateVectors("c", { points: [{ id, vector: v }] } as Parameters<LocalQdrantClient["updateVectors"]>[1]); }); }
      else if (x < 0.62) { const d = [pick(ids)]; const names = [pick(["d", "s", "m"])]; desc = `P${who} deleteVectors ${d} ${names}`; await apply(c => c.deleteVectors("c", { points: d, vector: names })); }
      else if (x < 0.65 && !FLAGS.has("noindex")) { const f = pick(["tag", "n", "arr"]); if (r() < 0.6) { desc = `P${who} createIndex ${f}`; await apply(c => c.createPayloadIndex("c", { field_name: f, field_schema: f === "tag" ? "keyword" : "integer" })); } else { desc = `P${who} dropIndex ${f}`; await apply(c => c.deletePayloadIndex("c", f)); } }
      else if (x < 0.7) { desc = `P${who} compact`; await W.compact(); }
      else if (x < 0.74) { desc = `P${who} reopen`; await W.close(); P[who] = open(); }
      else if (x < 0.75 && FLAGS.has("quant")) { const on = r() < 0.5; desc = `P${who} quant ${on}`; await apply(c => c.updateCollection("c", { quantization_config: on ? { scalar: { type: "int8" } } : "Disabled" } as Parameters<LocalQdrantClient["updateCollection"]>[1])); }
      else if (x < 0.76 && FLAGS.has("recreate")) { desc = `P${who} recreate`; await apply(async c => { await c.deleteCollection("c"); await c.createCollection("c", spec); }); }
      else {
        // reads
        const f = filter();
        const qv = vec(), qs2 = sparse(), qm = multi(), qid = pick(ids), rid = [pick(ids), pick(ids)];
        const qs: Array<[string, (c: LocalQdrantClient) => Promise<unknown>]> = [
          ["count", c => c.count("c", { filter: f, exact: true })],
          ["scroll", c => c.scroll("c", { filter: f, limit: 100, with_payload: true, with_vector: true })],
          ["dense", c => c.query("c", { query: qv, using: "d", filter: f, limit: 5, with_payload: true })],
          ["sparse", c => c.query("c", { query: qs2, using: "s", filter: f, limit: 5 })],
          ["multi", c => c.query("c", { query: qm, using: "m", filter: f, limit: 5 })],
          ["hybrid", c => c.query("c", { prefetch: [{ query: qv, using: "d", limit: 8 }, { query: qs2, using: "s", limit: 8 }], query: { fusion: "rrf" }, filter: f, limit: 5 })],
          ["rescore", c => c.query("c", { prefetch: [{ query: qs2, using: "s", limit: 10 }], query: qv, using: "d", limit: 5 })],
          ["rescore-s", c => c.query("c", { prefetch: [{ query: qv, using: "d", limit: 10 }], query: qs2, using: "s", limit: 5 })],
          ["mmr", c => c.query("c", { query: { nearest: qv, mmr: { diversity: 0.5, candidates_limit: 10 } }, using: "d", filter: f, limit: 4 } as QueryArgs)],
          ["byid", c => c.query("c", { query: qid, using: "d", limit: 4 } as QueryArgs)],
          ["byid-s", c => c.query("c", { query: qid, using: "s", limit: 4 } as QueryArgs)],
          ["retrieve", c => c.retrieve("c", { ids: rid, with_vector: true, with_payload: true })],
          ["ignore", c => c.query("c", { query: qv, using: "d", limit: 5, params: { quantization: { ignore: true } } } as QueryArgs)],
          ["facet", c => c.facet("c", { key: "tag", exact: true } as Parameters<LocalQdrantClient["facet"]>[1])],
          ["info", async c => { const i = await c.getCollection("c"); return { n: i.points_count, s: i.payload_schema }; }],
        ];
        const [name, q] = pick(qs);
        desc = `read ${name} ${JSON.stringify(f)}`;
        log.push(desc);
        const bad = await check(desc, q);
        if (bad) return bad;
        continue;
      }
      log.push(desc);
    }
    // final full comparison from a fresh process
    await P[0]!.close(); await P[1]!.close(); P[0] = open(); P[1] = open();
    log.push("final reopen");
    for (let i = 0; i < 20; i++) {
      const sq = sparse(), dq = vec();
      const bad = await check("final scroll", c => c.scroll("c", { limit: 100, with_payload: true, with_vector: true })) ?? await check("final sparse", c => c.query("c", { query: sq, using: "s", limit: 10 })) ?? await check("final dense", c => c.query("c", { query: dq, using: "d", limit: 10 }));
      if (bad) return bad;
    }
    return null;
  } finally {
    for (const p of P) await p.close().catch(() => undefined);
    await M.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


const SEEDS = 40;
const STEPS = 300;

describe("the shared store against an in-memory one", () => {
  it(`agrees on every read over ${SEEDS} seeded runs of ${STEPS} operations`, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const bad = await run(seed, STEPS, new Set(["quant", "recreate"]));
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

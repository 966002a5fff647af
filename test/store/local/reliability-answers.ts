/** A fixed set of reads to compare two clients (or one client before and after something), for the reliability tests. */
import { expect } from "vitest";
import type { LocalQdrantClient } from "../../../src/store/local/index.js";
import { COLLECTION, docName, scrollAll, VOCAB, type ChunkPoint, type Id } from "./reliability-workload.js";

export type Answer = { id: Id; score?: number; payload?: unknown }[] | number;

export const byDoc = (doc: number) => ({ must: [{ key: "doc", match: { value: docName(doc) } }] });

/**
 * Dense, sparse and hybrid (RRF) queries per probe, a sparse query over every term (which reads
 * every posting list), a filtered query with payloads, a filtered count, the count and the ids
 * of a full scroll.
 */
export async function answers(c: LocalQdrantClient, probes: ChunkPoint[], filterDoc: number): Promise<Answer[]> {
  const hits = (r: { points: Array<{ id: Id; score: number; payload?: unknown }> }, payload = false): Answer =>
    r.points.map((h) => ({ id: h.id, score: h.score, ...(payload ? { payload: h.payload } : {}) }));
  const out: Answer[] = [];
  for (const p of probes) {
    out.push(hits(await c.query(COLLECTION, { query: p.vector.dense, using: "dense", limit: 8 })));
    out.push(hits(await c.query(COLLECTION, { query: p.vector.bm25, using: "bm25", limit: 8 })));
    out.push(
      hits(
        await c.query(COLLECTION, {
          prefetch: [
            { query: p.vector.dense, using: "dense", limit: 20 },
            { query: p.vector.bm25, using: "bm25", limit: 20 },
          ],
          query: { fusion: "rrf" },
          limit: 10,
        }),
      ),
    );
  }
  const every = Array.from({ length: VOCAB }, (_, t) => t);
  out.push(hits(await c.query(COLLECTION, { query: { indices: every, values: every.map(() => 1) }, using: "bm25", limit: 10_000 })));
  const probe = probes[0]!;
  out.push(hits(await c.query(COLLECTION, { query: probe.vector.dense, using: "dense", filter: byDoc(filterDoc), limit: 50, with_payload: true }), true));
  out.push((await c.count(COLLECTION, { filter: byDoc(filterDoc), exact: true })).count);
  out.push((await c.count(COLLECTION, { exact: true })).count);
  out.push((await scrollAll(c)).map((p) => ({ id: p.id })));
  return out;
}

/** Ids and payloads equal; scores equal up to float32 rounding of a differently ordered sum. */
export function expectSameAnswers(got: Answer[], want: Answer[], label: string): void {
  expect(got.length, label).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (typeof w === "number" || typeof g === "number") return expect(g, `${label}: answer ${i}`).toBe(w);
    expect(
      g.map((h) => [h.id, h.payload]),
      `${label}: answer ${i} (ids)`,
    ).toEqual(w.map((h) => [h.id, h.payload]));
    g.forEach((h, j) => expect(Math.abs((h.score ?? 0) - (w[j]!.score ?? 0)), `${label}: answer ${i} hit ${j} score`).toBeLessThan(1e-6));
  });
}

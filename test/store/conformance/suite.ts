/**
 * Conformance suite written against the QdrantClient interface: the same calls run on the
 * embedded LocalQdrantClient and, when QDRANT_URL is set, on a real Qdrant server. Golden cases
 * come from Qdrant's own HTTP tests; property tests compare exact search with a brute-force reference.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { BASIC_CONFIG, BASIC_POINTS, IDF_TEXTS, MULTIPAYLOAD_POINTS, idfVector, idfWords, rng } from "./fixtures.js";

export interface ClientUnderTest {
  client: QdrantClient;
  close(): Promise<void>;
}

type Distance = "Cosine" | "Dot" | "Euclid" | "Manhattan";
type Hit = { id: string | number; score: number };

const Q1 = [0.1, 0.2, 0.3, 0.4];
const Q2 = [0.5, 0.6, 0.7, 0.8];

function dot(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * (b[i] as number), 0);
}

/** Brute-force reference scorer, as the server defines each distance. */
function refScore(distance: Distance, q: number[], v: number[]): number {
  const f = (x: number[]) => x.map((y) => Math.fround(y));
  if (distance === "Cosine") {
    const norm = (x: number[]) => {
      const n = Math.sqrt(dot(x, x));
      return n < 1e-12 ? x : f(x.map((y) => y / n));
    };
    return dot(norm(q), norm(v));
  }
  if (distance === "Dot") return dot(f(q), f(v));
  if (distance === "Euclid") return Math.sqrt(q.reduce((s, x, i) => s + (Math.fround(x) - Math.fround(v[i] as number)) ** 2, 0));
  return q.reduce((s, x, i) => s + Math.abs(Math.fround(x) - Math.fround(v[i] as number)), 0);
}

function refNearest(distance: Distance, q: number[], points: Array<{ id: number; vector: number[] }>, limit: number): Hit[] {
  const smallBetter = distance === "Euclid" || distance === "Manhattan";
  return points
    .map((p) => ({ id: p.id, score: refScore(distance, q, p.vector) }))
    .sort((a, b) => (smallBetter ? a.score - b.score : b.score - a.score) || a.id - b.id)
    .slice(0, limit);
}

function refRrf(lists: Hit[][], k = 2, weights?: number[]): Map<string | number, number> {
  const out = new Map<string | number, number>();
  lists.forEach((list, li) => {
    const w = weights?.[li] ?? 1;
    list.forEach((h, pos) => out.set(h.id, (out.get(h.id) ?? 0) + 1 / ((pos + 1) / w + k - 1)));
  });
  return out;
}

function refDbsf(lists: Hit[][]): Array<{ id: string | number; score: number }> {
  const out = new Map<string | number, number>();
  for (const list of lists) {
    const scores = list.map((h) => h.score);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length - 1));
    const lo = mean - 3 * std;
    const hi = mean + 3 * std;
    list.forEach((h) => out.set(h.id, (out.get(h.id) ?? 0) + (h.score - lo) / (hi - lo)));
  }
  return [...out].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

function ids(points: Array<{ id: string | number }>): Array<string | number> {
  return points.map((p) => p.id);
}

async function expectApiError(p: Promise<unknown>, status: number, messagePart?: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e as { status?: number; data?: { status?: { error?: string } }; message?: string },
  );
  expect(err, "expected the call to fail").not.toBeNull();
  expect(err?.status).toBe(status);
  if (messagePart) expect(err?.data?.status?.error ?? "").toContain(messagePart);
}

export function conformanceSuite(label: string, open: () => Promise<ClientUnderTest>): void {
  describe(`Qdrant conformance: ${label}`, () => {
    let under: ClientUnderTest;
    let client: QdrantClient;
    const prefix = `conf_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
    const basic = `${prefix}_basic`;
    const created: string[] = [];

    async function create(name: string, config: Parameters<QdrantClient["createCollection"]>[1]): Promise<void> {
      if ((await client.collectionExists(name)).exists) await client.deleteCollection(name);
      await client.createCollection(name, config);
      created.push(name);
    }

    beforeAll(async () => {
      under = await open();
      client = under.client;
      await create(basic, BASIC_CONFIG);
      await client.createPayloadIndex(basic, { field_name: "price", field_schema: "float", wait: true });
      await client.upsert(basic, { wait: true, points: BASIC_POINTS });
    });

    afterAll(async () => {
      for (const name of created) await client.deleteCollection(name).catch(() => undefined);
      await under?.close();
    });

    const denseBasic = BASIC_POINTS.filter((p) => Array.isArray(p.vector)) as Array<{ id: number; vector: number[] }>;

    describe("collections", () => {
      it("lists, describes and checks existence", async () => {
        expect((await client.getCollections()).collections.map((c) => c.name)).toContain(basic);
        expect(await client.collectionExists(basic)).toEqual({ exists: true });
        expect(await client.collectionExists(`${prefix}_missing`)).toEqual({ exists: false });
        const info = await client.getCollection(basic);
        expect(info.points_count).toBe(10);
        expect(info.config.params.vectors).toMatchObject({ size: 4, distance: "Dot" });
        expect(info.payload_schema.price?.data_type).toBe("float");
      });

      it("answers 409 when the collection already exists", async () => {
        await expectApiError(client.createCollection(basic, BASIC_CONFIG), 409, "already exists");
      });

      it("answers 404 for a missing collection", async () => {
        await expectApiError(client.query(`${prefix}_missing`, { query: Q1 }), 404, "doesn't exist");
      });
    });

    describe("golden cases from qdrant tests/openapi", () => {
      it("nearest search orders and scores like brute force Dot", async () => {
        const res = await client.query(basic, { query: Q1, limit: 10 });
        const expected = refNearest("Dot", Q1, denseBasic, 10);
        expect(ids(res.points)).toEqual(ids(expected));
        res.points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 5));
        expect(res.points[0]).toHaveProperty("version");
        expect(res.points[0]?.payload ?? null).toBeNull();
      });

      it("legacy search, nearest and prefetch-rescored queries agree", async () => {
        const search = await client.search(basic, { vector: Q1, limit: 10 });
        const root = await client.query(basic, { query: Q1 });
        const nearest = await client.query(basic, { query: { nearest: Q1 } });
        const rescored = await client.query(basic, { prefetch: { limit: 1000 }, query: Q1 } as Parameters<QdrantClient["query"]>[1]).catch(() => null);
        expect(ids(search)).toEqual(ids(root.points));
        expect(nearest.points).toEqual(root.points);
        if (rescored) expect(ids(rescored.points)).toEqual(ids(root.points));
      });

      it("a huge limit (u64::MAX) is answered like a normal one", async () => {
        const huge = 2 ** 64; // u64::MAX as a JSON number
        const res = await client.query(basic, { query: Q1, limit: huge });
        expect(ids(res.points)).toEqual(ids(refNearest("Dot", Q1, denseBasic, 10)));
      });

      it("a query without query returns points in id order, like scroll", async () => {
        const scroll = await client.scroll(basic, {});
        const query = await client.query(basic, { with_payload: true });
        expect(ids(query.points)).toEqual(ids(scroll.points));
        expect(query.points.map((p) => p.payload)).toEqual(scroll.points.map((p) => p.payload));
        const offset = await client.query(basic, { with_payload: true, offset: 1 });
        const scrollOffset = await client.scroll(basic, { offset: 2 });
        expect(ids(offset.points)).toEqual(ids(scrollOffset.points).slice(0, offset.points.length));
      });

      it("RRF (k = 2) fuses two prefetches", async () => {
        const l1 = (await client.query(basic, { query: Q1, limit: 10 })).points;
        const l2 = (await client.query(basic, { query: Q2, limit: 10 })).points;
        const expected = refRrf([l1, l2]);
        const res = await client.query(basic, { prefetch: [{ query: Q1 }, { query: Q2 }], query: { fusion: "rrf" } });
        expect(res.points).toHaveLength(expected.size);
        for (const p of res.points) expect(p.score).toBeCloseTo(expected.get(p.id)!, 5);
        for (let i = 1; i < res.points.length; i++) expect(res.points[i - 1]!.score).toBeGreaterThanOrEqual(res.points[i]!.score);
      });

      it("RRF golden scores 1.0833334, 0.8333334, 0.5833334, 0.5 and the weighted / k forms", async () => {
        // three ranked lists: [3, 1, 4], [1, 4, 3], [2, 3]
        const prefetch = [
          { query: Q1, filter: { must: [{ has_id: [1, 3, 4] }] } },
          { query: [0, 0.5, 1, 0], filter: { must: [{ has_id: [1, 3, 4] }] } },
          { query: [0, 0, 1, 0], filter: { must: [{ has_id: [2, 3] }] } },
        ];
        const res = await client.query(basic, { prefetch, query: { fusion: "rrf" } });
        expect(ids(res.points)).toEqual([3, 1, 4, 2]);
        expect(res.points.map((p) => p.score)).toEqual([1.0833334, 0.8333334, 0.5833334, 0.5].map(Math.fround));
        const same = await client.query(basic, { prefetch, query: { rrf: {} } });
        expect(same.points.map((p) => p.score)).toEqual(res.points.map((p) => p.score));

        const lists = [
          [{ id: 3, score: 0 }, { id: 1, score: 0 }, { id: 4, score: 0 }],
          [{ id: 1, score: 0 }, { id: 4, score: 0 }, { id: 3, score: 0 }],
          [{ id: 2, score: 0 }, { id: 3, score: 0 }],
        ];
        const weights = [3, 1, 0.5];
        const weighted = await client.query(basic, { prefetch, query: { rrf: { k: 2, weights } } });
        const expectedW = refRrf(lists, 2, weights);
        for (const p of weighted.points) expect(p.score).toBeCloseTo(expectedW.get(p.id)!, 5);
        expect(weighted.points[0]?.id).toBe(3);
        const k60 = await client.query(basic, { prefetch, query: { rrf: { k: 60 } } });
        const expected60 = refRrf(lists, 60);
        for (const p of k60.points) expect(p.score).toBeCloseTo(expected60.get(p.id)!, 6);
      });

      it("DBSF fuses two prefetches", async () => {
        const l1 = (await client.query(basic, { query: Q1, limit: 10 })).points;
        const l2 = (await client.query(basic, { query: Q2, limit: 10 })).points;
        const expected = refDbsf([l1, l2]);
        const res = await client.query(basic, { prefetch: [{ query: Q1 }, { query: Q2 }], query: { fusion: "dbsf" } });
        expect(ids(res.points)).toEqual(ids(expected));
        res.points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 4));
      });

      it("MMR reorders for diversity, keeps original scores, defaults diversity 0.5", async () => {
        const q = [0.35, 0.08, 0.11, 0.47];
        const plain = (await client.query(basic, { query: { nearest: q } })).points;
        const mmr = (await client.query(basic, { query: { nearest: q, mmr: { diversity: 0.5, candidates_limit: 100 } } })).points;
        expect(ids(mmr)).not.toEqual(ids(plain));
        expect(new Set(ids(mmr))).toEqual(new Set(ids(plain)));
        const byId = new Map(plain.map((p) => [p.id, p.score]));
        for (const p of mmr) {
          expect(p.score).toBeCloseTo(byId.get(p.id)!, 6);
          expect(p.payload ?? null).toBeNull();
          expect(p.vector ?? null).toBeNull();
        }
        const defaults = (await client.query(basic, { query: { nearest: q, mmr: {} } })).points;
        expect(defaults).toEqual(mmr);
        const noDiversity = (await client.query(basic, { query: { nearest: q, mmr: { diversity: 0 } } })).points;
        expect(ids(noDiversity)).toEqual(ids(plain));
      });

      it.each([
        ["rrf", { prefetch: [{ query: Q1 }, { query: Q2 }], query: { fusion: "rrf" as const } }],
        ["nearest", { query: Q1 }],
      ])("score_threshold keeps scores >= threshold (%s)", async (_name, body) => {
        const all = (await client.query(basic, body)).points;
        expect(all).toHaveLength(8);
        const threshold = all[3]!.score;
        const kept = (await client.query(basic, { ...body, score_threshold: threshold })).points;
        expect(kept.length).toBeLessThan(8);
        for (const p of kept) expect(p.score).toBeGreaterThanOrEqual(threshold);
      });

      it("rejects prefetch without query and score_threshold without query", async () => {
        await expectApiError(client.query(basic, { prefetch: [{ query: Q1 }] }), 400, "A query is needed to merge the prefetches");
        await expectApiError(client.query(basic, { score_threshold: 10 }), 400, "A query is needed to use the score_threshold");
      });

      it("IDF gives priority to rare words; without IDF the answer changes", async () => {
        for (const [modifier, expectTop3] of [["idf", true], ["none", false]] as const) {
          const name = `${prefix}_idf_${modifier}`;
          await create(name, { sparse_vectors: { text: { modifier } } });
          await client.upsert(name, {
            wait: true,
            points: IDF_TEXTS.map((t, id) => ({ id, vector: { text: idfVector(idfWords(t)) }, payload: { text: t } })),
          });
          const res = await client.query(name, { query: idfVector(["i", "is", "not", "television", "channel"]), using: "text", limit: 2 });
          expect(res.points).toHaveLength(2);
          if (expectTop3) expect(res.points[0]?.id).toBe(3);
          else expect(res.points[0]?.id).not.toBe(3);
        }
      });

      it("sparse search scores only shared indices and skips points without overlap", async () => {
        const res = await client.query(basic, { query: { indices: [1, 66, 500], values: [1, 2, 3] }, using: "sparse-text" });
        expect(ids(res.points)).toEqual([9, 10]);
        expect(res.points[0]?.score).toBeCloseTo(1.0, 6);
        expect(res.points[1]?.score).toBeCloseTo(0.1, 6);
      });
    });

    describe("filters", () => {
      const cases: Array<[string, Record<string, unknown>, number[]]> = [
        ["match value (arrays match any element)", { must: [{ key: "city", match: { value: "Berlin" } }] }, [1, 2, 3]],
        ["match any", { must: [{ key: "city", match: { any: ["London", "Moscow"] } }] }, [2, 3, 4]],
        ["match except", { must: [{ key: "city", match: { except: ["Berlin"] } }] }, [2, 3, 4]],
        ["is_empty: missing, null or []", { must: [{ is_empty: { key: "city" } }] }, [5, 6, 7, 8, 9, 10]],
        ["is_null", { must: [{ is_null: { key: "city" } }] }, [7]],
        ["range", { must: [{ key: "price", range: { gte: 9.5 } }] }, [1, 2, 3]],
        ["range lt", { must: [{ key: "price", range: { lt: 9.5 } }] }, [4]],
        ["has_id", { must: [{ has_id: [2, 5, 42] }] }, [2, 5]],
        ["must_not", { must_not: [{ key: "city", match: { value: "Berlin" } }] }, [4, 5, 6, 7, 8, 9, 10]],
        ["should", { should: [{ key: "city", match: { value: "London" } }, { key: "count", match: { value: 0 } }] }, [2, 4, 5]],
        [
          "min_should",
          { min_should: { conditions: ["Berlin", "London", "Moscow"].map((c) => ({ key: "city", match: { value: c } })), min_count: 2 } },
          [2, 3, 4],
        ],
        ["values_count", { must: [{ key: "city", values_count: { gte: 2 } }] }, [2, 3, 4]],
        ["nested filter object", { must: [{ should: [{ has_id: [1] }, { has_id: [8] }] }] }, [1, 8]],
      ];
      it.each(cases)("%s", async (_name, filter, expected) => {
        const scroll = await client.scroll(basic, { filter, limit: 100 });
        expect(ids(scroll.points)).toEqual(expected);
        expect((await client.count(basic, { filter, exact: true })).count).toBe(expected.length);
        const q = await client.query(basic, { query: Q1, filter, limit: 100 });
        expect(new Set(ids(q.points))).toEqual(new Set(expected.filter((id) => id <= 8)));
      });

      it("dotted paths, [] paths and nested conditions", async () => {
        const name = `${prefix}_nested`;
        await create(name, { vectors: { size: 2, distance: "Dot" } });
        await client.upsert(name, {
          wait: true,
          points: [
            { id: 1, vector: [1, 0], payload: { meta: { page: 3, tags: ["a", "b"] }, items: [{ k: "x", n: 1 }, { k: "y", n: 5 }] } },
            { id: 2, vector: [0, 1], payload: { meta: { page: 7, tags: ["c"] }, items: [{ k: "x", n: 5 }] } },
            { id: 3, vector: [1, 1], payload: { meta: { page: 9 } } },
          ],
        });
        const scrollIds = async (filter: Record<string, unknown>) => ids((await client.scroll(name, { filter })).points);
        expect(await scrollIds({ must: [{ key: "meta.page", range: { gte: 5 } }] })).toEqual([2, 3]);
        expect(await scrollIds({ must: [{ key: "meta.tags", match: { value: "b" } }] })).toEqual([1]);
        expect(await scrollIds({ must: [{ key: "items[].k", match: { value: "x" } }] })).toEqual([1, 2]);
        // nested: both conditions on the same array element
        const nested = { must: [{ nested: { key: "items", filter: { must: [{ key: "k", match: { value: "x" } }, { key: "n", range: { gte: 5 } }] } } }] };
        expect(await scrollIds(nested)).toEqual([2]);
        expect(await scrollIds({ must: [{ key: "items[].k", match: { value: "x" } }, { key: "items[].n", range: { gte: 5 } }] })).toEqual([1, 2]);
        expect(await scrollIds({ must: [{ is_empty: { key: "meta.tags" } }] })).toEqual([3]);
      });
    });

    describe("points", () => {
      it("normalises UUIDs, rejects bad ids, retrieves with payload and vectors", async () => {
        const name = `${prefix}_ids`;
        await create(name, { vectors: { size: 2, distance: "Cosine" } });
        const res = await client.upsert(name, {
          wait: true,
          points: [
            { id: "550E8400E29B41D4A716446655440000", vector: [3, 4], payload: { a: 1, b: { c: 2 } } },
            { id: 7, vector: [0, 2], payload: { a: 2 } },
          ],
        });
        expect(res.status).toBe("completed");
        expect(typeof res.operation_id).toBe("number");
        const got = await client.retrieve(name, { ids: ["550e8400-e29b-41d4-a716-446655440000", 7, 8], with_vector: true });
        expect(got.map((r) => r.id)).toEqual(["550e8400-e29b-41d4-a716-446655440000", 7]);
        const v = got[0]!.vector as number[];
        expect(v[0]).toBeCloseTo(0.6, 6);
        expect(v[1]).toBeCloseTo(0.8, 6);
        expect(got[0]!.payload).toEqual({ a: 1, b: { c: 2 } });
        const sel = await client.retrieve(name, { ids: [7], with_payload: { exclude: ["a"] } });
        expect(sel[0]!.payload).toEqual({});
        await expectApiError(client.upsert(name, { wait: true, points: [{ id: "not-a-uuid", vector: [1, 0] }] }), 400);
        await expectApiError(client.upsert(name, { wait: true, points: [{ id: 9, vector: [1, 0, 0] }] }), 400, "dimension");
        await expectApiError(client.upsert(name, { wait: true, points: [{ id: -1, vector: [1, 0] }] } as never), 400);
        expect((await client.count(name)).count).toBe(2);
      });

      it("updates and deletes named vectors of existing points", async () => {
        const name = `${prefix}_vectors`;
        await create(name, { vectors: { a: { size: 2, distance: "Dot" }, b: { size: 2, distance: "Dot" } } });
        await client.upsert(name, { wait: true, points: [{ id: 1, vector: { a: [1, 0], b: [0, 1] }, payload: { k: 1 } }, { id: 2, vector: { a: [0, 1] } }] });
        await client.updateVectors(name, { wait: true, points: [{ id: 2, vector: { b: [1, 1] } }] });
        let got = await client.retrieve(name, { ids: [2], with_vector: true });
        expect(got[0]!.vector).toEqual({ a: [0, 1], b: [1, 1] });
        await client.deleteVectors(name, { wait: true, points: [1], vector: ["b"] });
        got = await client.retrieve(name, { ids: [1], with_vector: true, with_payload: true });
        expect(got[0]!.vector).toEqual({ a: [1, 0] });
        expect(got[0]!.payload).toEqual({ k: 1 });
        expect(ids((await client.query(name, { query: [1, 1], using: "b" })).points)).toEqual([2]);
        await expectApiError(client.updateVectors(name, { wait: true, points: [{ id: 99, vector: { a: [1, 1] } }] }), 404);
      });

      it("facets a keyword-indexed field, counting each value once per point", async () => {
        const name = `${prefix}_facet`;
        await create(name, { vectors: { size: 4, distance: "Dot" } });
        await client.createPayloadIndex(name, { field_name: "city", field_schema: "keyword", wait: true });
        await client.upsert(name, { wait: true, points: MULTIPAYLOAD_POINTS });
        const res = await client.facet(name, { key: "city", exact: true });
        expect(res.hits[0]).toEqual({ value: "Berlin", count: 4 });
        // London and Moscow tie at 3: compare without relying on the order of ties
        expect(new Set(res.hits.slice(1, 3).map((h) => JSON.stringify(h)))).toEqual(
          new Set([{ value: "London", count: 3 }, { value: "Moscow", count: 3 }].map((h) => JSON.stringify(h))),
        );
        expect(res.hits[3]).toEqual({ value: "Seoul", count: 1 });
        const filtered = await client.facet(name, { key: "city", exact: true, limit: 1, filter: { must: [{ has_id: [1, 2, 6] }] } });
        expect(filtered.hits).toEqual([{ value: "Berlin", count: 3 }]);
      });

      it("query by point id finds its neighbours (not itself)", async () => {
        const res = await client.query(basic, { query: 3, limit: 3 });
        expect(ids(res.points)).not.toContain(3);
        const v3 = denseBasic.find((p) => p.id === 3)!.vector;
        const expected = refNearest("Dot", v3, denseBasic.filter((p) => p.id !== 3), 3);
        expect(ids(res.points)).toEqual(ids(expected));
      });

      it("errors on unknown vector names and wrong query dimensions", async () => {
        await expectApiError(client.query(basic, { query: Q1, using: "nope" }), 400);
        await expectApiError(client.query(basic, { query: [1, 2] }), 400, "dimension");
      });

      it("set, overwrite, delete and clear payload; delete by ids and filter", async () => {
        const name = `${prefix}_payload`;
        await create(name, { vectors: { size: 2, distance: "Dot" } });
        await client.upsert(name, { wait: true, points: [1, 2, 3, 4].map((id) => ({ id, vector: [id, 1], payload: { n: id, keep: true } })) });
        await client.setPayload(name, { payload: { tag: "x" }, points: [1, 2], wait: true });
        await client.overwritePayload(name, { payload: { only: 1 }, points: [3], wait: true });
        await client.deletePayload(name, { keys: ["keep"], points: [1], wait: true });
        await client.clearPayload(name, { points: [4], wait: true });
        const got = await client.retrieve(name, { ids: [1, 2, 3, 4] });
        expect(got.map((r) => r.payload)).toEqual([{ n: 1, tag: "x" }, { n: 2, keep: true, tag: "x" }, { only: 1 }, {}]);
        await client.setPayload(name, { payload: { x: 5 }, filter: { must: [{ key: "tag", match: { value: "x" } }] }, wait: true });
        expect((await client.count(name, { filter: { must: [{ key: "x", match: { value: 5 } }] } })).count).toBe(2);
        await client.delete(name, { points: [1], wait: true });
        await client.delete(name, { filter: { must: [{ key: "only", match: { value: 1 } }] }, wait: true });
        expect(ids((await client.scroll(name, {})).points)).toEqual([2, 4]);
        const page = await client.scroll(name, { limit: 1 });
        expect(page.next_page_offset).toBe(4);
      });
    });

    describe("named, sparse and multi vectors", () => {
      const name = `${prefix}_hybrid`;
      const docs = [
        { id: 1, dense: [1, 0, 0, 0], sparse: { indices: [1, 5], values: [1, 1] }, multi: [[1, 0], [0, 1]], payload: { doc: "a", page: 1 } },
        { id: 2, dense: [0.9, 0.1, 0, 0], sparse: { indices: [5], values: [2] }, multi: [[1, 1]], payload: { doc: "a", page: 2 } },
        { id: 3, dense: [0, 1, 0, 0], sparse: { indices: [7], values: [1] }, multi: [[0, 1], [0.5, 0.5]], payload: { doc: "b", page: 1 } },
        { id: 4, dense: [0, 0, 1, 0], sparse: { indices: [1], values: [3] }, multi: [[-1, 0]], payload: { doc: "c", page: 1 } },
      ];

      beforeAll(async () => {
        await create(name, {
          vectors: {
            dense: { size: 4, distance: "Cosine" },
            colbert: { size: 2, distance: "Dot", multivector_config: { comparator: "max_sim" }, hnsw_config: { m: 0 } },
          },
          sparse_vectors: { bm25: { modifier: "idf" } },
        });
        await client.upsert(name, {
          wait: true,
          points: docs.map((d) => ({ id: d.id, vector: { dense: d.dense, bm25: d.sparse, colbert: d.multi }, payload: d.payload })),
        });
      });

      it("MaxSim sums the best match of each query sub-vector", async () => {
        const q = [[1, 0], [0, 1]];
        const res = await client.query(name, { query: q, using: "colbert" });
        const maxSim = (doc: number[][]) => q.reduce((s, qv) => s + Math.max(...doc.map((dv) => dot(qv, dv))), 0);
        const expected = docs.map((d) => ({ id: d.id, score: maxSim(d.multi) })).sort((a, b) => b.score - a.score || a.id - b.id);
        expect(ids(res.points)).toEqual(ids(expected));
        res.points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 5));
      });

      it("hybrid: prefetch dense + sparse, fuse with RRF, re-score with the multivector, filter everywhere", async () => {
        const filter = { must: [{ key: "doc", match: { any: ["a", "b"] } }] };
        const fused = await client.query(name, {
          prefetch: [
            { query: [1, 0.2, 0, 0], using: "dense", limit: 3 },
            { query: { indices: [1, 5], values: [1, 1] }, using: "bm25", limit: 3 },
          ],
          query: { fusion: "rrf" },
          filter,
          with_payload: ["doc"],
        });
        expect(ids(fused.points)).not.toContain(4);
        expect(fused.points[0]?.payload).toEqual({ doc: "a" });
        const rescored = await client.query(name, {
          prefetch: { prefetch: [{ query: [1, 0.2, 0, 0], using: "dense" }, { query: { indices: [5], values: [1] }, using: "bm25" }], query: { fusion: "rrf" }, limit: 10 },
          query: [[1, 1]],
          using: "colbert",
          limit: 2,
          with_vector: ["dense"],
        });
        expect(ids(rescored.points)).toEqual([2, 1]);
        expect(Object.keys(rescored.points[0]!.vector as object)).toEqual(["dense"]);
      });

      it("groups by a payload field (group_size, limit)", async () => {
        const res = await client.queryGroups(name, { query: [1, 0.2, 0, 0], using: "dense", group_by: "doc", group_size: 1, limit: 2, with_payload: true });
        expect(res.groups.map((g) => g.id)).toEqual(["a", "b"]);
        expect(res.groups.map((g) => g.hits.length)).toEqual([1, 1]);
        expect(res.groups[0]!.hits[0]!.id).toBe(2);
      });

      it("groups: a point with an array value joins several groups", async () => {
        const mp = `${prefix}_multipayload`;
        await create(mp, { vectors: { size: 4, distance: "Dot" } });
        await client.upsert(mp, { wait: true, points: MULTIPAYLOAD_POINTS });
        const res = await client.queryGroups(mp, { query: Q1, group_by: "city", group_size: 2, limit: 10 });
        const scoreOf = new Map(MULTIPAYLOAD_POINTS.map((p) => [p.id, refScore("Dot", Q1, p.vector)]));
        const berlin = res.groups.find((g) => g.id === "Berlin")!;
        const london = res.groups.find((g) => g.id === "London")!;
        expect(berlin.hits.length).toBe(2);
        expect(ids(london.hits)).toContain(4);
        for (const g of res.groups) {
          expect(g.hits.length).toBeLessThanOrEqual(2);
          for (let i = 1; i < g.hits.length; i++) expect(g.hits[i - 1]!.score).toBeGreaterThanOrEqual(g.hits[i]!.score);
          for (const h of g.hits) expect(h.score).toBeCloseTo(scoreOf.get(h.id as number)!, 5);
        }
        const best = res.groups.map((g) => g.hits[0]!.score);
        expect([...best].sort((a, b) => b - a)).toEqual(best);
        expect(new Set(res.groups.map((g) => g.id))).toEqual(new Set(["Berlin", "London", "Moscow", "Seoul"]));
      });

      it("queryBatch answers each query", async () => {
        const res = await client.queryBatch(name, { searches: [{ query: [1, 0, 0, 0], using: "dense", limit: 1 }, { query: { indices: [7], values: [1] }, using: "bm25", limit: 1 }] });
        expect(res.map((r) => r.points[0]?.id)).toEqual([1, 3]);
      });
    });

    describe("exact search matches a brute-force reference (seeded random data)", () => {
      it.each(["Cosine", "Dot", "Euclid", "Manhattan"] as const)("%s", async (distance) => {
        const random = rng(distance.length * 7919);
        const dim = 13;
        const name = `${prefix}_prop_${distance.toLowerCase()}`;
        await create(name, { vectors: { size: dim, distance } });
        const points = Array.from({ length: 400 }, (_, i) => ({
          id: i + 1,
          vector: Array.from({ length: dim }, () => random() * 2 - 1),
          payload: { bucket: i % 5, even: i % 2 === 0 },
        }));
        for (let i = 0; i < points.length; i += 100) await client.upsert(name, { wait: true, points: points.slice(i, i + 100) });
        await client.delete(name, { points: [5, 50, 150], wait: true });
        const live = points.filter((p) => ![5, 50, 150].includes(p.id));
        for (let t = 0; t < 5; t++) {
          const q = Array.from({ length: dim }, () => random() * 2 - 1);
          const res = await client.query(name, { query: q, limit: 12 });
          const expected = refNearest(distance, q, live, 12);
          expect(ids(res.points)).toEqual(ids(expected));
          res.points.forEach((p, i) => expect(Math.abs(p.score - expected[i]!.score)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected[i]!.score))));
          const filtered = await client.query(name, { query: q, limit: 7, filter: { must: [{ key: "bucket", match: { any: [1, 3] } }], must_not: [{ key: "even", match: { value: true } }] } });
          const expectedF = refNearest(distance, q, live.filter((p) => [1, 3].includes(p.payload.bucket) && !p.payload.even), 7);
          expect(ids(filtered.points)).toEqual(ids(expectedF));
          const paged = await client.query(name, { query: q, limit: 4, offset: 3 });
          expect(ids(paged.points)).toEqual(ids(expected.slice(3, 7)));
        }
      });
    });
  });
}

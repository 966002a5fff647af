/**
 * The Qdrant server path end to end: `folio ingest` with QDRANT_URL pointed at the REST test server
 * (`folio store serve`'s app on the embedded engine, bodies checked against Qdrant's OpenAPI
 * document). Cluster settings reach the create-collection request, writes wait and are ordered,
 * payload indexes precede the upload, a bulk load defers HNSW indexing, and three `--shard i/3`
 * processes write the same store as one.
 */
import http from "node:http";
import path from "node:path";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBinary } from "../helpers/binary.js";
import { runFolio } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";
import { listenLocal } from "../servers/listen.js";
import { startQdrantRestServer, type QdrantRestTestServer } from "../servers/qdrant-rest.js";

const root = path.resolve(import.meta.dirname, "../..");
const DEMO = ["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--json"];

let server: QdrantRestTestServer;
const home = useTempDir("server-path");

beforeAll(async () => {
  server = await startQdrantRestServer();
});
afterAll(async () => {
  await server?.close();
});

/** Every point of a collection: id and payload, by id. */
async function pointsOf(collection: string): Promise<Map<string, unknown>> {
  const client = new QdrantClient({ url: server.url, checkCompatibility: false });
  const out = new Map<string, unknown>();
  let offset: string | number | undefined | null;
  do {
    const page = await client.scroll(collection, { limit: 256, with_payload: true, ...(offset !== undefined && offset !== null ? { offset } : {}) });
    for (const p of page.points) out.set(String(p.id), p.payload);
    offset = page.next_page_offset as string | number | null | undefined;
  } while (offset !== undefined && offset !== null);
  return out;
}

describe("the Qdrant server path (REST test server)", () => {
  it("creates collections with the cluster settings, indexes before uploading, orders writes and defers indexing in a bulk load", async () => {
    const env = {
      FOLIO_HOME: path.join(home(), "cluster"),
      QDRANT_URL: server.url,
      FOLIO_COLLECTION: "cluster",
      FOLIO_QDRANT_SHARDS: "3",
      FOLIO_QDRANT_REPLICAS: "2",
      FOLIO_QDRANT_WRITE_CONSISTENCY: "2",
      FOLIO_QDRANT_ON_DISK: "true",
      FOLIO_QDRANT_QUANTIZATION: "int8",
      FOLIO_QDRANT_BULK_DOCUMENTS: "2",
    };
    const start = server.requests.length;
    const run = await runFolio(DEMO, { env, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).ingested).toBe(4);
    const sent = server.requests.slice(start);
    const creates = sent.filter((r) => r.operation === "create_collection");
    expect(creates.length).toBe(2); // points and the document registry
    for (const c of creates) expect(c.body).toMatchObject({ shard_number: 3, replication_factor: 2, write_consistency_factor: 2, on_disk_payload: true });
    const main = creates[0]!.body as { sparse_vectors: Record<string, { index?: { on_disk?: boolean } }>; quantization_config?: unknown };
    expect(main.sparse_vectors.bm25?.index?.on_disk).toBe(true);
    expect(main.quantization_config).toEqual({ scalar: { type: "int8", quantile: 0.99, always_ram: true } });

    const index = (op: string) => sent.findIndex((r) => r.operation === op);
    const lastIndex = (op: string) => sent.map((r) => r.operation).lastIndexOf(op);
    // Payload indexes before any point; after the first document (FOLIO_QDRANT_BULK_DOCUMENTS=2) indexing
    // goes off for the rest of the upload and comes back, at the collection's own threshold, after the last point.
    expect(index("create_field_index")).toBeGreaterThan(index("create_collection"));
    expect(lastIndex("create_field_index")).toBeLessThan(index("upsert_points"));
    const updates = sent.filter((r) => r.operation === "update_collection").map((r) => r.body);
    const before = sent.find((r) => r.operation === "get_collection" && sent.indexOf(r) < sent.findIndex((x) => x.operation === "update_collection"));
    expect(before).toBeDefined();
    // Back on at what the collection had before (this engine's default), not at a value of Folio's.
    const own = (await new QdrantClient({ url: server.url, checkCompatibility: false }).getCollection("cluster")).config.optimizer_config.indexing_threshold;
    expect(own).toBeGreaterThan(0);
    expect(updates).toEqual([{ optimizers_config: { indexing_threshold: 0 } }, { optimizers_config: { indexing_threshold: own } }]);
    const offAt = sent.findIndex((r) => r.operation === "update_collection");
    const onAt = sent.map((r) => r.operation).lastIndexOf("update_collection");
    const pointUpserts = sent.map((r, i) => ({ r, i })).filter(({ r }) => r.operation === "upsert_points" && (r.body.points as Array<{ vector: object }>)?.some((p) => "bm25" in p.vector));
    expect(pointUpserts.length).toBeGreaterThan(1);
    expect(pointUpserts.some(({ i }) => i < offAt)).toBe(true); // the first document, indexed as usual
    expect(pointUpserts.some(({ i }) => i > offAt)).toBe(true);
    expect(onAt).toBeGreaterThan(pointUpserts.at(-1)!.i);

    // A re-run writes nothing, so it leaves indexing alone; a threshold left at 0 (a killed bulk load) is put back, at FOLIO_QDRANT_INDEXING_THRESHOLD.
    const client = new QdrantClient({ url: server.url, checkCompatibility: false });
    await client.updateCollection("cluster", { optimizers_config: { indexing_threshold: 0 } });
    const mark = server.requests.length;
    const again = await runFolio(DEMO, { env, cwd: root });
    expect(JSON.parse(again.stdout)).toMatchObject({ ingested: 0 });
    expect(server.requests.slice(mark).filter((r) => r.operation === "update_collection").map((r) => r.body)).toEqual([{ optimizers_config: { indexing_threshold: 10000 } }]);
    expect((await client.getCollection("cluster")).config.optimizer_config.indexing_threshold).toBe(10000);

    // Another machine, without the cluster settings, writing to a replicated collection: still strongly
    // ordered. The embedded engine has no replicas, so a proxy answers for it as a cluster node would.
    const proxy = http.createServer(async (req, res) => {
      const body = await new Promise<Buffer>((resolve) => {
        const parts: Buffer[] = [];
        req.on("data", (c: Buffer) => parts.push(c)).on("end", () => resolve(Buffer.concat(parts)));
      });
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "content-length")) as Record<string, string>;
      const upstream = await fetch(`${server.url}${req.url}`, { method: req.method, headers, ...(body.length ? { body: body.toString("utf8") } : {}) });
      let text = await upstream.text();
      if (req.method === "GET" && /^\/collections\/cluster(_documents)?$/.test(req.url ?? "")) text = text.replace('"replication_factor":1', '"replication_factor":2');
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" }).end(text);
    });
    const viaProxy = await listenLocal(proxy);
    const elsewhere = { FOLIO_HOME: path.join(home(), "elsewhere"), QDRANT_URL: viaProxy.origin, FOLIO_COLLECTION: "cluster" };
    const markElsewhere = server.requests.length;
    const forced = await runFolio(["ingest", "data/papers/evaluating-retrieval.pdf", "--force", "--json"], { env: elsewhere, cwd: root });
    await viaProxy.close();
    expect(forced.code, forced.stderr).toBe(0);
    const writes = server.requests.slice(markElsewhere).filter((r) => r.operation === "upsert_points" || r.operation === "delete_points");
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) expect(w.query).toMatchObject({ ordering: "strong" });
    // Every write waits and, with replicas, is strongly ordered.
    for (const w of sent.filter((r) => ["upsert_points", "delete_points", "create_field_index"].includes(r.operation))) expect(w.query).toMatchObject({ wait: "true", ordering: "strong" });
    expect(server.mismatches).toEqual([]);
    expect(server.responseMismatches).toEqual([]);
  });

  it("three --shard i/3 processes write the same points as one ingest", async () => {
    const base = { QDRANT_URL: server.url, FOLIO_QDRANT_BULK_DOCUMENTS: "0" };
    // The one-process ingest: the test above's, or one of its own when this test runs alone.
    let single = "cluster";
    if (!(await new QdrantClient({ url: server.url, checkCompatibility: false }).collectionExists(single)).exists) {
      single = "single";
      const run = await runFolio(DEMO, { env: { ...base, FOLIO_HOME: path.join(home(), "single"), FOLIO_COLLECTION: single }, cwd: root });
      expect(run.code, run.stderr).toBe(0);
    }

    const sharded = { ...base, FOLIO_HOME: path.join(home(), "sharded"), FOLIO_COLLECTION: "sharded" };
    const runs = await Promise.all([1, 2, 3].map((i) => runBinary([...DEMO, "--shard", `${i}/3`], { env: sharded, cwd: root })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // One replica: writes still wait, with Qdrant's default (weak) ordering said out loud.
    expect(server.requests.filter((r) => r.operation === "upsert_points").at(-1)?.query).toMatchObject({ wait: "true", ordering: "weak" });
    const summaries = runs.map((r) => JSON.parse(r.stdout) as { ingested: number; shard: { index: number; count: number; planned: number } });
    expect(summaries.map((s) => s.shard.index)).toEqual([1, 2, 3]);
    expect(summaries.reduce((n, s) => n + s.shard.planned, 0)).toBe(4);
    // The split really splits (on this corpus: no shard takes everything).
    expect(Math.max(...summaries.map((s) => s.shard.planned))).toBeLessThan(4);
    expect(summaries.reduce((n, s) => n + s.ingested, 0)).toBe(4);

    for (const [one, many] of [[single, "sharded"], [`${single}_documents`, "sharded_documents"]]) {
      const a = await pointsOf(one!);
      const b = await pointsOf(many!);
      expect(b.size, many!).toBe(a.size);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    }
    // A re-run of one shard finds its documents unchanged.
    const again = await runBinary([...DEMO, "--shard", "2/3"], { env: sharded, cwd: root });
    expect(JSON.parse(again.stdout)).toMatchObject({ ingested: 0 });
    expect(server.mismatches).toEqual([]);
    expect(server.responseMismatches).toEqual([]);
  });

  it("refuses a bad --shard and --shard with --prune, saying what to do", async () => {
    const env = { QDRANT_URL: server.url, FOLIO_HOME: path.join(home(), "bad") };
    const bad = await runFolio(["ingest", "data/papers", "--shard", "4/3"], { env, cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--shard must be i/N");
    const prune = await runFolio(["ingest", "data/papers", "--shard", "1/2", "--prune"], { env, cwd: root });
    expect(prune.code).not.toBe(0);
    expect(prune.stderr).toContain("--prune cannot run with --shard");
    const embedded = await runFolio(["ingest", "data/papers", "--shard", "1/2"], { env: { FOLIO_HOME: path.join(home(), "embedded") }, cwd: root });
    expect(embedded.code).toBe(2);
    expect(embedded.stderr).toContain("QDRANT_URL");
  });
});

/**
 * `folio store snapshot` and `folio store restore`: the embedded store's portable export loaded into
 * a server (the REST test server, bodies checked against Qdrant's OpenAPI document) answers
 * searches as the embedded store did; Qdrant's own snapshots are fetched through its snapshot API
 * and checked against the server's checksum.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQdrantRestApp } from "../../src/server/qdrant/index.js";
import { LocalQdrantClient } from "../../src/store/local/index.js";
import { runFolio } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";
import { listenLocal } from "../servers/listen.js";
import { startQdrantRestServer, type QdrantRestTestServer } from "../servers/qdrant-rest.js";

const root = path.resolve(import.meta.dirname, "../..");
const home = useTempDir("snapshots");
let server: QdrantRestTestServer;

beforeAll(async () => {
  server = await startQdrantRestServer();
});
afterAll(async () => {
  await server?.close();
});

const topIds = (stdout: string) => (JSON.parse(stdout) as { results: Array<{ id: string }> }).results.map((r) => r.id);

describe("folio store snapshot / restore", () => {
  it("exports the embedded store and restores it on a server, where searches answer the same", async () => {
    const embedded = { FOLIO_HOME: path.join(home(), "embedded") };
    expect((await runFolio(["ingest", "data/papers", "--manifest", "data/manifest.jsonl"], { env: embedded, cwd: root })).code).toBe(0);
    const out = path.join(home(), "backup");
    const snap = await runFolio(["store", "snapshot", "--out", out, "--json"], { env: embedded, cwd: root });
    expect(snap.code, snap.stderr).toBe(0);
    const files = (JSON.parse(snap.stdout) as { files: Array<{ collection: string; file: string; points: number }> }).files;
    expect(files.map((f) => f.collection)).toEqual(["folio", "folio_documents"]);
    expect((await readdir(out)).sort()).toEqual(["folio.folio.jsonl.gz", "folio_documents.folio.jsonl.gz"]);

    const remote = { FOLIO_HOME: path.join(home(), "remote"), QDRANT_URL: server.url };
    const restored = await runFolio(["store", "restore", ...files.map((f) => f.file), "--json"], { env: remote, cwd: root });
    expect(restored.code, restored.stderr).toBe(0);
    expect((JSON.parse(restored.stdout) as { restored: Array<{ points: number }> }).restored.map((r) => r.points)).toEqual(files.map((f) => f.points));
    for (const q of ["late chunking long documents", "retrieval evaluation recall"]) {
      const here = await runFolio(["search", q, "--json"], { env: embedded, cwd: root });
      const there = await runFolio(["search", q, "--json"], { env: remote, cwd: root });
      expect(there.code, there.stderr).toBe(0);
      expect(topIds(there.stdout)).toEqual(topIds(here.stdout));
    }
    const docs = await runFolio(["docs", "--json"], { env: remote, cwd: root });
    expect((JSON.parse(docs.stdout) as { documents: unknown[] }).documents).toHaveLength(4);

    // `folio store serve` has no snapshot API: the user is told to take the portable export.
    const native = await runFolio(["store", "snapshot", "--out", path.join(home(), "none")], { env: remote, cwd: root });
    expect(native.code).not.toBe(0);
    expect(native.stderr).toContain("folio store snapshot --portable");

    // A second restore would mix two libraries: refused, nothing written.
    const again = await runFolio(["store", "restore", files[0]!.file], { env: remote, cwd: root });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already holds");
    expect(server.mismatches).toEqual([]);
    expect(server.responseMismatches).toEqual([]);
  });

  it("says clearly what is wrong with a file that is not an export, or a damaged one", async () => {
    const env = { FOLIO_HOME: path.join(home(), "bad") };
    const notExport = path.join(home(), "not-export.jsonl.gz");
    const { gzipSync } = await import("node:zlib");
    await writeFile(notExport, gzipSync('{"hello": 1}\n'));
    const r1 = await runFolio(["store", "restore", notExport], { env, cwd: root });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain("is not a Folio collection export");
    const source = { FOLIO_HOME: path.join(home(), "small") };
    expect((await runFolio(["ingest", "data/papers/evaluating-retrieval.pdf"], { env: source, cwd: root })).code).toBe(0);
    const out = path.join(home(), "small-backup");
    expect((await runFolio(["store", "snapshot", "--out", out], { env: source, cwd: root })).code).toBe(0);
    const whole = await readFile(path.join(out, "folio.folio.jsonl.gz"));
    const truncated = path.join(home(), "truncated.jsonl.gz");
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const r2 = await runFolio(["store", "restore", truncated], { env: { FOLIO_HOME: path.join(home(), "bad2") }, cwd: root });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain("is damaged");
    // Whole lines but no closing line: cut short at a line boundary, still told apart.
    const { gunzipSync } = await import("node:zlib");
    const lines = gunzipSync(whole).toString("utf8").trimEnd().split("\n");
    const cut = path.join(home(), "cut.jsonl.gz");
    await writeFile(cut, gzipSync(`${lines.slice(0, -2).join("\n")}\n`));
    const r3 = await runFolio(["store", "restore", cut], { env: { FOLIO_HOME: path.join(home(), "bad3") }, cwd: root });
    expect(r3.code).not.toBe(0);
    expect(r3.stderr).toContain("was cut short");
    const r4 = await runFolio(["store", "restore", path.join(home(), "nowhere.jsonl.gz")], { env, cwd: root });
    expect(r4.code).not.toBe(0);
    expect(r4.stderr).toContain("No export at");
  });

  it("fetches Qdrant's own snapshots on a server and checks them against the server's checksum", async () => {
    // The REST app plus Qdrant's snapshot endpoints (create, download), as a Qdrant server answers them.
    const engine = new LocalQdrantClient({ path: ":memory:" });
    const app = createQdrantRestApp({ client: engine, maxBodyBytes: 32 * 1024 * 1024 });
    const made = new Map<string, Buffer>();
    const deleted: string[] = [];
    let corrupt = false;
    let spread = false;
    const qdrant = http.createServer((req, res) => {
      const m = /^\/collections\/([^/]+)\/snapshots(?:\/([^/?]+))?/.exec(req.url ?? "");
      const cluster = /^\/collections\/([^/]+)\/cluster$/.exec(req.url ?? "");
      if (cluster && req.method === "GET") {
        // A cluster node holding shard 0 of 3; shards 1 and 2 live on other peers.
        const result = { peer_id: 1, shard_count: 3, local_shards: [{ shard_id: 0, points_count: 1, state: "Active" }], remote_shards: [{ shard_id: 1, peer_id: 2, state: "Active" }, { shard_id: 2, peer_id: 3, state: "Active" }], shard_transfers: [] };
        if (spread) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result, status: "ok", time: 0 }));
        else res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ status: { error: "Not found" }, time: 0 }));
        return;
      }
      if (m && req.method === "DELETE" && m[2]) {
        deleted.push(decodeURIComponent(m[2]));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result: true, status: "ok", time: 0 }));
        return;
      }
      if (m && req.method === "POST") {
        const bytes = Buffer.from(`snapshot of ${m[1]} ${made.size}`);
        const name = `${m[1]}-${made.size}.snapshot`;
        made.set(name, bytes);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result: { name, creation_time: "2026-12-07T00:00:00", size: bytes.length, checksum: createHash("sha256").update(bytes).digest("hex") }, status: "ok", time: 0 }));
        return;
      }
      if (m && req.method === "GET" && m[2]) {
        const bytes = made.get(decodeURIComponent(m[2]));
        res.writeHead(bytes ? 200 : 404).end(bytes && corrupt ? Buffer.concat([bytes, Buffer.from("x")]) : bytes);
        return;
      }
      app(req, res);
    });
    const listener = await listenLocal(qdrant);
    try {
      const env = { FOLIO_HOME: path.join(home(), "native"), QDRANT_URL: listener.origin };
      expect((await runFolio(["ingest", "data/papers/evaluating-retrieval.pdf"], { env, cwd: root })).code).toBe(0);
      const out = path.join(home(), "native-snapshots");
      const snap = await runFolio(["store", "snapshot", "--out", out, "--json"], { env, cwd: root });
      expect(snap.code, snap.stderr).toBe(0);
      const files = (JSON.parse(snap.stdout) as { files: Array<{ file: string }> }).files;
      expect(files.map((f) => path.basename(f.file))).toEqual(["folio-0.snapshot", "folio_documents-1.snapshot"]);
      expect(await readFile(files[0]!.file, "utf8")).toBe("snapshot of folio 0");
      // Downloaded and checked, so removed from the server.
      expect(deleted).toEqual(["folio-0.snapshot", "folio_documents-1.snapshot"]);
      corrupt = true;
      const bad = await runFolio(["store", "snapshot", "--out", out], { env, cwd: root });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("arrived damaged");
      expect((await readdir(out)).filter((f) => f.endsWith(".partial"))).toEqual([]);
      // On a cluster node that lacks some shards, a node snapshot would be incomplete: refused.
      corrupt = false;
      spread = true;
      const partial = await runFolio(["store", "snapshot", "--out", out], { env, cwd: root });
      expect(partial.code).not.toBe(0);
      expect(partial.stderr).toContain("shards 1, 2 are on other nodes");
      expect(partial.stderr).toContain("--portable");
    } finally {
      await listener.close();
      await engine.close();
    }
  });
});

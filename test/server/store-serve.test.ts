/**
 * `folio store serve`: the real command in a child process serving an embedded store over Qdrant's
 * REST API, used by another `folio` process through QDRANT_URL and by the official QdrantClient;
 * its API key, size limit and error shapes; and the server client's read retries.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { ConfigError } from "../../src/errors.js";
import { createQdrantRestApp, startStoreServer } from "../../src/server/qdrant/index.js";
import { createQdrantClient } from "../../src/store/client.js";
import { LocalQdrantClient } from "../../src/store/local/index.js";
import { FOLIO_MAIN, runBinary } from "../helpers/binary.js";
import { useTempDir } from "../helpers/tmp.js";
import { listenLocal } from "../servers/listen.js";

const root = path.resolve(import.meta.dirname, "../..");
const TSX = pathToFileURL(path.join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const home = useTempDir("store-serve");
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill("SIGTERM");
});

/** Starts `folio store serve` and resolves with the URL it prints. */
function serve(env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, ["--import", TSX, FOLIO_MAIN, "store", "serve", ...args], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString("utf8");
      const url = / at (http:\/\/[\d.:[\]a-z]+\d)/.exec(err)?.[1];
      if (url) resolve({ url, child, stderr: () => err });
    });
    child.on("exit", (code) => reject(new Error(`folio store serve exited with ${code}: ${err}`)));
  });
}

describe("folio store serve", () => {
  it("serves an embedded store that another folio process ingests into and searches, with the API key required", async () => {
    const key = "test-store-key-123";
    const { url } = await serve({ FOLIO_HOME: path.join(home(), "served"), FOLIO_STORE_PORT: "0", FOLIO_STORE_API_KEY: key });
    const client = { QDRANT_URL: url, QDRANT_API_KEY: key, FOLIO_HOME: path.join(home(), "client") };
    const ingest = await runBinary(["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--json"], { env: client, cwd: root });
    expect(ingest.code, `${ingest.stderr}\n${ingest.stdout.slice(0, 2000)}`).toBe(0);
    expect(JSON.parse(ingest.stdout).ingested).toBe(4);
    const search = await runBinary(["search", "attention heads", "--json"], { env: client, cwd: root });
    expect(search.code, search.stderr).toBe(0);
    expect((JSON.parse(search.stdout) as { results: unknown[] }).results.length).toBeGreaterThan(0);

    // The official client sees Folio's collections; without the key it is refused, in Qdrant's shape.
    const qdrant = new QdrantClient({ url, apiKey: key, checkCompatibility: false });
    expect((await qdrant.getCollections()).collections.map((c) => c.name).sort()).toEqual(["folio", "folio_documents"]);
    expect((await qdrant.count("folio", { exact: true })).count).toBeGreaterThan(0);
    const anonymous = await fetch(`${url}/collections`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ status: { error: expect.stringContaining("API key") } });
    const bearer = await fetch(`${url}/collections`, { headers: { authorization: `Bearer ${key}` } });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toMatchObject({ status: "ok", result: { collections: expect.any(Array) } });
    const wrong = await runBinary(["search", "attention", "--json"], { env: { ...client, QDRANT_API_KEY: "wrong" }, cwd: root });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("QDRANT_API_KEY");
    expect(wrong.stderr).not.toContain("wrong");
  });

  it("refuses to listen beyond loopback without a key, and refuses with QDRANT_URL set", async () => {
    const open = await runBinary(["store", "serve", "--host", "0.0.0.0"], { env: { FOLIO_HOME: path.join(home(), "open"), FOLIO_STORE_PORT: "0" }, cwd: root });
    expect(open.code).not.toBe(0);
    expect(open.stderr).toContain("without an API key");
    expect(open.stderr).toContain("FOLIO_STORE_API_KEY");
    const remote = await runBinary(["store", "serve"], { env: { FOLIO_HOME: path.join(home(), "remote"), QDRANT_URL: "http://127.0.0.1:9" }, cwd: root });
    expect(remote.code).not.toBe(0);
    expect(remote.stderr).toContain("no embedded store to serve");
    await expect(startStoreServer({ path: path.join(home(), "x"), host: "10.0.0.1", port: 0, maxBodyBytes: 1000 })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("the REST app's limits and errors", () => {
  const engine = new LocalQdrantClient({ path: ":memory:" });
  afterAll(() => engine.close());

  it("answers an oversized body 413, malformed JSON 400, an unknown path 404 and a write to a read-only store 403, in Qdrant's error shape", async () => {
    const app = createQdrantRestApp({ client: engine, maxBodyBytes: 2_000 });
    const listener = await listenLocal(http.createServer(app));
    const readOnly = await listenLocal(http.createServer(createQdrantRestApp({ client: engine, maxBodyBytes: 2_000, readOnly: true })));
    try {
      const put = (base: string, p: string, body: string) => fetch(`${base}${p}`, { method: "PUT", headers: { "content-type": "application/json" }, body });
      expect((await put(listener.origin, "/collections/c", JSON.stringify({ vectors: { size: 2, distance: "Dot" } }))).status).toBe(200);
      const big = await put(listener.origin, "/collections/c/points", JSON.stringify({ points: Array.from({ length: 200 }, (_, i) => ({ id: i, vector: [1, 0] })) }));
      expect(big.status).toBe(413);
      expect(((await big.json()) as { status: { error: string } }).status.error).toContain("larger than the 2000 bytes this server accepts (FOLIO_STORE_MAX_BODY_MB)");
      const broken = await put(listener.origin, "/collections/c/points", "{not json");
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as { status: { error: string } }).status.error).toMatch(/^Format error in JSON body/);
      const unknown = await fetch(`${listener.origin}/collections/c/points/discover`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ status: { error: expect.stringContaining("not an operation this Folio store serves") }, time: expect.any(Number) });
      // What a web page can send across sites without asking first (text/plain) is refused, not parsed.
      const plain = await fetch(`${listener.origin}/collections/c/points/delete`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ points: [1] }) });
      expect(plain.status).toBe(415);
      // Without a key, a request addressed to another host name (DNS rebinding) is refused.
      const rebound = await new Promise<number>((resolve, reject) => {
        http.get(`${listener.origin}/collections`, { headers: { host: "evil.example:6333" } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        }).on("error", reject);
      });
      expect(rebound).toBe(403);
      const missing = await fetch(`${listener.origin}/collections/nope`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { status: { error: string } }).status.error).toContain("doesn't exist");
      const refused = await put(readOnly.origin, "/collections/c/points", JSON.stringify({ points: [{ id: 1, vector: [1, 0] }] }));
      expect(refused.status).toBe(403);
      expect((await fetch(`${readOnly.origin}/collections/c`)).status).toBe(200);
    } finally {
      await listener.close();
      await readOnly.close();
    }
  });

  it("retries a read a replica answers 503, but never a write", async () => {
    const app = createQdrantRestApp({ client: engine, maxBodyBytes: 1_000_000 });
    let failReads = 0;
    let failWrites = 0;
    let writesSeen = 0;
    const faulty = http.createServer((req, res) => {
      const pathname = new URL(req.url ?? "/", "http://x").pathname;
      const isQuery = pathname.endsWith("/points/query");
      const isWrite = req.method === "PUT" && pathname.endsWith("/points");
      if (isWrite) writesSeen++;
      if ((isQuery && failReads-- > 0) || (isWrite && failWrites-- > 0)) {
        res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: { error: "Service unavailable: replica restarting" }, time: 0 }));
        return;
      }
      app(req, res);
    });
    const listener = await listenLocal(faulty);
    try {
      const config = loadConfig({ QDRANT_URL: listener.origin, FOLIO_HOME: home(), FOLIO_QDRANT_READ_RETRIES: "3" }, {});
      const client = createQdrantClient(config);
      await client.createCollection("r", { vectors: { size: 2, distance: "Dot" } });
      await client.upsert("r", { wait: true, points: [{ id: 1, vector: [1, 0] }] });
      failReads = 2;
      expect((await client.query("r", { query: [1, 0] })).points.map((p) => p.id)).toEqual([1]);
      expect(failReads).toBe(-1); // two refused, the third answered
      failReads = 10;
      await expect(client.query("r", { query: [1, 0] })).rejects.toMatchObject({ status: 503 });
      failWrites = 1;
      const before = writesSeen;
      await expect(client.upsert("r", { wait: true, points: [{ id: 2, vector: [0, 1] }] })).rejects.toMatchObject({ status: 503 });
      expect(writesSeen - before).toBe(1);
    } finally {
      await listener.close();
    }
  });
});

import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embeddings/index.js";
import { expectedTextVector, startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { client, expectClose, pngVariant, TEST_KEY } from "./helpers.js";

let server: JinaTestServer;
let dir: string;
beforeEach(async () => {
  server = await startJinaTestServer({ apiKey: TEST_KEY });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "folio-cache-"));
});
afterEach(async () => {
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const corpus = Array.from({ length: 25 }, (_, i) => `paper ${i} discusses topic t${i} and method m${i % 5}`);

describe("persistent embedding cache", () => {
  it("re-embeds an unchanged corpus with zero requests and zero tokens, across instances", async () => {
    const first = client(server.url, { cacheDir: dir, batchSize: 10 });
    const vectors = await first.embedDocuments(corpus);
    await first.embedImageDocuments([pngVariant(1)]);
    expect(first.usage.cacheMisses).toBe(26);
    await first.close();
    const requestsAfterFirst = server.requests.length;

    const second = client(server.url, { cacheDir: dir, batchSize: 10 });
    const again = await second.embedDocuments(corpus);
    await second.embedImageDocuments([pngVariant(1)]);
    expect(server.requests.length).toBe(requestsAfterFirst);
    expect(second.usage).toMatchObject({ requests: 0, totalTokens: 0, cacheHits: 26, cacheMisses: 0 });
    expect(again).toEqual(vectors);
    corpus.forEach((text, i) => expectClose(again[i]!, expectedTextVector(text, 256)));
    await second.close();
  });

  it("keys by task, dimensions, output kind and embedding type", async () => {
    const jina = client(server.url, { cacheDir: dir });
    await jina.embedDocuments(["shared text"]);
    await jina.embedQuery("shared text"); // other task
    await jina.embed(["shared text"], { dimensions: 128 }); // other dimensions
    await jina.embed(["shared text"], { multivector: true }); // other kind
    await jina.embed(["shared text"], { embeddingType: "ubinary" }); // other type
    expect(jina.usage.cacheHits).toBe(0);
    expect(server.requests.length).toBe(5);
    await jina.embedQuery("shared text");
    const [multi] = await jina.embed(["shared text"], { multivector: true });
    expect(multi).toHaveLength(2);
    expect(server.requests.length).toBe(5);
    await jina.close();
  });

  it("keys late chunking by the whole document: one changed chunk re-embeds it", async () => {
    const jina = client(server.url, { cacheDir: dir });
    const doc = ["first chunk of text", "second chunk of text", "third chunk"];
    const vectors = await jina.embedDocumentChunks(doc);
    expect(await jina.embedDocumentChunks(doc)).toEqual(vectors);
    expect(server.requests.length).toBe(1);
    // Same chunk 0, different neighbour: the context changed, so it must not come from the cache.
    const changed = await jina.embedDocumentChunks([doc[0]!, "a different second chunk", doc[2]!]);
    expect(server.requests.length).toBe(2);
    expect(changed[0]).not.toEqual(vectors[0]);
    // Late-chunked and plain vectors of the same text are different entries.
    await jina.embedDocuments([doc[0]!]);
    expect(server.requests.length).toBe(3);
    await jina.close();
  });

  it("survives a process killed mid-write: reopens, keeps committed batches, embeds only the rest", async () => {
    const slow = await startJinaTestServer({ latencyMs: 15 });
    try {
      const count = 400;
      const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./fixtures/embed-child.ts", import.meta.url)), slow.url, dir, String(count)], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      // Kill it while batches are landing (and being committed) concurrently.
      const deadline = Date.now() + 30_000;
      while (slow.requests.filter((r) => r.status === 200).length < 12) {
        if (Date.now() > deadline) throw new Error(`child made no progress: ${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGKILL");
      await exited;
      const sentBeforeKill = slow.requests.length;
      expect(sentBeforeKill).toBeLessThan(count / 5);

      const cache = EmbeddingCache.open(dir);
      const committed = cache.size;
      await cache.close();
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(count);

      slow.reset();
      const texts = Array.from({ length: count }, (_, i) => `crash corpus text ${i} with words w${i} v${i % 7}`);
      const jina = client(slow.url, { apiKey: undefined, cacheDir: dir, batchSize: 5, maxConcurrency: 4, dimensions: 512 });
      const vectors = await jina.embedDocuments(texts);
      texts.forEach((text, i) => expectClose(vectors[i]!, expectedTextVector(text, 512)));
      expect(jina.usage.cacheHits).toBe(committed);
      expect(slow.requests.reduce((sum, r) => sum + r.inputs, 0)).toBe(count - committed);
      await jina.close();
    } finally {
      await slow.close();
    }
  });
});

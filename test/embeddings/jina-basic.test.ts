import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import { promisify } from "node:util";
import os from "node:os";
import path from "node:path";
import { Embeddings, type EmbeddingsInterface } from "@langchain/core/embeddings";
import type { QdrantVectorStore } from "@langchain/qdrant";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createEmbeddings, JinaEmbeddings, toCurl } from "../../src/embeddings/index.js";
import { UnsupportedFeatureError } from "../../src/errors.js";
import { expectedImageVector, expectedTextVector, startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { caught, client, cosine, expectClose, pngVariant, startFileServer, TEST_KEY } from "./helpers.js";

let server: JinaTestServer;
beforeAll(async () => {
  server = await startJinaTestServer({ apiKey: TEST_KEY, latencyMs: 2 });
});
afterAll(() => server.close());

type Body = Record<string, unknown> & { input: unknown[] };
const lastBody = () => server.requests.at(-1)!.body as Body;

describe("JinaEmbeddings on Jina's wire format", () => {
  it("is a LangChain Embeddings that vector stores accept", async () => {
    const jina = client(server.url);
    expect(jina).toBeInstanceOf(Embeddings);
    // Compile-level: QdrantVectorStore.fromDocuments takes it as its embeddings argument.
    const asStoreArgument: Parameters<typeof QdrantVectorStore.fromDocuments>[1] = jina;
    const viaInterface: EmbeddingsInterface = asStoreArgument;
    const vectors = await viaInterface.embedDocuments(["transformers use attention", "residual networks"]);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(256);
    expect(lastBody().task).toBe("retrieval.passage");
  });

  it("sends retrieval.query for queries and retrieval.passage for documents, no `normalized`", async () => {
    const jina = client(server.url);
    const query = await jina.embedQuery("attention mechanism");
    const queryBody = lastBody();
    expect(queryBody).toMatchObject({ model: "jina-embeddings-v4", task: "retrieval.query", dimensions: 256, input: ["attention mechanism"] });
    expect(queryBody).not.toHaveProperty("normalized");
    const docs = await jina.embedDocuments(["the attention mechanism in transformers", "batch normalization of activations"]);
    expect(lastBody().task).toBe("retrieval.passage");
    expect(cosine(query, docs[0]!)).toBeGreaterThan(cosine(query, docs[1]!));
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it("sends each of the five v4 tasks and the requested Matryoshka dimensions", async () => {
    const jina = client(server.url);
    for (const task of ["retrieval.query", "retrieval.passage", "text-matching", "code.query", "code.passage"] as const) {
      await jina.embed(["def f(x): return x"], { task });
      expect(lastBody().task).toBe(task);
    }
    for (const dimensions of [128, 512, 1024, 2048]) {
      const [v] = await jina.embed(["matryoshka"], { dimensions });
      expect(lastBody().dimensions).toBe(dimensions);
      expect(v).toHaveLength(dimensions);
      expectClose(v!, expectedTextVector("matryoshka", dimensions));
    }
  });

  it("rejects dimensions outside the Matryoshka set before sending", async () => {
    expect(() => client(server.url, { dimensions: 300 })).toThrow(/128, 256, 512, 1024, 2048/);
    const before = server.requests.length;
    await expect(client(server.url).embed(["x"], { dimensions: 100 })).rejects.toThrow(/dimensions/);
    expect(server.requests.length).toBe(before);
  });

  it("orders results by data[].index although the server shuffles them", async () => {
    const jina = client(server.url, { batchSize: 64 });
    const texts = Array.from({ length: 40 }, (_, i) => `document number ${i} about topic${i} and word${i * 7}`);
    const vectors = await jina.embedDocuments(texts);
    texts.forEach((text, i) => expectClose(vectors[i]!, expectedTextVector(text, 256)));
  });

  it("embeds images from a URL, a data URI, base64, a file path, a Buffer and {data}", async () => {
    const files = await startFileServer({ "/figure.png": pngVariant(1) });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "folio-img-"));
    const file = path.join(dir, "figure.png");
    await fs.writeFile(file, pngVariant(2));
    try {
      const jina = client(server.url);
      const sources = [
        { image: `${files.url}/figure.png`, bytes: pngVariant(1) },
        { image: `data:image/png;base64,${pngVariant(3).toString("base64")}`, bytes: pngVariant(3) },
        { image: pngVariant(4).toString("base64"), bytes: pngVariant(4) },
        { image: file, bytes: pngVariant(2) },
        { image: pngVariant(5), bytes: pngVariant(5) },
        { image: { data: pngVariant(6), mimeType: "image/png" }, bytes: pngVariant(6) },
      ];
      const vectors = await jina.embedImageDocuments(sources.map((s) => s.image));
      sources.forEach((s, i) => expectClose(vectors[i]!, expectedImageVector(s.bytes, 256)));
      const wire = lastBody().input as Array<{ image: string }>;
      expect(wire[0]!.image).toBe(`${files.url}/figure.png`);
      // Data URIs, files and buffers travel as raw base64.
      expect(wire.slice(1).every((w) => /^[A-Za-z0-9+/]+=*$/.test(w.image))).toBe(true);
      const query = await jina.embedImageQuery(file);
      expect(lastBody().task).toBe("retrieval.query");
      expect(cosine(query, vectors[3]!)).toBeCloseTo(1, 5);
    } finally {
      await files.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("mixes text and images in one request as {text} and {image} objects", async () => {
    const jina = client(server.url);
    await jina.embed(["a caption", { image: pngVariant(9) }, { text: "another" }]);
    const input = lastBody().input;
    expect(input[0]).toEqual({ text: "a caption" });
    expect(input[1]).toHaveProperty("image");
    expect(input[2]).toEqual({ text: "another" });
  });

  it("fails clearly on a missing image file without sending anything", async () => {
    const before = server.requests.length;
    const error = await caught(() => client(server.url).embedImageDocuments(["/no/such/figure.png"]));
    expect(error.message).toMatch(/Image not found/);
    expect(server.requests.length).toBe(before);
  });

  it("builds from FolioConfig: null without Jina, a client with JINA_BASE_URL", () => {
    expect(createEmbeddings(loadConfig({}, {}))).toBeNull();
    const jina = createEmbeddings(loadConfig({ JINA_BASE_URL: server.url, JINA_DIMENSIONS: 512, JINA_MAX_CONCURRENCY: 3 }, {}, os.tmpdir()));
    expect(jina).toBeInstanceOf(JinaEmbeddings);
    expect(jina!.dimensions).toBe(512);
    expect(jina!.maxConcurrency).toBe(3);
    expect(jina!.baseUrl).toBe(server.url);
  });

  it("exports the exact requests as curl with the key masked", async () => {
    const jina = client(server.url, { batchSize: 2 });
    const inputs = ["one text", "two text", "three text"];
    const described = await jina.describeRequests(inputs, { task: "text-matching", dimensions: 128 });
    expect(described).toHaveLength(2);
    const before = server.requests.length;
    await jina.embed(inputs, { task: "text-matching", dimensions: 128 });
    const sent = server.requests.slice(before).map((r) => r.body);
    expect(sent).toEqual(described.map((d) => d.body));
    const curl = toCurl(described[0]!);
    expect(curl).toContain(`curl -X POST '${server.url}/embeddings'`);
    expect(curl).toContain('"task": "text-matching"');
    expect(curl).toContain("Authorization: Bearer $JINA_API_KEY");
    expect(curl).not.toContain(TEST_KEY);
    expect(JSON.stringify(described)).not.toContain(TEST_KEY);
    expect(described[0]!.headers.Authorization).toMatch(/^Bearer \*\*\*/);
  });

  it("quotes the curl body for the shell", async () => {
    const [request] = await client(server.url).describeRequests(["it's a 'quoted' text"]);
    const curl = toCurl(request!, { pretty: false, apiKeyVariable: "MY_KEY" });
    expect(curl).toContain(`'{"model":"jina-embeddings-v4","task":"retrieval.passage","dimensions":256,"input":["it'\\''s a '\\''quoted'\\'' text"],"embedding_type":"base64"}'`);
    expect(curl).toContain('"Authorization: Bearer $MY_KEY"');
  });

  it.runIf(existsSync("/usr/bin/curl"))("the exported curl command runs and gets the same vectors", async () => {
    const [request] = await client(server.url).describeRequests(["it's runnable"], { task: "retrieval.query" });
    const { stdout } = await promisify(execFile)("bash", ["-c", toCurl(request!) + " --silent --show-error"], { env: { ...process.env, JINA_API_KEY: TEST_KEY } });
    const body = JSON.parse(stdout) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(body.data[0]!.embedding, "base64");
    const floats = Array.from(new Float32Array(Uint8Array.from(bytes).buffer));
    expectClose(floats, await client(server.url).embedQuery("it's runnable"));
  });

  it("refuses to call api.jina.ai without a key", async () => {
    const saved = process.env.JINA_API_KEY;
    const savedUrl = process.env.JINA_BASE_URL;
    delete process.env.JINA_API_KEY;
    delete process.env.JINA_BASE_URL;
    try {
      const error = await caught(() => new JinaEmbeddings().embedQuery("x"));
      expect(error.code).toBe("EMBEDDINGS_AUTH");
      expect(error.hint).toMatch(/JINA_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.JINA_API_KEY = saved;
      if (savedUrl !== undefined) process.env.JINA_BASE_URL = savedUrl;
    }
  });
});

describe("JinaEmbeddings on the OpenAI wire format (self-hosted GGUF)", () => {
  let openai: JinaTestServer;
  beforeAll(async () => {
    openai = await startJinaTestServer({ format: "openai", latencyMs: 1 });
  });
  afterAll(() => openai.close());

  it("sends input/encoding_format/dimensions only, with Query:/Passage: prefixes", async () => {
    const jina = new JinaEmbeddings({ baseUrl: openai.url, format: "openai", dimensions: 512, backoffBaseMs: 5 });
    const query = await jina.embedQuery("late interaction retrieval");
    const body = openai.requests.at(-1)!.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["dimensions", "encoding_format", "input", "model"]);
    expect(body).toMatchObject({ input: ["Query: late interaction retrieval"], encoding_format: "float", dimensions: 512 });
    expectClose(query, expectedTextVector("late interaction retrieval", 512));
    await jina.embedDocuments(["a passage"]);
    expect((openai.requests.at(-1)!.body as Body).input).toEqual(["Passage: a passage"]);
    const [b64] = await jina.embed(["code passage"], { task: "code.passage", embeddingType: "base64" });
    expect(openai.requests.at(-1)!.body).toMatchObject({ input: ["Passage: code passage"], encoding_format: "base64" });
    expectClose(b64!, expectedTextVector("code passage", 512));
  });

  it("mean-pools per-token matrices (vLLM) and truncates over-long vectors (servers ignoring dimensions)", async () => {
    const full = expectedTextVector("pooled text", 2048);
    const rows = [full.map((x) => x * 2), full.map(() => 0)];
    const odd = await startJinaTestServer({
      format: "openai",
      faults: [
        { status: 200, body: { data: [{ index: 0, embedding: rows }], usage: { prompt_tokens: 2, total_tokens: 2 } } },
        { status: 200, body: { data: [{ index: 0, embedding: full }], usage: { prompt_tokens: 2, total_tokens: 2 } } },
      ],
    });
    try {
      const jina = new JinaEmbeddings({ baseUrl: odd.url, format: "openai", dimensions: 2048 });
      expectClose(await jina.embedQuery("pooled text"), full);
      const small = new JinaEmbeddings({ baseUrl: odd.url, format: "openai", dimensions: 256 });
      expectClose(await small.embedQuery("pooled text"), expectedTextVector("pooled text", 256));
    } finally {
      await odd.close();
    }
  });

  it("says clearly that images and multi-vectors need Jina's format, without a request", async () => {
    const jina = new JinaEmbeddings({ baseUrl: openai.url, format: "openai" });
    expect(jina.supportsImages).toBe(false);
    expect(jina.supportsMultiVector).toBe(false);
    const before = openai.requests.length;
    const image = await caught(() => jina.embedImageDocuments([pngVariant(1)]));
    expect(image).toBeInstanceOf(UnsupportedFeatureError);
    expect(image.message).toMatch(/image inputs on the OpenAI-format/);
    expect(image.hint).toMatch(/JINA_FORMAT=jina/);
    await expect(jina.embedMultiVectorQuery("q")).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await expect(jina.embedDocumentChunks(["a", "b"])).rejects.toBeInstanceOf(UnsupportedFeatureError);
    expect(openai.requests.length).toBe(before);
  });
});

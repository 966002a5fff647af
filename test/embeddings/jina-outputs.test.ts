import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingsShapeError, JinaReranker, unpackBits } from "../../src/embeddings/index.js";
import { countTokens, expectedTextVector, startJinaTestServer, wordTokens, type JinaTestServer } from "../servers/jina-server.js";
import { caught, client, cosine, expectClose, pngVariant, TEST_KEY } from "./helpers.js";

let server: JinaTestServer;
beforeAll(async () => {
  server = await startJinaTestServer({ apiKey: TEST_KEY });
});
afterAll(() => server.close());
const lastBody = () => server.requests.at(-1)!.body as Record<string, unknown>;

const signs = (v: number[]) => v.map((x) => (x > 0 ? 1 : -1));

describe("embedding types", () => {
  const text = "quantized vectors save memory in vector databases";
  const expected = expectedTextVector(text, 256);

  it("decodes float and base64 (little-endian float32) to the same numbers", async () => {
    const jina = client(server.url, { floatTransport: "float" });
    const [float] = await jina.embed([text], { embeddingType: "float" });
    expect(lastBody()).not.toHaveProperty("embedding_type");
    const [b64] = await jina.embed([text], { embeddingType: "base64" });
    expect(lastBody().embedding_type).toBe("base64");
    expectClose(float!, expected);
    expectClose(b64!, expected);
  });

  it("carries float output as base64 on the wire by default, with identical numbers", async () => {
    const [viaBase64] = await client(server.url).embed([text]);
    expect(lastBody().embedding_type).toBe("base64");
    const [viaJson] = await client(server.url, { floatTransport: "float" }).embed([text]);
    expect(viaBase64).toEqual(viaJson);
  });

  it("tolerates a server that ignores embedding_type and answers JSON numbers", async () => {
    const plain = await startJinaTestServer({ faults: [{ status: 200, body: { data: [{ index: 0, embedding: expected }], usage: { total_tokens: 3 } } }] });
    try {
      const [v] = await client(plain.url).embed([text], { embeddingType: "base64" });
      expectClose(v!, expected);
    } finally {
      await plain.close();
    }
  });

  it("decodes binary (int8) and ubinary (uint8) packed bits to +1/-1", async () => {
    const jina = client(server.url);
    const [binary] = await jina.embed([text], { embeddingType: "binary" });
    expect(lastBody().embedding_type).toBe("binary");
    const [ubinary] = await jina.embed([text], { embeddingType: "ubinary" });
    expect(binary).toEqual(signs(expected));
    expect(ubinary).toEqual(signs(expected));
  });

  it("reads binary as two's complement when told to", async () => {
    const twos = await startJinaTestServer({ binaryInt8: "twosComplement" });
    try {
      const [binary] = await client(twos.url, { binaryInt8: "twosComplement" }).embed([text], { embeddingType: "binary" });
      expect(binary).toEqual(signs(expected));
    } finally {
      await twos.close();
    }
  });

  it("returns packed bytes when asked: 1 bit per dimension, or float32 bytes", async () => {
    const jina = client(server.url);
    const [bits] = await jina.embed([text], { embeddingType: "ubinary", packed: true });
    const [bitsFromInt8] = await jina.embed([text], { embeddingType: "binary", packed: true });
    expect(bits).toBeInstanceOf(Uint8Array);
    expect(bits!.length).toBe(32);
    expect(Array.from(bitsFromInt8!)).toEqual(Array.from(bits!));
    expect(Array.from(unpackBits(bits!))).toEqual(signs(expected));
    const [floats] = await jina.embed([text], { embeddingType: "base64", packed: true });
    expect(floats!.length).toBe(256 * 4);
    expectClose(Array.from(new Float32Array(Uint8Array.from(floats!).buffer)), expected);
  });

  it("rejects a vector of the wrong size with a typed error", async () => {
    const bad = await startJinaTestServer({ faults: [{ status: 200, body: { data: [{ index: 0, embedding: [0.1, 0.2] }], usage: { total_tokens: 1 } } }] });
    try {
      const error = await caught(() => client(bad.url).embedQuery("x"));
      expect(error).toBeInstanceOf(EmbeddingsShapeError);
      expect(error.message).toMatch(/expected 256 values, got 2/);
    } finally {
      await bad.close();
    }
  });
});

describe("multi-vector output", () => {
  it.each(["embeddings", "embedding"] as const)("reads the matrix under `%s`, one 128-d row per token", async (key) => {
    const s = await startJinaTestServer({ multiVectorKey: key });
    try {
      const jina = client(s.url);
      const text = "late interaction with maxsim scoring";
      const [matrix, image] = await jina.embedMultiVectorDocuments([text, { image: pngVariant(1) }]);
      const body = s.requests.at(-1)!.body as Record<string, unknown>;
      expect(body).toMatchObject({ return_multivector: true, task: "retrieval.passage" });
      expect(matrix).toHaveLength(wordTokens(text).length);
      expect(matrix!.every((row) => row.length === 128)).toBe(true);
      expect(image!.length).toBeGreaterThan(1);
      const query = await jina.embedMultiVectorQuery("maxsim");
      expect((s.requests.at(-1)!.body as Record<string, unknown>).task).toBe("retrieval.query");
      // The query token matches the document's "maxsim" row exactly.
      expect(Math.max(...matrix!.map((row) => cosine(row, query[0]!)))).toBeCloseTo(1, 5);
    } finally {
      await s.close();
    }
  });

  it("decodes multi-vector rows of any embedding type and returns packed rows", async () => {
    const jina = client(server.url);
    const [matrix] = await jina.embed(["two words"], { multivector: true, embeddingType: "base64" });
    expect(matrix).toHaveLength(2);
    expect(matrix![0]).toHaveLength(128);
    const [packed] = await jina.embed(["two words"], { multivector: true, embeddingType: "ubinary", packed: true });
    expect(packed).toHaveLength(2);
    expect(packed![0]!.length).toBe(16);
  });

  it("rejects rows that are not 128 wide, and a single vector where a matrix was asked", async () => {
    const bad = await startJinaTestServer({
      faults: [
        { status: 200, body: { data: [{ index: 0, embeddings: [[0.1, 0.2, 0.3]] }], usage: { total_tokens: 1 } } },
        { status: 200, body: { data: [{ index: 0, embedding: [0.1, 0.2, 0.3] }], usage: { total_tokens: 1 } } },
      ],
    });
    try {
      const jina = client(bad.url);
      const wide = await caught(() => jina.embedMultiVectorQuery("x"));
      expect(wide).toBeInstanceOf(EmbeddingsShapeError);
      expect(wide.message).toMatch(/128/);
      await expect(jina.embedMultiVectorQuery("y")).rejects.toBeInstanceOf(EmbeddingsShapeError);
    } finally {
      await bad.close();
    }
  });
});

describe("late chunking", () => {
  const chunks = ["Transformers rely on self attention.", "Attention weights every token pair.", "Residual connections ease optimisation.", "Layer normalisation stabilises training."];

  it("sends one document's chunks in order in one request and gets context-dependent vectors", async () => {
    const jina = client(server.url);
    const vectors = await jina.embedDocumentChunks(chunks);
    const body = lastBody();
    expect(body).toMatchObject({ late_chunking: true, task: "retrieval.passage", input: chunks });
    expect(vectors).toHaveLength(4);
    // Context mixed in: not equal to the chunk embedded alone, but still closest to it.
    const alone = expectedTextVector(chunks[0]!, 256);
    expect(cosine(vectors[0]!, alone)).toBeLessThan(0.999);
    expect(cosine(vectors[0]!, alone)).toBeGreaterThan(0.7);
    expect(jina.usage).toMatchObject({ lateChunkingWindows: 1, lateChunkingSplitDocuments: 0 });
  });

  it("splits a document beyond the context into consecutive windows and reports it", async () => {
    const small = await startJinaTestServer({ contextTokens: 300 });
    try {
      const warnings: string[] = [];
      const jina = client(small.url, { lateChunkingMaxTokens: 250, onWarning: (m) => warnings.push(m) });
      const doc = Array.from({ length: 12 }, (_, i) => `chunk ${i} ` + "words about the topic ".repeat(6));
      expect(doc.reduce((sum, c) => sum + countTokens(c), 0)).toBeGreaterThan(300);
      const vectors = await jina.embedDocumentChunks(doc);
      expect(vectors).toHaveLength(12);
      const sent = small.requests.map((r) => (r.body as { input: string[] }).input);
      expect(sent.length).toBeGreaterThan(1);
      expect(sent.flat()).toEqual(doc);
      expect(small.requests.every((r) => r.status === 200 && (r.body as Record<string, unknown>).late_chunking === true)).toBe(true);
      expect(jina.usage.lateChunkingWindows).toBe(sent.length);
      expect(jina.usage.lateChunkingSplitDocuments).toBe(1);
      expect(warnings.join()).toMatch(new RegExp(`${sent.length} consecutive windows`));
    } finally {
      await small.close();
    }
  });

  it("embeds many documents at once, one request per document", async () => {
    const jina = client(server.url);
    const before = server.requests.length;
    const docs = [chunks.slice(0, 2), chunks.slice(2)];
    const out = await jina.embedDocumentsChunked(docs);
    expect(out.map((d) => d.length)).toEqual([2, 2]);
    const sent = server.requests.slice(before).map((r) => (r.body as { input: string[] }).input);
    expect(sent).toEqual(expect.arrayContaining(docs));
  });
});

describe("JinaReranker", () => {
  it("posts jina-reranker-m0 and returns indices with scores, best first", async () => {
    const reranker = new JinaReranker({ baseUrl: server.url, apiKey: TEST_KEY });
    const docs = ["batch normalization", "the transformer uses multi-head attention", { image: pngVariant(2) }, "attention heads"];
    const results = await reranker.rerank("multi-head attention in the transformer", docs, { topN: 2 });
    const body = lastBody();
    expect(body).toMatchObject({ model: "jina-reranker-m0", query: "multi-head attention in the transformer", top_n: 2, return_documents: false });
    expect((body.documents as unknown[])[2]).toHaveProperty("image");
    expect(results).toHaveLength(2);
    expect(results[0]!.index).toBe(1);
    expect(results[0]!.relevanceScore).toBeGreaterThanOrEqual(results[1]!.relevanceScore);
    expect(reranker.usage.requests).toBe(1);
  });

  it("shares the retry and typed-error behaviour", async () => {
    const s = await startJinaTestServer({ apiKey: TEST_KEY, faults: [{ status: 429, retryAfter: "0" }] });
    try {
      const reranker = new JinaReranker({ baseUrl: s.url, apiKey: TEST_KEY, backoffBaseMs: 5 });
      expect(await reranker.rerank("q", ["a", "b"])).toHaveLength(2);
      expect(s.requests.map((r) => r.status)).toEqual([429, 200]);
      const error = await caught(() => new JinaReranker({ baseUrl: s.url, apiKey: "jina_badkey_0000000000000" }).rerank("q", ["a"]));
      expect(error.code).toBe("EMBEDDINGS_AUTH");
      expect(error.message).toMatch(/rerank/);
      expect(error.message).not.toContain("jina_badkey_0000000000000");
    } finally {
      await s.close();
    }
  });
});

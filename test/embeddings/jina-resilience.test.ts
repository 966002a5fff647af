import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddingsAuthError, EmbeddingsBalanceError, EmbeddingsInputError, EmbeddingsResponseError, EmbeddingsUnavailableError } from "../../src/embeddings/index.js";
import { expectedTextVector, startJinaTestServer, type JinaTestServer, type JinaTestServerOptions } from "../servers/jina-server.js";
import { caught, client, expectClose, pngVariant, TEST_KEY } from "./helpers.js";

let server: JinaTestServer | undefined;
async function start(options: JinaTestServerOptions = {}): Promise<JinaTestServer> {
  server = await startJinaTestServer({ apiKey: TEST_KEY, ...options });
  return server;
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const texts = (n: number, words = 6) => Array.from({ length: n }, (_, i) => Array.from({ length: words }, (_, w) => `w${i}x${w}`).join(" "));

function expectNoKey(error: Error & { hint?: string }): void {
  expect(`${error.message} ${error.hint ?? ""} ${String(error.stack)}`).not.toContain(TEST_KEY);
}

describe("batching and concurrency", () => {
  it("batches by count", async () => {
    const s = await start();
    const vectors = await client(s.url, { batchSize: 7 }).embedDocuments(texts(30));
    expect(vectors).toHaveLength(30);
    expect(s.requests.map((r) => r.inputs)).toEqual(expect.arrayContaining([7, 7, 7, 7, 2]));
    expect(Math.max(...s.requests.map((r) => r.inputs))).toBe(7);
  });

  it("batches by estimated tokens, within the server's count, and images count by their size", async () => {
    const s = await start({ maxTokensPerRequest: 400 });
    const long = Array.from({ length: 20 }, (_, i) => `paragraph ${i} ` + "lorem ipsum dolor sit amet ".repeat(12));
    const jina = client(s.url, { batchSize: 100, tokensPerRequest: 400, });
    await jina.embedDocuments(long);
    // The server rejects >400 counted tokens with 413: every request passed, so no batch was under-counted.
    expect(s.requests.every((r) => r.status === 200 && r.tokens <= 400)).toBe(true);
    expect(s.requests.length).toBeGreaterThan(3);
    s.reset();
    // A 400x400 image is 15 x 15 patches of 28 px: 225 tokens, more than half the budget, one per request.
    const square = (red: number) => sharp({ create: { width: 400, height: 400, channels: 3, background: { r: red, g: 0, b: 0 } } }).png().toBuffer();
    await jina.embedImageDocuments(await Promise.all([1, 2, 3].map(square)));
    expect(s.requests.map((r) => r.inputs)).toEqual([1, 1, 1]);
    expect(s.requests.map((r) => r.tokens)).toEqual([225, 225, 225]);
  });

  it("never exceeds maxConcurrency, and uses it", async () => {
    const s = await start({ latencyMs: 25 });
    const vectors = await client(s.url, { batchSize: 2, maxConcurrency: 3 }).embedDocuments(texts(40));
    expect(vectors).toHaveLength(40);
    expect(s.requests.length).toBe(20);
    expect(s.maxConcurrent).toBe(3);
  });

  it("deduplicates identical inputs within a call", async () => {
    const s = await start();
    const vectors = await client(s.url).embedDocuments(["same", "same", "other", "same"]);
    expect(s.requests[0]!.inputs).toBe(2);
    expect(vectors[3]).toEqual(vectors[0]);
    expectClose(vectors[2]!, expectedTextVector("other", 256));
  });
});

describe("retries", () => {
  it("retries 429 and honours Retry-After in seconds", async () => {
    const s = await start({ faults: [{ status: 429, retryAfter: "1" }] });
    const jina = client(s.url);
    const started = Date.now();
    const [v] = await jina.embedDocuments(["rate limited"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expectClose(v!, expectedTextVector("rate limited", 256));
    expect(s.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(jina.usage).toMatchObject({ retries: 1, requests: 2 });
  });

  it("honours Retry-After as an HTTP date", async () => {
    const s = await start({ faults: [{ status: 429, retryAfter: new Date(Date.now() + 2_000).toUTCString() }] });
    const started = Date.now();
    await client(s.url).embedDocuments(["dated"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(s.requests.length).toBe(2);
  });

  it("retries 503, 500, connection resets, timeouts and malformed bodies", async () => {
    const s = await start({ faults: [{ status: 503 }, "reset", { status: 500 }, { delayMs: 600 }, "malformed", "wrong-shape"] });
    const retries: string[] = [];
    const jina = client(s.url, { timeout: 300, maxRetries: 6, onRetry: (e) => retries.push(e.reason) });
    const [v] = await jina.embedDocuments(["eventually"]);
    expectClose(v!, expectedTextVector("eventually", 256));
    expect(s.requests.length).toBe(7);
    expect(retries.join("\n")).toMatch(/503[\s\S]*connection[\s\S]*500[\s\S]*timed out[\s\S]*not JSON[\s\S]*wrong shape/);
  });

  it("gives up after maxRetries with EMBEDDINGS_UNAVAILABLE", async () => {
    const s = await start({ faults: Array.from({ length: 5 }, () => ({ status: 503 })) });
    const jina = client(s.url, { maxRetries: 2 });
    const error = await caught(() => jina.embedDocuments(["down"]));
    expect(jina.usage).toMatchObject({ requests: 3, retries: 2, totalTokens: 0 });
    expect(error).toBeInstanceOf(EmbeddingsUnavailableError);
    expect(error.code).toBe("EMBEDDINGS_UNAVAILABLE");
    expect(error.message).toMatch(/3 attempt/);
    expect(s.requests.length).toBe(3);
    expectNoKey(error);
  });

  it("bounds retries of malformed bodies", async () => {
    const s = await start({ faults: ["malformed", "malformed", "malformed", "malformed"] });
    const error = await caught(() => client(s.url, { malformedRetries: 2 }).embedDocuments(["garbled"]));
    expect(error).toBeInstanceOf(EmbeddingsResponseError);
    expect(error.code).toBe("EMBEDDINGS");
    expect(s.requests.length).toBe(3);
  });
});

describe("cancellation", () => {
  it("aborts in-flight and queued requests without retrying", async () => {
    const s = await start({ latencyMs: 3_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await caught(() => client(s.url, { batchSize: 1, maxConcurrency: 1 }).embed(["a", "b", "c"], { signal: controller.signal }));
    expect(error.name).toBe("AbortError");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(s.requests.length).toBe(1);
  });
});

describe("errors that are never retried", () => {
  it("401: invalid key -> EMBEDDINGS_AUTH, server message kept, key absent", async () => {
    const s = await start();
    const error = await caught(() => client(s.url, { apiKey: "jina_wrongkey_abcdefghijklmnop" }).embedQuery("x"));
    expect(error).toBeInstanceOf(EmbeddingsAuthError);
    expect(error.code).toBe("EMBEDDINGS_AUTH");
    expect(error.message).toMatch(/AUTH_INVALID_API_KEY/);
    expect(error.hint).toMatch(/JINA_API_KEY/);
    expect(`${error.message}${error.hint}`).not.toContain("jina_wrongkey_abcdefghijklmnop");
    expect(s.requests.length).toBe(1);
  });

  it("402 and 403 -> EMBEDDINGS_BALANCE with a top-up hint, both error body forms", async () => {
    const s = await start({
      faults: [
        { status: 402, body: { detail: "AUTHZ_INSUFFICIENT_BALANCE: your balance is too low" } },
        { status: 403, body: { error: { message: `AUTHZ_RESOURCE_LIMIT_EXCEEDED for Bearer ${TEST_KEY}` } } },
      ],
    });
    const jina = client(s.url);
    const e402 = await caught(() => jina.embedQuery("x"));
    expect(e402).toBeInstanceOf(EmbeddingsBalanceError);
    expect(e402.message).toMatch(/INSUFFICIENT_BALANCE/);
    expect(e402.hint).toMatch(/top up/i);
    const e403 = await caught(() => jina.embedQuery("y"));
    expect(e403.code).toBe("EMBEDDINGS_BALANCE");
    expect(e403.message).toMatch(/RESOURCE_LIMIT_EXCEEDED/);
    expectNoKey(e403);
    expect(s.requests.length).toBe(2);
  });

  it("redacts other configured secrets echoed by a server", async () => {
    const s = await start({ faults: [{ status: 400, body: { detail: "proxy said: upstream key sk-proxysecret000000000 and token folio-api-token-xyz rejected" } }] });
    const error = await caught(() => client(s.url, { secrets: ["folio-api-token-xyz"] }).embedQuery("x"));
    expect(error.code).toBe("EMBEDDINGS_INPUT");
    expect(error.message).not.toContain("folio-api-token-xyz");
    expect(error.message).not.toContain("sk-proxysecret000000000");
    expect(error.message).toContain("***");
  });

  it("400 on an unreadable image names the bad input in the hint", async () => {
    const s = await start();
    const notAnImage = Buffer.from("this is definitely not an image file at all");
    const error = await caught(() => client(s.url).embed(["fine text", { image: pngVariant(1) }, { image: notAnImage }]));
    expect(error).toBeInstanceOf(EmbeddingsInputError);
    expect(error.code).toBe("EMBEDDINGS_INPUT");
    expect(error.message).toMatch(/not a readable image/);
    expect(error.inputIndex).toBe(2);
    expect(error.hint).toMatch(/Input #2 \(image buffer of 43 bytes\)/);
    expect(s.requests.length).toBe(1);
  });

  it("400 on an unknown model, and 422 FastAPI-style details mapped to the caller's index", async () => {
    const s = await start({ faults: ["ok", "ok", { status: 422, body: { detail: [{ loc: ["body", "input", 1], msg: "string too long", type: "value_error" }] } }] });
    const model = await caught(() => client(s.url, { model: "jina-embeddings-v9" }).embedQuery("x"));
    expect(model.code).toBe("EMBEDDINGS_INPUT");
    expect(model.message).toMatch(/INPUT_MODEL_NOT_FOUND/);
    expect(model.hint).toMatch(/JINA_MODEL/);
    // Second batch of two: server index 1 there is the caller's input #3.
    const error = await caught(() => client(s.url, { batchSize: 2, maxConcurrency: 1 }).embedDocuments(["a", "b", "c", "d"]));
    expect(error.code).toBe("EMBEDDINGS_INPUT");
    expect(error.message).toMatch(/input\.1: string too long/);
    expect(error.inputIndex).toBe(3);
    expect(error.hint).toMatch(/Input #3 \(text "d"\)/);
    expect(s.requests.length).toBe(3);
  });
});

/** The test server itself: other parts rely on it as THE Jina server, so its validation is tested too. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedTextVector, startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { cosine, PNG_1X1 } from "./helpers.js";

let server: JinaTestServer;
beforeAll(async () => {
  server = await startJinaTestServer({ apiKey: "jina_server_test_key_123456" });
});
afterAll(() => server.close());

async function post(body: unknown, auth = "Bearer jina_server_test_key_123456", path = "/embeddings"): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const ok = { model: "jina-embeddings-v4", input: ["hello"] };

describe("jina test server", () => {
  it("answers the documented response shape with usage", async () => {
    const { status, json } = await post({ ...ok, task: "retrieval.query", dimensions: 128 });
    expect(status).toBe(200);
    expect(json).toMatchObject({ model: "jina-embeddings-v4", object: "list", usage: { total_tokens: 2, prompt_tokens: 2 } });
    expect((json.data as Array<{ embedding: number[] }>)[0]!.embedding).toHaveLength(128);
  });

  it.each([
    ["normalized (v3 only)", { ...ok, normalized: true }, 422],
    ["unknown task", { ...ok, task: "retrieval" }, 422],
    ["dimensions outside the Matryoshka set", { ...ok, dimensions: 1000 }, 422],
    ["non-boolean late_chunking", { ...ok, late_chunking: "yes" }, 422],
    ["unknown embedding_type", { ...ok, embedding_type: "int8" }, 422],
    ["old image keys", { ...ok, input: [{ url: "http://x/y.png" }] }, 422],
    ["empty input", { ...ok, input: [] }, 422],
    ["unknown field", { ...ok, foo: 1 }, 422],
    ["unknown model", { ...ok, model: "jina-embeddings-v3" }, 400],
    ["unreadable image bytes", { ...ok, input: [{ image: Buffer.from("not an image at all").toString("base64") }] }, 400],
  ])("rejects %s", async (_name, body, status) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.json).toHaveProperty("detail");
  });

  it("requires the key when configured: 401 with a detail", async () => {
    expect((await post(ok, "")).status).toBe(401);
    const wrong = await post(ok, "Bearer nope");
    expect(wrong.status).toBe(401);
    expect(String(wrong.json.detail)).toMatch(/AUTH_INVALID_API_KEY/);
  });

  it("gives texts sharing words close vectors, the same image the same vector", async () => {
    const a = expectedTextVector("dense passage retrieval for open domain question answering", 512);
    const b = expectedTextVector("open domain question answering with dense retrieval", 512);
    const c = expectedTextVector("residual learning for image recognition", 512);
    expect(cosine(a, b)).toBeGreaterThan(0.5);
    expect(cosine(a, c)).toBeLessThan(0.2);
    const { json } = await post({ ...ok, input: [{ image: PNG_1X1.toString("base64") }, { image: PNG_1X1.toString("base64") }] });
    const [x, y] = (json.data as Array<{ index: number; embedding: number[] }>).sort((p, q) => p.index - q.index);
    expect(x!.embedding).toEqual(y!.embedding);
  });

  it("tracks requests and the concurrency high-water mark", async () => {
    server.reset();
    await Promise.all([post(ok), post(ok), post(ok)]);
    expect(server.requests).toHaveLength(3);
    expect(server.maxConcurrent).toBeGreaterThanOrEqual(1);
    expect(server.maxConcurrent).toBeLessThanOrEqual(3);
  });
});

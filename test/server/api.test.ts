/**
 * The HTTP API over real HTTP: the real embedded store (filled with two papers), the real
 * extractive answerer, the app on 127.0.0.1 port 0, plain fetch.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, readSse, removeDir, startTestServer, tempHome, TINY_PNG_DATA_URI, type Corpus, type TestServer } from "./helpers.js";

interface ErrorJson {
  error: { code: string; message: string; hint: string };
}
interface CitationJson {
  n: number;
  docId: string;
  title: string;
  kind: string;
  page?: number;
  imageId?: string;
  imageUrl?: string;
  snippet: string;
}
interface ChatJson {
  answer: string;
  citations: CitationJson[];
  sources: CitationJson[];
  sessionId: string;
  standaloneQuestion: string;
  mode: string;
}
interface HitJson {
  id: string;
  docId: string;
  kind: string;
  title: string;
  page?: number;
  figureLabel?: string;
  imageUrl?: string;
  score: number;
}

/** A GET with the path sent exactly as written (fetch would normalise "../"). */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function expectCleanError(body: ErrorJson): void {
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
  expect(typeof body.error.hint).toBe("string");
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+/);
}

describe("HTTP API over the filled store (extractive answerer)", () => {
  let home: string;
  let t: TestServer & { corpus?: Corpus };

  beforeAll(async () => {
    home = await tempHome();
    t = await startTestServer({ home, server: { maxBodyBytes: 64 * 1024 } });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("serves the web page with security headers and without x-powered-by", async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="app.js">');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ["app.js", "style.css"]) {
      const a = await fetch(`${t.url}/${asset}`);
      expect(a.status).toBe(200);
    }
  });

  it("GET /health reports the store counts and which parts run embedded", async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as { status: string; store: Record<string, unknown>; embedded: string[]; auth: boolean; imageSearch: boolean };
    expect(health.status).toBe("ok");
    expect(health.store).toMatchObject({ mode: "embedded", documents: 2, figures: 1, pages: 1 });
    expect(health.store.points).toBeGreaterThanOrEqual(9);
    expect(health.embedded).toEqual(expect.arrayContaining(["store", "embeddings (BM25)", "answerer (extractive)"]));
    expect(health.auth).toBe(false);
    expect(health.imageSearch).toBe(false);
  });

  it("POST /chat answers as JSON with numbered citations and a session id", async () => {
    const res = await postJson(`${t.url}/chat`, { message: "What do residual connections learn?" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatJson;
    expect(body.answer.length).toBeGreaterThan(0);
    expect(body.mode).toBe("extractive");
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.standaloneQuestion).toBe("What do residual connections learn?");
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.citations[0]!.docId).toBe("resnet-2015");
    expect(body.answer).toContain(`[${body.citations[0]!.n}]`);
    expect(body.sources.length).toBeGreaterThanOrEqual(body.citations.length);
  });

  it("POST /chat with stream: true sends server-sent events in order, done last", async () => {
    const res = await postJson(`${t.url}/chat`, { message: "How does multi-head attention work?", stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("session");
    expect(names.at(-1)).toBe("done");
    expect(names.filter((n) => n === "done")).toHaveLength(1);
    expect(names).not.toContain("error");
    const firstToken = names.indexOf("token");
    expect(firstToken).toBeGreaterThan(names.indexOf("sources"));
    expect(names.indexOf("sources")).toBeGreaterThan(0);
    const tokens = events.filter((e) => e.event === "token").map((e) => (e.data as { text: string }).text);
    expect(tokens.length).toBeGreaterThan(1);
    const done = events.at(-1)!.data as ChatJson;
    expect(tokens.join("")).toBe(done.answer);
    expect(done.sessionId).toBe((events[0]!.data as { sessionId: string }).sessionId);
    const citations = events.filter((e) => e.event === "citation").map((e) => e.data as CitationJson);
    expect(citations.length).toBeGreaterThan(0);
    expect(citations.map((c) => c.n).sort()).toEqual(done.citations.map((c) => c.n).sort());
    expect(done.citations.some((c) => c.docId === "attention-2017")).toBe(true);
  });

  it("Accept: text/event-stream also streams", async () => {
    const res = await postJson(`${t.url}/chat`, { message: "What is scaled dot-product attention?" }, { accept: "text/event-stream" });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    expect(events.at(-1)!.event).toBe("done");
  });

  it("citations of figures and pages carry an image URL that serves the PNG", async () => {
    const res = await postJson(`${t.url}/chat`, { message: "Show the Transformer model architecture figure", filters: { kind: ["figure", "page"] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatJson;
    const withImage = body.sources.filter((s) => s.imageUrl);
    expect(withImage.length).toBeGreaterThan(0);
    const figure = body.sources.find((s) => s.kind === "figure")!;
    expect(figure.imageUrl).toBe(`/figures/${t.corpus!.figureImageId}`);
    const png = await fetch(`${t.url}${figure.imageUrl}`);
    expect(png.status).toBe(200);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("x-content-type-options")).toBe("nosniff");
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    const page = await fetch(`${t.url}/pages/${t.corpus!.pageImageId}`);
    expect(page.status).toBe(200);
  });

  it("POST /search returns hits with kind, title, page, score and imageUrl; filters apply", async () => {
    const res = await postJson(`${t.url}/search`, { query: "residual learning deeper networks", k: 3 });
    expect(res.status).toBe(200);
    const { hits } = (await res.json()) as { hits: HitJson[] };
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(3);
    expect(hits[0]).toMatchObject({ docId: "resnet-2015", kind: "text", title: "Deep Residual Learning for Image Recognition" });
    expect(typeof hits[0]!.score).toBe("number");

    const figures = (await (await postJson(`${t.url}/search`, { query: "Transformer architecture", filters: { kind: "figure" } })).json()) as { hits: HitJson[] };
    expect(figures.hits.length).toBe(1);
    expect(figures.hits[0]).toMatchObject({ kind: "figure", figureLabel: "Figure 1", page: 3, imageUrl: `/figures/${t.corpus!.figureImageId}` });

    const byPaper = (await (await postJson(`${t.url}/search`, { query: "attention layers networks", filters: { paper: "resnet-2015" } })).json()) as { hits: HitJson[] };
    expect(byPaper.hits.length).toBeGreaterThan(0);
    expect(byPaper.hits.every((h) => h.docId === "resnet-2015")).toBe(true);

    const byYear = (await (await postJson(`${t.url}/search`, { query: "attention layers networks", filters: { year: { gte: 2016 } } })).json()) as { hits: HitJson[] };
    expect(byYear.hits.length).toBeGreaterThan(0);
    expect(byYear.hits.every((h) => h.docId === "attention-2017")).toBe(true);

    const qdrant = (await (
      await postJson(`${t.url}/search`, { query: "attention layers networks", filters: { qdrant: { must: [{ key: "metadata.docId", match: { value: "resnet-2015" } }] } } })
    ).json()) as { hits: HitJson[] };
    expect(qdrant.hits.length).toBeGreaterThan(0);
    expect(qdrant.hits.every((h) => h.docId === "resnet-2015")).toBe(true);
  });

  it("400 for malformed JSON, with a reason", async () => {
    const res = await postJson(`${t.url}/chat`, '{"message": "unterminated');
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("INPUT");
    expect(body.error.message).toMatch(/not valid JSON/);
    expectCleanError(body);
  });

  it("400 for bad fields names the field path and the problem", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /body\.message: required/],
      [{ message: 5 }, /body\.message: Expected string, received number/],
      [{ message: "   " }, /body\.message: must not be empty/],
      [{ message: "hi", k: 0 }, /body\.k: Number must be greater than or equal to 1/],
      [{ message: "hi", surprise: true }, /body: unknown field\(s\) "surprise"/],
      [{ message: "hi", filters: { kind: "table" } }, /body\.filters\.kind/],
      [{ message: "hi", filters: { year: { gte: 2020, lte: 2010 } } }, /body\.filters\.year/],
      [{ message: "hi", sessionId: "../../etc" }, /body\.sessionId/],
      [[1, 2], /body: Expected object, received array/],
    ];
    for (const [payload, reason] of cases) {
      const res = await postJson(`${t.url}/chat`, payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.message).toMatch(reason);
      expectCleanError(body);
    }
    const search = await postJson(`${t.url}/search`, { k: 3 });
    expect(search.status).toBe(400);
    expect(((await search.json()) as ErrorJson).error.message).toMatch(/body\.query: give a query, an image, or both/);
  });

  it("400 for an invalid raw Qdrant filter", async () => {
    const res = await postJson(`${t.url}/search`, { query: "attention", filters: { qdrant: { must: [{ key: "metadata.docId", bogus: 1 }] } } });
    expect(res.status).toBe(400);
    expectCleanError((await res.json()) as ErrorJson);
  });

  it("415 when the body is not JSON", async () => {
    const res = await fetch(`${t.url}/chat`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(res.status).toBe(415);
    expectCleanError((await res.json()) as ErrorJson);
  });

  it("413 for a body over the limit", async () => {
    const res = await postJson(`${t.url}/chat`, { message: "x".repeat(3000), image: "A".repeat(70 * 1024) });
    expect(res.status).toBe(413);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(body.error.hint).toMatch(/FOLIO_MAX_BODY_MB/);
  });

  it("image queries without image-capable embeddings: 422 saying image search needs Jina", async () => {
    for (const [route, payload] of [
      ["/chat", { message: "what is this?", image: TINY_PNG_DATA_URI }],
      ["/search", { query: "what", image: TINY_PNG_DATA_URI }],
      ["/search", { image: "https://example.org/figure.png" }],
    ] as const) {
      const res = await postJson(`${t.url}${route}`, payload);
      expect(res.status).toBe(422);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe("UNSUPPORTED");
      expect(body.error.message).toMatch(/Image search needs Jina/);
      expect(body.error.message).toMatch(/JINA_API_KEY/);
      expect(body.error.message).toMatch(/JINA_BASE_URL/);
    }
  });

  it("404 JSON for unknown routes and unknown image ids", async () => {
    const res = await fetch(`${t.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(((await res.json()) as ErrorJson).error.code).toBe("NOT_FOUND");
    const unknown = await fetch(`${t.url}/figures/${"0".repeat(16)}`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorJson).error.message).toMatch(/No figure image/);
  });

  it("figures and pages only by image id: path traversal and other shapes are refused", async () => {
    const id = t.corpus!.figureImageId;
    const attempts = [
      "/figures/..%2F..%2F..%2Fetc%2Fpasswd",
      "/figures/../../../etc/passwd",
      "/pages/..%2fqdrant",
      "/figures/%2Fetc%2Fpasswd",
      `/figures/${id}.png`,
      `/figures/${id.toUpperCase()}`,
      `/figures/${id.slice(0, -1)}`,
      `/figures/${id}0`,
      `/figures/${id}%00`,
      "/pages/.",
      `/pages/${id}/..`,
      "/figures/%ZZ",
      "/pages/%E0%A4%A",
    ];
    for (const attempt of attempts) {
      const res = await rawGet(t.url, attempt);
      expect([400, 404], attempt).toContain(res.status);
      expect(res.body).not.toContain("root:");
      expect(res.body).not.toMatch(/PNG/);
      expect(() => JSON.parse(res.body) as unknown).not.toThrow();
    }
  });

  it("OpenAPI 3 document describes the routes that exist", async () => {
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(["/chat", "/documents", "/documents/{id}", "/documents/{id}/pdf", "/figures/{id}", "/health", "/ingest/{job}", "/mcp", "/openapi.json", "/pages/{id}", "/search", "/v1/chat/completions", "/v1/models"]);
    expect(doc.components.schemas).toHaveProperty("ChatRequest");
    expect(doc.components.schemas).toHaveProperty("Citation");
    // Every documented operation is a real route: none of them answers "No route".
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const url = `${t.url}${path.replace("{id}", "0".repeat(16)).replace("{job}", "0".repeat(16))}`;
        const r = method === "post" ? await postJson(url, {}) : await fetch(url, { method: method.toUpperCase() });
        const text = await r.text();
        expect(text, `${method} ${path}`).not.toMatch(/No route/);
      }
    }
  });
});

describe("HTTP API over an empty store", () => {
  let home: string;
  let t: TestServer;
  beforeAll(async () => {
    home = await tempHome("empty");
    t = await startTestServer({ home, fill: false });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("409 with the hint to ingest, for /chat (JSON and stream) and /search", async () => {
    for (const [route, body] of [
      ["/chat", { message: "What is attention?" }],
      ["/chat", { message: "What is attention?", stream: true }],
      ["/search", { query: "attention" }],
    ] as const) {
      const res = await postJson(`${t.url}${route}`, body);
      expect(res.status, `${route} ${JSON.stringify(body)}`).toBe(409);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      const err = (await res.json()) as ErrorJson;
      expect(err.error.code).toBe("EMPTY_STORE");
      expect(err.error.hint).toMatch(/folio ingest/);
    }
  });

  it("/health still answers, with zero documents", async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as { store: { documents: number | null } };
    expect(health.store.documents).toBe(0);
  });
});

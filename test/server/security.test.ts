/**
 * Bearer token, rate limit, CORS and secret redaction, over real HTTP against the real store and answerer.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokensEqual } from "../../src/server/middleware/auth.js";
import { listenLocal, type LocalListener } from "../servers/listen.js";
import { postJson, removeDir, startTestServer, tempHome, type TestServer } from "./helpers.js";

interface ErrorJson {
  error: { code: string; message: string; hint: string };
}

describe("bearer token (FOLIO_API_TOKEN)", () => {
  const token = "folio-test-token-0123456789abcdef";
  let home: string;
  let t: TestServer & { corpus?: { figureImageId: string } };
  beforeAll(async () => {
    home = await tempHome("auth");
    t = await startTestServer({ home, env: { FOLIO_API_TOKEN: token } });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("401 without a token or with a wrong one, on every API route", async () => {
    const figure = `/figures/${t.corpus!.figureImageId}`;
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer wrong-token" }, { authorization: `Basic ${token}` }, { authorization: `Bearer ${token}x` }, { authorization: `Bearer ${token.slice(0, -1)}` }]) {
      for (const res of [await postJson(`${t.url}/chat`, { message: "What is attention?" }, headers), await postJson(`${t.url}/search`, { query: "attention" }, headers), await fetch(`${t.url}${figure}`, { headers })]) {
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        const body = (await res.json()) as ErrorJson;
        expect(body.error.code).toBe("UNAUTHORIZED");
        expect(body.error.hint).toMatch(/Authorization: Bearer/);
        expect(JSON.stringify(body)).not.toContain(token);
      }
    }
  });

  it("200 with the right token", async () => {
    const headers = { authorization: `Bearer ${token}` };
    expect((await postJson(`${t.url}/chat`, { message: "What is attention?" }, headers)).status).toBe(200);
    expect((await postJson(`${t.url}/search`, { query: "attention" }, headers)).status).toBe(200);
    expect((await fetch(`${t.url}/figures/${t.corpus!.figureImageId}`, { headers })).status).toBe(200);
  });

  it("the page, /health and /openapi.json stay open and say a token is needed", async () => {
    expect((await fetch(`${t.url}/`)).status).toBe(200);
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { auth: boolean }).auth).toBe(true);
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as { components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes).toHaveProperty("bearer");
  });

  it("compares tokens without regard to length or content timing (digests)", () => {
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual("", token)).toBe(false);
    expect(tokensEqual(token + token, token)).toBe(false);
  });
});

describe("rate limit", () => {
  let home: string;
  let t: TestServer;
  beforeAll(async () => {
    home = await tempHome("rate");
    t = await startTestServer({ home, server: { rateLimitPerMinute: 3 } });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("429 with standard headers after the budget; /health is not limited", async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await postJson(`${t.url}/search`, { query: "attention" });
      statuses.push(last.status);
      if (last.status === 200) expect(last.headers.get("ratelimit")).toMatch(/r=\d+/);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last!.headers.get("ratelimit-policy")).toMatch(/3-in-1min/);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await last!.json()) as ErrorJson;
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(body.error.hint).toMatch(/FOLIO_RATE_LIMIT_PER_MINUTE/);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    // Reading what is stored is not counted: the page's thumbnails and PDF ranges come in bursts.
    for (let i = 0; i < 5; i++) expect((await fetch(`${t.url}/documents`)).status).toBe(200);
  });
});

describe("rate limit with FOLIO_API_TOKEN", () => {
  let home: string;
  let t: TestServer;
  const token = "rate-limit-token-0123456789";
  beforeAll(async () => {
    home = await tempHome("rate-token");
    t = await startTestServer({ home, env: { FOLIO_API_TOKEN: token }, server: { rateLimitPerMinute: 3 } });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("reads with the token are not counted; reads with a wrong token are, so guessing it is slowed down", async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(`${t.url}/documents`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) guesses.push((await fetch(`${t.url}/documents`, { headers: { Authorization: `Bearer guess-${i}` } })).status);
    expect(guesses).toEqual([401, 401, 401, 429, 429]);
  });
});

describe("CORS", () => {
  let home: string;
  let closed: TestServer;
  let open: TestServer;
  beforeAll(async () => {
    home = await tempHome("cors");
    closed = await startTestServer({ home: `${home}-a`, fill: false });
    open = await startTestServer({ home: `${home}-b`, fill: false, env: { FOLIO_CORS_ORIGINS: "http://app.example, https://notes.example" } });
  });
  afterAll(async () => {
    await closed?.close();
    await open?.close();
    await removeDir(`${home}-a`);
    await removeDir(`${home}-b`);
    await removeDir(home);
  });

  const preflight = (url: string, origin: string) =>
    fetch(`${url}/chat`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });

  it("is off by default: no Access-Control-Allow-Origin, preflight refused", async () => {
    const res = await fetch(`${closed.url}/health`, { headers: { origin: "http://app.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const pre = await preflight(closed.url, "http://app.example");
    expect(pre.status).toBe(403);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows exactly the configured origins", async () => {
    const pre = await preflight(open.url, "http://app.example");
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(pre.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(pre.headers.get("access-control-allow-methods")).toMatch(/POST/);
    const res = await fetch(`${open.url}/health`, { headers: { origin: "https://notes.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://notes.example");
    expect(res.headers.get("vary")).toMatch(/Origin/);
    const other = await fetch(`${open.url}/health`, { headers: { origin: "http://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect((await preflight(open.url, "http://evil.example")).status).toBe(403);
  });
});

describe("no secret and no stack trace in any error body", () => {
  const openaiKey = "sk-folio-fake-openai-key-0123456789";
  const jinaKey = "jina_fakefakefake0123456789abcdef";
  const apiToken = "folio-api-token-fake-0123456789";
  let home: string;
  let t: TestServer;
  let llm: LocalListener;

  beforeAll(async () => {
    // An OpenAI-compatible endpoint that refuses the key and echoes it back, as the real one does.
    const llmServer = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const auth = req.headers.authorization ?? "";
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${auth.replace(/^Bearer /, "")}. ${auth}`, type: "invalid_request_error", code: "invalid_api_key" } }));
      });
    });
    llm = await listenLocal(llmServer);
    const port = llm.port;
    home = await tempHome("secrets");
    t = await startTestServer({
      home,
      env: { OPENAI_API_KEY: openaiKey, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, FOLIO_API_TOKEN: apiToken },
    });
    // The store was filled without Jina; the key is only in config.secrets, as it would be in production.
    t.config.secrets.push(jinaKey);
  });
  afterAll(async () => {
    await t?.close();
    await llm.close();
    await removeDir(home);
  });

  it("an upstream error that echoes the key is redacted, in JSON and in the stream", async () => {
    const auth = { authorization: `Bearer ${apiToken}` };
    const bodies: string[] = [];
    const json = await postJson(`${t.url}/chat`, { message: "What is multi-head attention?" }, auth);
    expect(json.status).toBeGreaterThanOrEqual(500);
    bodies.push(await json.text());
    const stream = await postJson(`${t.url}/chat`, { message: "What is multi-head attention?", stream: true }, auth);
    bodies.push(await stream.text());
    bodies.push(await (await postJson(`${t.url}/chat`, { message: `my key is ${jinaKey}`, k: -1 }, auth)).text());
    bodies.push(await (await postJson(`${t.url}/chat`, "{oops", auth)).text());
    bodies.push(await (await postJson(`${t.url}/chat`, { message: "hi" }, { authorization: `Bearer ${openaiKey}` })).text());
    for (const body of bodies) {
      expect(body).not.toContain(openaiKey);
      expect(body).not.toContain(jinaKey);
      expect(body).not.toContain(apiToken);
      expect(body).not.toMatch(/\bat .+:\d+:\d+\)?|node_modules|\.ts:\d+|\.js:\d+/);
      expect(body).toMatch(/"code"/);
    }
    for (const line of t.logs) {
      expect(line).not.toContain(openaiKey);
      expect(line).not.toContain(apiToken);
    }
  });
});

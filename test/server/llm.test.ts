/**
 * /chat with the LLM answerer (ChatOpenAI against the OpenAI test server, through a recording proxy):
 * streamed tokens, follow-ups rewritten with the session's history, and a client disconnect that
 * aborts the LLM call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionStore } from "../../src/server/sessions.js";
import { startOpenAITestServer, type OpenAITestServer } from "../servers/openai-server.js";
import { postJson, readSse, removeDir, startTestServer, tempHome, type TestServer } from "./helpers.js";
import { startTimingProxy, type TimingProxy } from "./timing-proxy.js";

interface ChatJson {
  answer: string;
  sessionId: string;
  standaloneQuestion: string;
  mode: string;
  citations: Array<{ n: number; docId: string }>;
}

const SLOW_TRIGGER = "explain everything slowly";

describe("/chat with the LLM (OpenAI wire format)", () => {
  let home: string;
  let llm: OpenAITestServer;
  let proxy: TimingProxy;
  let t: TestServer;

  beforeAll(async () => {
    llm = await startOpenAITestServer({
      apiKey: "sk-test-folio-server-0000",
      chunkDelayMs: 15,
      reply: (request) => (request.kind === "answer" && request.text.includes(SLOW_TRIGGER) ? `${Array.from({ length: 300 }, (_, i) => `word${i}`).join(" ")} [1]` : undefined),
    });
    proxy = await startTimingProxy(llm.url);
    home = await tempHome("llm");
    t = await startTestServer({ home, env: { OPENAI_BASE_URL: proxy.url, OPENAI_API_KEY: "sk-test-folio-server-0000", OPENAI_MODEL: "gpt-test" } });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await llm?.close();
    await removeDir(home);
  });

  const sessions = () => (t.server.app.locals as { sessions: SessionStore }).sessions;

  it("streams the LLM's tokens in order, then done with the cited answer", async () => {
    const res = await postJson(`${t.url}/chat`, { message: "How does multi-head attention work?", stream: true });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    const names = events.map((e) => e.event);
    expect(names.at(-1)).toBe("done");
    expect(names).not.toContain("error");
    const tokens = events.filter((e) => e.event === "token").map((e) => (e.data as { text: string }).text);
    expect(tokens.length).toBeGreaterThan(3);
    const done = events.at(-1)!.data as ChatJson;
    expect(done.mode).toBe("llm");
    expect(tokens.join("")).toBe(done.answer);
    expect(done.answer).toMatch(/\[1\]/);
    expect(done.citations[0]?.n).toBe(1);
    expect(names.lastIndexOf("token")).toBeLessThan(names.indexOf("done"));
  });

  it("a follow-up is rewritten with the session's history", async () => {
    const first = (await (await postJson(`${t.url}/chat`, { message: "What is multi-head attention?" })).json()) as ChatJson;
    const before = llm.chatRequests.length;
    const followUp = (await (await postJson(`${t.url}/chat`, { message: "How many heads does it use?", sessionId: first.sessionId })).json()) as ChatJson;
    expect(followUp.sessionId).toBe(first.sessionId);
    const condense = llm.chatRequests.slice(before).find((r) => r.kind === "condense");
    expect(condense, "the follow-up was condensed with the history").toBeDefined();
    expect(condense!.text).toContain("What is multi-head attention?");
    expect(followUp.standaloneQuestion).toContain("How many heads does it use?");
    expect(followUp.standaloneQuestion).toContain("What is multi-head attention?");
  });

  it("a client that disconnects mid-stream aborts the LLM call", async () => {
    const controller = new AbortController();
    const started = performance.now();
    const res = await fetch(`${t.url}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: `Please ${SLOW_TRIGGER}: what is attention?` }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    let sessionId = "";
    while (!seen.includes("event: token")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      sessionId ||= /"sessionId":"([^"]+)"/.exec(seen)?.[1] ?? "";
    }
    expect(seen).toContain("event: token");
    controller.abort();
    await expect
      .poll(() => proxy.requests.filter((r) => r.startedAt >= started && r.path.includes("/chat/completions")).some((r) => r.aborted), { timeout: 3_000 })
      .toBe(true);
    const answerCall = proxy.requests.filter((r) => r.startedAt >= started).at(-1)!;
    // 300 words at 15 ms each would take 4.5 s: it was cut short.
    expect(answerCall.endedAt! - answerCall.startedAt).toBeLessThan(3_000);
    expect(sessionId).not.toBe("");
    // Nothing was answered, so no turn was recorded.
    expect(sessions().history(sessionId) ?? []).toEqual([]);
  });
});

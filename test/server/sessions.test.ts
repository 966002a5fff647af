/**
 * Sessions: the store's bounds (turns, TTL, count with LRU eviction), and over HTTP: a follow-up
 * carries the history, an expired session starts afresh, a client disconnect aborts the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionStore } from "../../src/server/sessions.js";
import { postJson, readSse, removeDir, startTestServer, tempHome, type TestServer } from "./helpers.js";

interface ChatJson {
  answer: string;
  sessionId: string;
  standaloneQuestion: string;
}

describe("SessionStore", () => {
  it("keeps the last maxTurns question/answer pairs", () => {
    const sessions = new SessionStore({ ttlMs: 60_000, maxTurns: 2, maxSessions: 10 });
    const id = sessions.create();
    for (let i = 1; i <= 3; i++) sessions.append(id, `q${i}`, `a${i}`);
    expect(sessions.history(id)).toEqual([
      { role: "user", content: "q2" },
      { role: "assistant", content: "a2" },
      { role: "user", content: "q3" },
      { role: "assistant", content: "a3" },
    ]);
  });

  it("expires sessions ttlMs after their last use", () => {
    let now = 1_000;
    const sessions = new SessionStore({ ttlMs: 100, maxTurns: 5, maxSessions: 10, now: () => now });
    const id = sessions.create();
    sessions.append(id, "q", "a");
    now += 90;
    expect(sessions.history(id)).toHaveLength(2); // use renews it
    now += 90;
    expect(sessions.history(id)).toHaveLength(2);
    now += 101;
    expect(sessions.history(id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it("evicts the least recently used session when full", () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 60_000, maxTurns: 5, maxSessions: 3, now: () => ++now });
    const a = sessions.create();
    const b = sessions.create();
    const c = sessions.create();
    sessions.history(a); // a is now the most recently used
    const d = sessions.create();
    expect(sessions.size).toBe(3);
    expect(sessions.history(b)).toBeUndefined();
    expect(sessions.history(a)).toEqual([]);
    expect(sessions.history(c)).toEqual([]);
    expect(sessions.history(d)).toEqual([]);
  });

  it("a session is stored with its first turn, and a new one evicts the least recently used", () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 60_000, maxTurns: 5, maxSessions: 2, now: () => ++now });
    const a = sessions.newId();
    expect(sessions.history(a)).toBeUndefined();
    sessions.append(a, "q", "a");
    const b = sessions.newId();
    sessions.append(b, "q", "a");
    sessions.history(a);
    const c = sessions.newId();
    sessions.append(c, "q", "a");
    expect(sessions.size).toBe(2);
    expect(sessions.history(b)).toBeUndefined();
    expect(sessions.history(a)).toHaveLength(2);
  });

  it("sweep drops expired sessions first", () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 10, maxTurns: 5, maxSessions: 100, now: () => now });
    sessions.create();
    sessions.create();
    now = 5;
    const live = sessions.create();
    now = 12;
    expect(sessions.sweep()).toBe(2);
    expect(sessions.history(live)).toEqual([]);
  });
});

describe("sessions over HTTP", () => {
  let home: string;
  let t: TestServer;
  let clock = 0;
  const TTL_MS = 400;
  beforeAll(async () => {
    home = await tempHome("sessions");
    t = await startTestServer({ home, server: { sessionTtlMs: TTL_MS, sessionMaxTurns: 3 }, now: () => clock });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  const sessions = () => (t.server.app.locals as { sessions: SessionStore }).sessions;

  it("a follow-up with the sessionId is answered with the history", async () => {
    const first = (await (await postJson(`${t.url}/chat`, { message: "What is multi-head attention?" })).json()) as ChatJson;
    const followUp = (await (await postJson(`${t.url}/chat`, { message: "How many heads does it use?", sessionId: first.sessionId })).json()) as ChatJson;
    expect(followUp.sessionId).toBe(first.sessionId);
    const history = sessions().history(first.sessionId)!;
    expect(history.map((turn) => turn.content)).toEqual(["What is multi-head attention?", first.answer, "How many heads does it use?", followUp.answer]);
  });

  it("an expired session starts a new conversation under a new id", async () => {
    const first = (await (await postJson(`${t.url}/chat`, { message: "What are residual connections?" })).json()) as ChatJson;
    clock += TTL_MS + 1; // the session's clock moves past the TTL: no waiting
    const later = (await (await postJson(`${t.url}/chat`, { message: "And how deep were they?", sessionId: first.sessionId })).json()) as ChatJson;
    expect(later.sessionId).not.toBe(first.sessionId);
    expect(later.standaloneQuestion).toBe("And how deep were they?");
    expect(sessions().history(first.sessionId)).toBeUndefined();
    expect(sessions().history(later.sessionId)).toHaveLength(2);
  });

  it("an unknown sessionId gets a fresh session", async () => {
    const res = (await (await postJson(`${t.url}/chat`, { message: "What is attention?", sessionId: "not-a-live-session" })).json()) as ChatJson;
    expect(res.sessionId).not.toBe("not-a-live-session");
  });

  it("the stream's done event carries the sessionId, and the turn is recorded", async () => {
    const events = await readSse(await postJson(`${t.url}/chat`, { message: "What is scaled dot-product attention?", stream: true }));
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    const { sessionId, answer } = done.data as ChatJson;
    expect(sessions().history(sessionId)).toEqual([
      { role: "user", content: "What is scaled dot-product attention?" },
      { role: "assistant", content: answer },
    ]);
  });
});

/** The OpenAI-compatible test server itself: wire format, validation, scripting, faults. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAITestServer, type OpenAITestServer } from "../servers/openai-server.js";

let server: OpenAITestServer;
beforeAll(async () => {
  server = await startOpenAITestServer({ apiKey: "sk-test", models: ["gpt-test"] });
});
afterAll(async () => {
  await server?.close();
});

const post = (body: unknown, key = "sk-test") =>
  fetch(`${server.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

const ANSWER_PROMPT = "Sources:\n\n[1] A Paper, p. 2 (text; a.pdf)\nAttention weighs every token. It is fast.\n\n[2] B Paper (text; b.pdf)\nOther text.\n\nQuestion: what is attention?";

describe("OpenAI test server", () => {
  it("answers a sources prompt as JSON by quoting source [1] with its marker", async () => {
    const res = await post({ model: "gpt-test", messages: [{ role: "system", content: "Be careful." }, { role: "user", content: ANSWER_PROMPT }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }> };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]!.message).toEqual({ role: "assistant", content: "Attention weighs every token [1]." });
    expect(body.choices[0]!.finish_reason).toBe("stop");
  });

  it("streams server-sent chunks ending with [DONE]", async () => {
    const res = await post({ model: "gpt-test", stream: true, messages: [{ role: "user", content: [{ type: "text", text: ANSWER_PROMPT }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }] });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const lines = (await res.text()).split("\n").filter((l) => l.startsWith("data: "));
    expect(lines.at(-1)).toBe("data: [DONE]");
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l.slice(6)) as { object: string; choices: Array<{ delta: { content?: string } }> });
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Attention weighs every token [1].");
    expect(server.requests.at(-1)!.images).toEqual(["data:image/png;base64,iVBORw0KGgo="]);
  });

  it("validates bodies, keys and models like the real API", async () => {
    expect((await post({ model: "gpt-test", messages: [] })).status).toBe(400);
    expect((await post({ model: "gpt-test", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "file:///etc/passwd" } }] }] })).status).toBe(400);
    expect((await post({ model: "gpt-test", messages: [{ role: "wizard", content: "hi" }] })).status).toBe(400);
    expect((await post({ model: "gpt-test", messages: [{ role: "user", content: "hi" }] }, "sk-wrong")).status).toBe(401);
    const missing = await post({ model: "gpt-5-imaginary", messages: [{ role: "user", content: "hi" }] });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
    const models = await fetch(`${server.url}/models`, { headers: { authorization: "Bearer sk-test" } });
    expect(((await models.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual(["gpt-test"]);
  });

  it("answers a condense prompt, can be scripted, and injects faults in order", async () => {
    const scripted = await startOpenAITestServer({ reply: (r) => (r.text.includes("magic") ? "scripted reply" : undefined), faults: ["ok", { status: 500 }, "ok"] });
    try {
      const ask = (content: string) =>
        fetch(`${scripted.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", messages: [{ role: "user", content }] }) });
      const condensed = (await (await ask("Rewrite as a standalone question.\nConversation:\nUser: How does BM25 work?\nAssistant: ...\n\nFollow-up question: and its b parameter?\n\nStandalone question:")).json()) as { choices: Array<{ message: { content: string } }> };
      expect(condensed.choices[0]!.message.content).toBe("and its b parameter? (following up on: How does BM25 work?)");
      expect((await ask("magic")).status).toBe(500);
      const magic = (await (await ask("magic")).json()) as { choices: Array<{ message: { content: string } }> };
      expect(magic.choices[0]!.message.content).toBe("scripted reply");
      expect(scripted.chatRequests.map((r) => [r.kind, r.status])).toEqual([["condense", 200], ["other", 500], ["other", 200]]);
    } finally {
      await scripted.close();
    }
  });
});

/**
 * Folio as an OpenAI-compatible model, through the official `openai` npm client against the real
 * app: list models, create (plain and streamed), a follow-up with the conversation, Folio's options
 * (model suffix and extra body fields), and OpenAI-shaped errors for bad requests and a missing key.
 */
import OpenAI, { APIError } from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, startTestServer, tempHome, type TestServer } from "./helpers.js";

interface FolioField {
  citations: Array<{ n: number; docId: string; title: string; page?: number; source: string }>;
  sources: Array<{ n: number; docId: string }>;
  unanswered: boolean;
  standaloneQuestion: string;
}
const folioOf = (completion: unknown) => (completion as { folio: FolioField }).folio;
const QUESTION = "How many attention heads does the Transformer use?";

/** The client's error for a failing call (the call must fail). */
async function failure(call: () => Promise<unknown>): Promise<APIError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("OpenAI-compatible API with the openai client", () => {
  let home: string;
  let t: TestServer;
  let client: OpenAI;

  beforeAll(async () => {
    home = await tempHome("openai-api");
    t = await startTestServer({ home });
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: "not-needed", maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("lists the model", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual(["folio"]);
    expect(models[0]).toMatchObject({ object: "model", owned_by: "folio" });
  });

  it("answers with [n] markers and a references section; the sources ride in an extra field", async () => {
    const completion = await client.chat.completions.create({ model: "folio", messages: [{ role: "user", content: QUESTION }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices).toHaveLength(1);
    const content = completion.choices[0]!.message.content ?? "";
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(content).toMatch(/\[1\]/);
    expect(content).toMatch(/\n\nReferences\n\[1\] Attention Is All You Need, p\. \d+/);
    const folio = folioOf(completion);
    expect(folio.citations.length).toBeGreaterThan(0);
    expect(folio.citations[0]).toMatchObject({ n: 1, docId: "attention-2017" });
    // Never a server path.
    expect(folio.citations[0]!.source).toBe("attention.pdf");
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(5);
  });

  it("streams the same answer in OpenAI's chunks, with usage when asked", async () => {
    const plain = await client.chat.completions.create({ model: "folio", messages: [{ role: "user", content: QUESTION }] });
    const stream = await client.chat.completions.create({ model: "folio", messages: [{ role: "user", content: QUESTION }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let finish: string | null = null;
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe("chat.completion.chunk");
      const choice = chunk.choices[0];
      if (choice?.delta.content) text += choice.delta.content;
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe("stop");
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(usage?.completion_tokens).toBe(plain.usage?.completion_tokens);
  });

  it("takes the earlier messages as the conversation", async () => {
    const first = await client.chat.completions.create({ model: "folio", messages: [{ role: "user", content: "What is multi-head attention?" }] });
    const followUp = await client.chat.completions.create({
      model: "folio",
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "What is multi-head attention?" },
        { role: "assistant", content: first.choices[0]!.message.content ?? "" },
        { role: "user", content: [{ type: "text", text: "How many of them are used?" }] },
      ],
    });
    const folio = folioOf(followUp);
    // The follow-up was read with the conversation: its standalone question names what "them" is.
    expect(folio.standaloneQuestion).not.toBe("How many of them are used?");
    expect(folio.standaloneQuestion.toLowerCase()).toMatch(/attention|head/);
  });

  it("takes Folio's options as a model suffix or as extra body fields", async () => {
    const one = await client.chat.completions.create({ model: "folio@k=1", messages: [{ role: "user", content: QUESTION }] });
    expect(folioOf(one).sources.length).toBe(1);
    const params = { model: "folio", messages: [{ role: "user", content: "What is the top-1 error of ResNet?" }], paper: "attention-2017" };
    const filtered = await client.chat.completions.create(params as unknown as ChatCompletionCreateParamsNonStreaming);
    expect(folioOf(filtered).sources.every((s) => s.docId === "attention-2017")).toBe(true);
  });

  it("bad requests get OpenAI's error shape and status", async () => {
    const unknownModel = await failure(() => client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: QUESTION }] }));
    expect(unknownModel.status).toBe(404);
    expect(unknownModel.error).toMatchObject({ type: "invalid_request_error", code: "model_not_found" });
    expect(unknownModel.message).toMatch(/"gpt-4o" does not exist/);

    const empty = await failure(() => client.chat.completions.create({ model: "folio", messages: [{ role: "user", content: "   " }] }));
    expect(empty.status).toBe(400);
    expect(empty.error).toMatchObject({ type: "invalid_request_error" });
    expect(empty.message).toMatch(/last user message is empty/);

    const noUser = await failure(() => client.chat.completions.create({ model: "folio", messages: [{ role: "system", content: "hello" }] }));
    expect(noUser.status).toBe(400);

    const bigK = await failure(() => client.chat.completions.create({ model: "folio@k=99", messages: [{ role: "user", content: QUESTION }] }));
    expect(bigK.status).toBe(400);
    expect(bigK.message).toMatch(/model\.k/);

    const malformed = await failure(() => client.chat.completions.create({ model: "folio" } as unknown as ChatCompletionCreateParamsNonStreaming));
    expect(malformed.status).toBe(400);
    expect(malformed.error).toMatchObject({ type: "invalid_request_error", param: "messages" });
  });
});

describe("OpenAI-compatible API on an empty library", () => {
  it("says what to do, in OpenAI's shape, with the store's status", async () => {
    const home = await tempHome("openai-api-empty");
    const t = await startTestServer({ home, fill: false });
    try {
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: "x", maxRetries: 0 });
      const empty = await failure(() => client.chat.completions.create({ model: "folio", messages: [{ role: "user", content: QUESTION }], stream: true }));
      expect(empty.status).toBe(409);
      expect(empty.error).toMatchObject({ type: "invalid_request_error", code: "empty_store" });
      expect(empty.message).toMatch(/folio ingest/);
    } finally {
      await t.close();
      await removeDir(home);
    }
  });
});

describe("OpenAI-compatible API with FOLIO_API_TOKEN", () => {
  let home: string;
  let t: TestServer;
  const token = "openai-api-token-0123456789";

  beforeAll(async () => {
    home = await tempHome("openai-api-token");
    t = await startTestServer({ home, env: { FOLIO_API_TOKEN: token } });
  });
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("the API key is the bearer token", async () => {
    const wrong = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: "wrong", maxRetries: 0 });
    const refused = await failure(() => wrong.models.list());
    expect(refused.status).toBe(401);
    expect(refused.error).toMatchObject({ type: "authentication_error" });
    expect(JSON.stringify(refused.error)).not.toContain(token);
    const right = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: token, maxRetries: 0 });
    const completion = await right.chat.completions.create({ model: "folio", messages: [{ role: "user", content: QUESTION }] });
    expect(completion.choices[0]!.message.content).toMatch(/\[1\]/);
  });
});

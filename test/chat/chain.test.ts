/**
 * The chain end to end over the real embedded store (BM25): with the extractive model, and with
 * ChatOpenAI against the local OpenAI-compatible test server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FolioRetriever, createAnswerer } from "../../src/chat/index.js";
import type { Answer, AnswerEvent, AnswerRequest, Answerer } from "../../src/chat/types.js";
import { FolioError } from "../../src/errors.js";
import { startOpenAITestServer, type OpenAITestServer } from "../servers/openai-server.js";
import { testConfig } from "../helpers/config.js";
import { openChatFixture, useChatFixture } from "../helpers/corpus.js";

async function collect(answerer: Answerer, request: AnswerRequest): Promise<AnswerEvent[]> {
  const events: AnswerEvent[] = [];
  for await (const event of answerer.stream(request)) events.push(event);
  return events;
}

function doneOf(events: AnswerEvent[]): Answer {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error("no done event last");
  return last.answer;
}

const fx = useChatFixture();

describe("the chain with the extractive model (no LLM)", () => {
  it("streams query, sources, tokens, citations, then done; the tokens add up to the answer", async () => {
    const answerer = createAnswerer(fx().config, fx().store);
    const events = await collect(answerer, { question: "What do residual connections learn?" });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("query");
    expect(types[1]).toBe("sources");
    expect(types.filter((t) => t === "done")).toHaveLength(1);
    const firstCitation = types.indexOf("citation");
    expect(firstCitation).toBeGreaterThan(types.lastIndexOf("token"));
    const tokens = events.flatMap((e) => (e.type === "token" ? [e.text] : []));
    expect(tokens.length).toBeGreaterThan(3);
    const answer = doneOf(events);
    expect(tokens.join("")).toBe(answer.answer);
    expect(answer.mode).toBe("extractive");
    expect(answer.answer.startsWith("Extractive answer (no LLM configured)")).toBe(true);
    expect(answer.unanswered).toBe(false);
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(answer.citations[0]).toMatchObject({ docId: "resnet-2015", title: "Deep Residual Learning for Image Recognition", source: "papers/resnet.pdf", kind: "text" });
    expect(answer.citations[0]!.page).toBeGreaterThan(0);
    for (const c of answer.citations) {
      expect(answer.answer).toContain(`[${c.n}]`);
      expect(answer.answer).toContain(c.snippet); // extractive: the snippet is the quote
    }
    const cited = events.flatMap((e) => (e.type === "citation" ? [e.citation.n] : []));
    expect(cited).toEqual(answer.citations.map((c) => c.n));
  });

  it("excludes the references section unless asked", async () => {
    const answerer = createAnswerer(fx().config, fx().store);
    const answer = await answerer.answer({ question: "Long short-term memory Hochreiter Schmidhuber" });
    expect(answer.sources.every((s) => s.page !== 11)).toBe(true);
    const withRefs = await answerer.answer({ question: "Long short-term memory Hochreiter Schmidhuber", filters: { includeReferences: true } });
    expect(withRefs.sources.some((s) => s.page === 11)).toBe(true);
  });

  it("cites the figure, with its page, label and image id, when a figure is the answer", async () => {
    const answerer = createAnswerer(fx().config, fx().store);
    const answer = await answerer.answer({ question: "Show the Transformer model architecture figure", filters: { kinds: ["figure", "page"] } });
    const figure = answer.citations.find((c) => c.kind === "figure");
    expect(figure).toMatchObject({ figureLabel: "Figure 1", page: 3, imageId: fx().figureImageId, docId: "attention-2017" });
    expect(answer.answer).toMatch(/\(Figure 1, p\. 3\)/);
  });

  it("says the corpus does not answer when nothing relevant is retrieved", async () => {
    const answerer = createAnswerer(fx().config, fx().store);
    const answer = await answerer.answer({ question: "What is the capital of France?" });
    expect(answer.unanswered).toBe(true);
    expect(answer.citations).toEqual([]);
    expect(answer.sources).toEqual([]);
    expect(answer.answer).toMatch(/corpus does not answer/i);
  });

  it("honours k and paper filters", async () => {
    const answerer = createAnswerer(fx().config, fx().store);
    const answer = await answerer.answer({ question: "deeper networks training attention", k: 2, filters: { docIds: ["resnet-2015"] } });
    expect(answer.sources.length).toBeLessThanOrEqual(2);
    expect(answer.sources.every((s) => s.docId === "resnet-2015")).toBe(true);
  });

  it("rewrites a follow-up offline and retrieves for the rewritten question", async () => {
    const answerer = createAnswerer(fx().config, fx().store);
    const answer = await answerer.answer({
      question: "what about its encoder?",
      history: [
        { role: "user", content: "How does the Transformer work?" },
        { role: "assistant", content: "It relies on attention [1]." },
      ],
    });
    expect(answer.standaloneQuestion).toBe("what about the Transformer encoder?");
    expect(answer.citations.some((c) => c.docId === "attention-2017")).toBe(true);
    expect(answer.answer).toMatch(/encoder/i);
  });

  it("cancels mid-stream when the signal aborts", async () => {
    const answerer = createAnswerer(fx().config, fx().store);
    const controller = new AbortController();
    const seen: AnswerEvent[] = [];
    await expect(
      (async () => {
        for await (const event of answerer.stream({ question: "How does multi-head attention work?", signal: controller.signal })) {
          seen.push(event);
          if (event.type === "token") controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen.filter((e) => e.type === "token")).toHaveLength(1);
    expect(seen.some((e) => e.type === "done")).toBe(false);
  });

  it("FolioRetriever is a LangChain retriever over the same retrieval step", async () => {
    const retriever = new FolioRetriever({ store: fx().store, config: fx().config, k: 2, filters: { docIds: ["attention-2017"] } });
    const docs = await retriever.invoke("multi-head attention heads");
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.length).toBeLessThanOrEqual(2);
    expect(docs[0]!.pageContent).toContain("Multi-head attention");
    expect(docs[0]!.metadata).toMatchObject({ docId: "attention-2017", kind: "text", page: 4 });
    expect(typeof docs[0]!.metadata.score).toBe("number");
  });

  it("an empty question is an input error", async () => {
    await expect(createAnswerer(fx().config, fx().store).answer({ question: "   " })).rejects.toMatchObject({ code: "INPUT" });
  });

  it("propagates the empty-store error before any event", async () => {
    const empty = await openChatFixture({}, { fill: false });
    try {
      const answerer = createAnswerer(empty.config, empty.store);
      const iterator = answerer.stream({ question: "What is attention?" })[Symbol.asyncIterator]();
      await expect(iterator.next()).rejects.toMatchObject({ code: "EMPTY_STORE" });
    } finally {
      await empty.close();
    }
  });
});

describe("the chain with ChatOpenAI against the OpenAI-compatible test server", () => {
  let server: OpenAITestServer;
  beforeAll(async () => {
    server = await startOpenAITestServer({ apiKey: "sk-test-key-123456789" });
  });
  afterAll(async () => {
    await server?.close();
  });
  const llmConfig = (extra: Record<string, string | boolean> = {}) => testConfig(fx().home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-test-key-123456789", OPENAI_MODEL: "gpt-test", ...extra });

  it("streams the model's answer with citations; the prompt holds the numbered sources and the figure images", async () => {
    const answerer = createAnswerer(llmConfig(), fx().store);
    const before = server.chatRequests.length;
    const events = await collect(answerer, { question: "Show the Transformer model architecture figure", filters: { kinds: ["figure", "page"] } });
    const answer = doneOf(events);
    const requests = server.chatRequests.slice(before);
    expect(requests).toHaveLength(1); // first turn: no condense call
    const request = requests[0]!;
    expect(request.stream).toBe(true);
    expect(request.body?.model).toBe("gpt-test");
    expect(request.body?.messages[0]?.role).toBe("system");
    expect(request.text).toMatch(/^\[1\] Attention Is All You Need, p\. 3, Figure 1 \(figure; papers\/attention\.pdf\)$/m);
    expect(request.text).toMatch(/^\[2\] Attention Is All You Need, p\. 3 \(page; papers\/attention\.pdf\)$/m);
    expect(request.text).toContain("Question: Show the Transformer model architecture figure");
    expect(request.text).toMatch(/cite/i);
    expect(request.images).toHaveLength(2);
    expect(request.images[0]).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(request.text).toContain("Image of source [1] (Figure 1, p. 3):");

    expect(answer.mode).toBe("llm");
    expect(answer.model).toBe("gpt-test");
    expect(answer.answer).toBe("Figure 1: The Transformer - model architecture [1].");
    expect(events.filter((e) => e.type === "token").length).toBeGreaterThan(3);
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]).toMatchObject({ n: 1, kind: "figure", figureLabel: "Figure 1", imageId: fx().figureImageId });
    expect(answer.unanswered).toBe(false);
  });

  it("answer() asks for a JSON completion; no image parts when vision is off", async () => {
    const answerer = createAnswerer(llmConfig({ OPENAI_VISION: false }), fx().store);
    const before = server.chatRequests.length;
    const answer = await answerer.answer({ question: "What BLEU score does the big Transformer achieve?" });
    const request = server.chatRequests[before]!;
    expect(request.stream).toBe(false);
    expect(request.images).toEqual([]);
    expect(typeof request.body?.messages.at(-1)?.content).toBe("string");
    expect(answer.answer).toMatch(/BLEU score of 28\.4.*\[1\]\.$/);
    expect(answer.citations.map((c) => c.n)).toEqual([1]);
  });

  it("drops markers the model invents for sources that do not exist, and detects 'not answered'", async () => {
    const scripted = await startOpenAITestServer({ reply: (r) => (r.kind === "answer" ? (/capital/i.test(r.text) ? "The corpus does not answer this." : "Attention heads [2] run in parallel [1][17].") : undefined) });
    try {
      const config = testConfig(fx().home, { OPENAI_BASE_URL: scripted.url });
      const answerer = createAnswerer(config, fx().store);
      const events = await collect(answerer, { question: "How many parallel attention heads are used?" });
      const answer = doneOf(events);
      // [17] names no source and goes; the others are renumbered in the order the answer cites them.
      expect(answer.answer).toBe("Attention heads [1] run in parallel [2].");
      expect(events.flatMap((e) => (e.type === "token" ? [e.text] : [])).join("")).toBe(answer.answer);
      expect(answer.citations.map((c) => c.n)).toEqual([1, 2]);
      const retrieved = events.find((e) => e.type === "sources");
      const asRetrieved = retrieved?.type === "sources" ? retrieved.sources : [];
      expect(answer.citations.map((c) => c.id)).toEqual([asRetrieved[1]?.id, asRetrieved[0]?.id]);
      expect(answer.sources.map((c) => c.n)).toEqual(asRetrieved.map((_, i) => i + 1));
      const unanswered = await answerer.answer({ question: "Transformer capital" });
      expect(unanswered.unanswered).toBe(true);
      expect(unanswered.citations).toEqual([]);
    } finally {
      await scripted.close();
    }
  });

  it("condenses a follow-up with the LLM before retrieval", async () => {
    const answerer = createAnswerer(llmConfig(), fx().store);
    const before = server.chatRequests.length;
    const answer = await answerer.answer({
      question: "what about its encoder?",
      history: [
        { role: "user", content: "How does the Transformer work?" },
        { role: "assistant", content: "It relies entirely on attention [1]." },
      ],
    });
    const requests = server.chatRequests.slice(before);
    expect(requests.map((r) => r.kind)).toEqual(["condense", "answer"]);
    expect(requests[0]!.text).toContain("User: How does the Transformer work?");
    expect(requests[0]!.text).toContain("Follow-up question: what about its encoder?");
    expect(answer.standaloneQuestion).toBe("what about its encoder? (following up on: How does the Transformer work?)");
    expect(requests[1]!.text).toContain(`Question: ${answer.standaloneQuestion}`);
  });

  it("retries a 429 with retry-after and succeeds; a 500 without retries is a typed LLM error", async () => {
    const flaky = await startOpenAITestServer({ faults: [{ status: 429, retryAfter: "0" }, "ok", { status: 500 }] });
    try {
      const config = testConfig(fx().home, { OPENAI_BASE_URL: flaky.url });
      const answer = await createAnswerer(config, fx().store, { llm: { maxRetries: 1 } }).answer({ question: "What do residual connections learn?" });
      expect(answer.citations.length).toBe(1);
      expect(flaky.chatRequests.map((r) => r.status)).toEqual([429, 200]);
      const failing = createAnswerer(config, fx().store, { llm: { maxRetries: 0 } });
      const error = await failing.answer({ question: "What do residual connections learn?" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FolioError);
      expect(error).toMatchObject({ code: "LLM" });
    } finally {
      await flaky.close();
    }
  });

  it("a wrong key is an LLM error whose hint names OPENAI_API_KEY, without the key", async () => {
    const config = testConfig(fx().home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-wrong-key-abcdefghijkl" });
    const error = (await createAnswerer(config, fx().store, { llm: { maxRetries: 0 } })
      .answer({ question: "What do residual connections learn?" })
      .catch((e: unknown) => e)) as FolioError;
    expect(error.code).toBe("LLM");
    expect(error.hint).toContain("OPENAI_API_KEY");
    expect(error.message).not.toContain("sk-wrong-key-abcdefghijkl");
  });

  it("an unreachable server is an LLM error that says which URL and what to do", async () => {
    const gone = await startOpenAITestServer();
    const url = gone.url;
    await gone.close();
    const config = testConfig(fx().home, { OPENAI_BASE_URL: url });
    const error = (await createAnswerer(config, fx().store, { llm: { maxRetries: 0 } })
      .answer({ question: "What do residual connections learn?" })
      .catch((e: unknown) => e)) as FolioError;
    expect(error).toBeInstanceOf(FolioError);
    expect(error.code).toBe("LLM");
    expect(error.message).toContain(url);
    expect(error.hint).toMatch(/OPENAI_BASE_URL/);
  });

  it("cancels a slow stream mid-way and closes the connection", async () => {
    const slow = await startOpenAITestServer({ chunkDelayMs: 50, reply: () => "one two three four five six seven eight nine ten eleven twelve [1]." });
    try {
      const answerer = createAnswerer(testConfig(fx().home, { OPENAI_BASE_URL: slow.url }), fx().store, { llm: { maxRetries: 0 } });
      const controller = new AbortController();
      const tokens: string[] = [];
      const error = await (async () => {
        for await (const event of answerer.stream({ question: "What do residual connections learn?", signal: controller.signal })) {
          if (event.type === "token") {
            tokens.push(event.text);
            if (tokens.length === 2) controller.abort();
          }
        }
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(tokens).toHaveLength(2);
      // the server sees the connection go before it has sent the twelve words
      const answer = slow.chatRequests.find((r) => r.stream && r.kind === "answer")!;
      await vi.waitFor(() => expect(answer.clientClosed).toBe(true));
      expect(answer.chunksSent).toBeLessThan(12);
    } finally {
      await slow.close();
    }
  });
});

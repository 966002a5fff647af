/**
 * The chain over a store with Jina embeddings (the local Jina-wire test server): hybrid retrieval,
 * jina-reranker-m0 as a second stage, and questions asked with an image.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnswerer } from "../../src/chat/index.js";
import { JinaReranker } from "../../src/embeddings/index.js";
import { startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { startOpenAITestServer, type OpenAITestServer } from "../servers/openai-server.js";
import { testConfig } from "../helpers/config.js";
import { openChatFixture, type ChatFixture } from "../helpers/corpus.js";

let jina: JinaTestServer;
let openai: OpenAITestServer;
let fx: ChatFixture;
beforeAll(async () => {
  jina = await startJinaTestServer();
  openai = await startOpenAITestServer();
  fx = await openChatFixture({ JINA_BASE_URL: jina.url, JINA_DIMENSIONS: 256 }, { embeddings: { cacheDir: undefined, backoffBaseMs: 1 } });
});
afterAll(async () => {
  await fx?.close();
  await jina?.close();
  await openai?.close();
});

describe("the chain over Jina embeddings", () => {
  it("retrieves hybrid and answers with citations", async () => {
    expect(fx.store.capabilities.dense).toBe(true);
    const answer = await createAnswerer(fx.config, fx.store).answer({ question: "What do residual connections learn?" });
    expect(answer.citations[0]?.docId).toBe("resnet-2015");
    expect(answer.unanswered).toBe(false);
  });

  it("re-ranks the candidates with jina-reranker-m0 and keeps the top k", async () => {
    const reranker = new JinaReranker({ baseUrl: jina.url, backoffBaseMs: 1 });
    const before = jina.requests.length;
    const answer = await createAnswerer(fx.config, fx.store, { reranker }).answer({ question: "How many layers does the encoder stack have?", k: 3 });
    const rerank = jina.requests.slice(before).filter((r) => r.path === "/v1/rerank");
    expect(rerank).toHaveLength(1);
    const body = rerank[0]!.body as { model: string; query: string; documents: unknown[]; top_n: number };
    expect(body.model).toBe("jina-reranker-m0");
    expect(body.query).toBe("How many layers does the encoder stack have?");
    expect(body.documents.length).toBeGreaterThan(3);
    expect(body.top_n).toBe(3);
    expect(answer.sources).toHaveLength(3);
    const scores = answer.sources.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    expect(answer.citations.some((c) => c.docId === "attention-2017")).toBe(true);
  });

  it("asks with an image: the figure is found by its image and shown to a vision model along with the question's image", async () => {
    const figureFile = path.join(fx.config.ingest.imagesDir, `${fx.figureImageId}.png`);
    const extractive = await createAnswerer(fx.config, fx.store).answer({ question: "What does this figure show?", image: figureFile, filters: { kinds: ["figure", "page"] } });
    expect(extractive.sources[0]).toMatchObject({ kind: "figure", imageId: fx.figureImageId, figureLabel: "Figure 1" });
    const imageOnly = await createAnswerer(fx.config, fx.store).answer({ question: "", image: figureFile });
    expect(imageOnly.standaloneQuestion).toBe("What does this image show?");
    expect(imageOnly.sources[0]).toMatchObject({ kind: "figure", imageId: fx.figureImageId });
    expect(imageOnly.answer).toContain('"Figure 1: The Transformer - model architecture." [1] (Figure 1, p. 3)');
    expect(imageOnly.unanswered).toBe(false);

    const config = testConfig(fx.home, { JINA_BASE_URL: jina.url, JINA_DIMENSIONS: 256, OPENAI_BASE_URL: openai.url });
    const before = openai.chatRequests.length;
    const answer = await createAnswerer(config, fx.store).answer({ question: "What does this figure show?", image: figureFile, filters: { kinds: ["figure"] } });
    const request = openai.chatRequests[before]!;
    expect(request.text).toContain("The image the question is about:");
    expect(request.images.length).toBe(2);
    expect(answer.citations[0]).toMatchObject({ n: 1, kind: "figure", imageId: fx.figureImageId });
  });

  it("FOLIO_RERANK=true turns the reranker on from the configuration", async () => {
    const config = testConfig(fx.home, { JINA_BASE_URL: jina.url, JINA_DIMENSIONS: 256, FOLIO_RERANK: true });
    const before = jina.requests.length;
    await createAnswerer(config, fx.store).answer({ question: "What BLEU score does the Transformer reach?" });
    expect(jina.requests.slice(before).some((r) => r.path === "/v1/rerank")).toBe(true);
  });

  it("re-scores figure and page candidates with multi-vectors when they are stored", async () => {
    const mv = await openChatFixture({ JINA_BASE_URL: jina.url, JINA_DIMENSIONS: 256, FOLIO_MULTIVECTOR: true }, { embeddings: { cacheDir: undefined, backoffBaseMs: 1 } });
    try {
      expect(mv.store.capabilities.multivector).toBe(true);
      const before = jina.requests.length;
      const answer = await createAnswerer(mv.config, mv.store).answer({ question: "Show the Transformer model architecture figure", filters: { kinds: ["figure", "page"] } });
      const queries = jina.requests.slice(before).map((r) => r.body as { return_multivector?: boolean; task?: string });
      expect(queries.some((b) => b.return_multivector === true && b.task === "retrieval.query")).toBe(true);
      expect(answer.sources.every((s) => s.kind === "figure" || s.kind === "page")).toBe(true);
      expect(answer.citations.some((c) => c.kind === "figure" && c.imageId === mv.figureImageId)).toBe(true);
    } finally {
      await mv.close();
    }
  });
});

/** Through LangChain's own interfaces: the unmodified QdrantVectorStore on our client, and FolioVectorStore as a retriever. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QdrantVectorStore } from "@langchain/qdrant";
import { Document } from "@langchain/core/documents";
import { BaseRetriever } from "@langchain/core/retrievers";
import { RunnableLambda } from "@langchain/core/runnables";
import { JinaEmbeddings } from "../../../src/embeddings/index.js";
import { FolioVectorStore } from "../../../src/store/index.js";
import { startJinaTestServer, type JinaTestServer } from "../../servers/jina-server.js";
import { cleanup, testClient, testConfig } from "./helpers.js";

let server: JinaTestServer;
let embeddings: JinaEmbeddings;
beforeAll(async () => {
  server = await startJinaTestServer();
  embeddings = new JinaEmbeddings({ baseUrl: server.url, dimensions: 128, backoffBaseMs: 1 });
});
afterAll(async () => {
  await cleanup();
  await server?.close();
});

const TEXTS = [
  "Residual networks add shortcut connections around stacked layers.",
  "Self-attention relates all positions of a sequence to compute a representation.",
  "Masked language modelling predicts hidden tokens from both directions.",
  "Self-attention heads attend to different positions of the sequence in parallel.",
];
const METADATAS = TEXTS.map((_, i) => ({ docId: `d${i}`, kind: "text", chunkIndex: i }));

describe("unmodified @langchain/qdrant QdrantVectorStore", () => {
  it("stores, searches, filters and deletes through the client", async () => {
    const config = testConfig();
    const client = testClient(config);
    const store = await QdrantVectorStore.fromTexts(TEXTS, METADATAS, embeddings, { client, collectionName: config.collection });
    const [best] = await store.similaritySearchWithScore("shortcut connections residual", 1);
    expect(best?.[0].pageContent).toBe(TEXTS[0]);
    expect(best?.[1]).toBeGreaterThan(0);
    const filtered = await store.similaritySearch("self-attention", 4, { must: [{ key: "metadata.docId", match: { value: "d3" } }] });
    expect(filtered.map((d) => d.metadata.docId)).toEqual(["d3"]);
    const retriever = store.asRetriever(2);
    expect(retriever).toBeInstanceOf(BaseRetriever);
    const docs = await retriever.invoke("masked language modelling");
    expect(docs[0]?.pageContent).toBe(TEXTS[2]);
    await store.delete({ filter: { must: [{ key: "metadata.docId", match: { value: "d2" } }] } });
    const after = await store.similaritySearch("masked language modelling", 4);
    expect(after.map((d) => d.metadata.docId)).not.toContain("d2");
  });
});

describe("FolioVectorStore through LangChain", () => {
  it("fromTexts + asRetriever: hybrid retrieval with score and point id in metadata", async () => {
    const config = testConfig();
    const client = testClient(config);
    const store = await FolioVectorStore.fromTexts(TEXTS, METADATAS, embeddings, { client, collectionName: config.collection });
    expect(store.defaultMode()).toBe("hybrid");
    const retriever = store.asRetriever({ k: 2 });
    expect(retriever).toBeInstanceOf(BaseRetriever);
    const docs = await retriever.invoke("shortcut connections residual");
    expect(docs[0]).toBeInstanceOf(Document);
    expect(docs[0]?.pageContent).toBe(TEXTS[0]);
    expect(typeof docs[0]?.metadata.score).toBe("number");
    expect(docs[0]?.metadata.pointId).toBe(docs[0]?.id);
    // A retriever is a Runnable: it composes.
    const chain = retriever.pipe(RunnableLambda.from((found: Document[]) => found.map((d) => d.metadata.docId)));
    expect((await chain.invoke("masked language modelling"))[0]).toBe("d2");
    // Dense by vector, LangChain's primitive, on the named dense vector.
    const [byVector] = await store.similaritySearchVectorWithScore(await embeddings.embedQuery("masked language modelling"), 1);
    expect(byVector?.[0].metadata.docId).toBe("d2");
  });

  it("MMR retriever uses LangChain's lambda: 1 keeps the ranking, 0 diversifies", async () => {
    const config = testConfig();
    const client = testClient(config);
    const store = await FolioVectorStore.fromTexts(TEXTS, METADATAS, embeddings, { client, collectionName: config.collection });
    const query = "self-attention positions sequence";
    const plain = (await store.similaritySearchVectorWithScore(await embeddings.embedQuery(query), 2)).map(([d]) => d.metadata.docId);
    const relevance = await store.asRetriever({ k: 2, searchType: "mmr", searchKwargs: { fetchK: 4, lambda: 1 } }).invoke(query);
    expect(relevance.map((d) => d.metadata.docId)).toEqual(plain);
    expect(plain.sort()).toEqual(["d1", "d3"]);
    const diverse = await store.asRetriever({ k: 2, searchType: "mmr", searchKwargs: { fetchK: 4, lambda: 0 } }).invoke(query);
    expect(diverse.map((d) => d.metadata.docId)).not.toEqual(expect.arrayContaining(["d1", "d3"]));
  });

  it("runs on BM25 alone with no embeddings", async () => {
    const config = testConfig();
    const client = testClient(config);
    const store = new FolioVectorStore(null, { client, collectionName: config.collection });
    await store.addDocuments(TEXTS.map((text, i) => new Document({ pageContent: text, metadata: METADATAS[i] as Record<string, unknown> })));
    expect(store.defaultMode()).toBe("sparse");
    const docs = await store.asRetriever(1).invoke("masked language modelling");
    expect(docs[0]?.pageContent).toBe(TEXTS[2]);
    expect(docs[0]?.metadata.score).toBeGreaterThan(0);
    await expect(store.similaritySearchVectorWithScore([0.1, 0.2], 1)).rejects.toThrow(/BM25/);
    // Ids that are not UUIDs are mapped to stable UUIDs: adding the same id again overwrites.
    await store.addDocuments([new Document({ id: "note-1", pageContent: "Dropout regularises networks." })]);
    await store.addDocuments([new Document({ id: "note-1", pageContent: "Dropout regularises deep networks." })]);
    const dropout = await store.similaritySearch("dropout", 5);
    expect(dropout.map((d) => d.pageContent)).toEqual(["Dropout regularises deep networks."]);
  });
});

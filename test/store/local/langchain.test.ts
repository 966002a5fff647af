/** @langchain/qdrant's QdrantVectorStore, unmodified, on the embedded client. */
import { describe, expect, it } from "vitest";
import { QdrantVectorStore } from "@langchain/qdrant";
import { SyntheticEmbeddings } from "@langchain/core/utils/testing";
import { Document } from "@langchain/core/documents";
import { LocalQdrantClient } from "../../../src/store/local/index.js";

const texts = [
  "Attention is all you need: the transformer architecture",
  "BERT pre-training of deep bidirectional transformers",
  "Dense passage retrieval for open-domain question answering",
  "ColBERT efficient passage search via late interaction",
  "Reciprocal rank fusion outperforms condorcet",
  "Deep residual learning for image recognition",
];

describe("QdrantVectorStore (@langchain/qdrant) on LocalQdrantClient", () => {
  it("fromTexts, similaritySearch with scores and filters, addDocuments, delete, MMR", async () => {
    const client = new LocalQdrantClient({ path: ":memory:" });
    const embeddings = new SyntheticEmbeddings({ vectorSize: 12 });
    const store = await QdrantVectorStore.fromTexts(
      texts,
      texts.map((_, i) => ({ index: i, year: 2015 + i })),
      embeddings,
      { client, collectionName: "papers" },
    );
    expect((await client.getCollection("papers")).points_count).toBe(texts.length);

    const hits = await store.similaritySearchWithScore(texts[3]!, 3);
    expect(hits[0]![0].pageContent).toBe(texts[3]);
    expect(hits[0]![1]).toBeCloseTo(1, 5);
    expect(hits[0]![0].metadata).toEqual({ index: 3, year: 2018 });
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]![1]).toBeGreaterThanOrEqual(hits[i]![1]);

    const filtered = await store.similaritySearch(texts[3]!, 10, { must: [{ key: "metadata.year", range: { gte: 2019 } }] });
    expect(filtered.map((d) => d.metadata.year as number).every((y) => y >= 2019)).toBe(true);
    expect(filtered).toHaveLength(2);

    const id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    await store.addDocuments([new Document({ pageContent: "Sparse lexical and expansion model", metadata: { index: 99 }, id })]);
    expect((await client.count("papers")).count).toBe(texts.length + 1);
    const found = await store.similaritySearch("Sparse lexical and expansion model", 1);
    expect(found[0]!.id).toBe(id);

    await store.delete({ ids: [id] });
    expect((await client.count("papers")).count).toBe(texts.length);
    await store.delete({ filter: { must: [{ key: "metadata.index", match: { value: 0 } }] } });
    expect((await client.count("papers")).count).toBe(texts.length - 1);

    const mmr = await store.maxMarginalRelevanceSearch(texts[1]!, { k: 3, fetchK: 5, lambda: 0.5 });
    expect(mmr).toHaveLength(3);
    expect(mmr[0]!.pageContent).toBe(texts[1]);
    expect(new Set(mmr.map((d) => d.pageContent)).size).toBe(3);
    await client.close();
  });

  it("reports bad input through LangChain's own error path", async () => {
    const client = new LocalQdrantClient({ path: ":memory:" });
    const store = new QdrantVectorStore(new SyntheticEmbeddings({ vectorSize: 4 }), { client, collectionName: "bad" });
    await store.addDocuments([new Document({ pageContent: "a b c d" })]);
    await expect(store.addVectors([[1, 2, 3]], [new Document({ pageContent: "x" })])).rejects.toThrow(/400.*dimension/);
    await client.close();
  });
});

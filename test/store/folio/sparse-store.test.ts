/** FolioStore on BM25 alone (no Jina): the embedded store in memory, or QDRANT_URL's server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmptyStoreError, InputError, UnsupportedFeatureError } from "../../../src/errors.js";
import { openFolioStore, type FolioStore } from "../../../src/store/index.js";
import type { ChunkInput } from "../../../src/store/types.js";
import { cleanup, corpus, docInput, meta, testClient, testConfig } from "./helpers.js";

afterAll(cleanup);

async function openSparse() {
  const config = testConfig();
  const store = await openFolioStore(config, null, { client: testClient(config) });
  return { config, store };
}

async function ingestAll(store: FolioStore): Promise<void> {
  for (const [docId, chunks] of Object.entries(corpus())) await store.putDocument(docInput(docId, chunks), chunks);
}

describe("FolioStore without embeddings (BM25 only)", () => {
  let store: FolioStore;
  beforeAll(async () => {
    store = (await openSparse()).store;
    await ingestAll(store);
  });

  it("describes itself", () => {
    expect(store.capabilities).toEqual({ dense: false, images: false, multivector: false });
    expect(store.embeddingSignature).toBe("bm25/a2");
  });

  it("ranks the right chunk first", async () => {
    const hits = await store.search({ text: "How do shortcut connections and identity mapping work?", k: 3 });
    expect(hits[0]?.metadata.docId).toBe("resnet");
    expect(hits[0]?.metadata.chunkIndex).toBe(1);
    expect(hits[0]?.score).toBeGreaterThan(0);
    const masked = await store.search({ text: "masked language model objective" });
    expect(masked[0]?.metadata).toMatchObject({ docId: "bert", chunkIndex: 1 });
    // Stemming: "encoding" in the query matches "encodings" in the text.
    const positional = await store.search({ text: "positional encoding", k: 1 });
    expect(positional[0]?.metadata).toMatchObject({ docId: "transformer", chunkIndex: 2 });
  });

  it("matches compounds like BERT-base", async () => {
    const hits = await store.search({ text: "BERT-base parameters", k: 1 });
    expect(hits[0]?.metadata).toMatchObject({ docId: "bert", chunkIndex: 2 });
  });

  it("leaves references out by default, in on request", async () => {
    const query = { text: "Bahdanau neural machine translation align", k: 10 };
    const hits = await store.search(query);
    expect(hits.some((h) => h.metadata.references)).toBe(false);
    const withRefs = await store.search({ ...query, filters: { includeReferences: true } });
    expect(withRefs[0]?.metadata.references).toBe(true);
  });

  it("filters by kind, document, year and page", async () => {
    const figures = await store.search({ text: "figure architecture residual pre-training", k: 10, filters: { kinds: ["figure"] } });
    expect(figures.length).toBe(3);
    expect(figures.every((h) => h.metadata.kind === "figure")).toBe(true);
    const onlyBert = await store.search({ text: "layers", k: 10, filters: { docIds: ["bert"] } });
    expect(onlyBert.length).toBeGreaterThan(0);
    expect(onlyBert.every((h) => h.metadata.docId === "bert")).toBe(true);
    const before2016 = await store.search({ text: "layers", k: 10, filters: { year: { lte: 2016 } } });
    expect(before2016.length).toBeGreaterThan(0);
    expect(before2016.every((h) => h.metadata.docId === "resnet")).toBe(true);
    const page1 = await store.search({ text: "representations residual", k: 10, filters: { pages: { gte: 1, lte: 1 } } });
    expect(page1.every((h) => h.metadata.page === 1)).toBe(true);
    expect(page1.length).toBeGreaterThan(0);
  });

  it("combines a raw Qdrant filter with must, and rejects a malformed one", async () => {
    const hits = await store.search({ text: "layers", k: 10, filters: { qdrantFilter: { must: [{ key: "metadata.page", match: { value: 3 } }] } } });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.metadata.page === 3)).toBe(true);
    await expect(store.search({ text: "layers", filters: { qdrantFilter: { must: [{ key: "metadata.page", match: { nope: 3 } }] } } })).rejects.toBeInstanceOf(InputError);
  });

  it("counts, lists, gets and returns chunks", async () => {
    expect(await store.count()).toBe(13);
    expect(await store.count({ kinds: ["figure"] })).toBe(3);
    // References are excluded once filters are given.
    expect(await store.count({ docIds: ["transformer"] })).toBe(4);
    const docs = await store.listDocuments();
    expect(docs.map((d) => d.docId)).toEqual(["bert", "resnet", "transformer"]);
    expect(docs[0]?.embeddingSignature).toBe("bm25/a2");
    expect((await store.getDocument("resnet"))?.title).toContain("Residual");
    expect(await store.getDocument("nope")).toBeNull();
    const [hit] = await store.search({ text: "ImageNet ILSVRC", k: 1 });
    const chunk = await store.getChunk(hit?.id as string);
    expect(chunk?.text).toContain("ImageNet");
    expect(await store.getChunk("not-a-uuid")).toBeNull();
  });

  it("MMR: lambda 1 is the plain ranking, a low lambda diversifies", async () => {
    const text = "residual layers attention";
    const plain = await store.search({ text, k: 3, filters: { includeReferences: true } });
    const relevance = await store.search({ text, k: 3, filters: { includeReferences: true }, mmr: { lambda: 1, fetchK: 20 } });
    expect(relevance.map((h) => h.id)).toEqual(plain.map((h) => h.id));
    const diverse = await store.search({ text, k: 3, filters: { includeReferences: true }, mmr: { lambda: 0.05, fetchK: 20 } });
    expect(diverse[0]?.id).toBe(plain[0]?.id);
    expect(diverse.map((h) => h.id)).not.toEqual(plain.map((h) => h.id));
  });

  it("refuses dense and hybrid modes and image queries with a hint", async () => {
    for (const mode of ["dense", "hybrid"] as const) {
      const error = await store.search({ text: "attention", mode }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
      expect((error as UnsupportedFeatureError).hint).toMatch(/JINA_API_KEY|JINA_BASE_URL/);
    }
    const error = await store.search({ image: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect((error as Error).message).toContain("image search needs Jina (set JINA_API_KEY or a self-hosted JINA_BASE_URL)");
  });
});

describe("FolioStore writes", () => {
  it("putDocument twice gives the same points; a changed document replaces its old chunks", async () => {
    const { store } = await openSparse();
    const chunks = corpus().resnet;
    await store.putDocument(docInput("resnet", chunks), chunks);
    await store.putDocument(docInput("resnet", chunks), chunks);
    expect(await store.count()).toBe(chunks.length);

    const changed: ChunkInput[] = [
      { text: "Deeper networks are easier to optimise with residual connections and batch normalization.", metadata: meta("resnet", "text", 0) },
      chunks[1] as ChunkInput,
    ];
    const progress: Array<[number, number]> = [];
    const record = await store.putDocument(docInput("resnet", changed), changed, (done, total) => progress.push([done, total]));
    expect(record.chunks).toBe(2);
    expect(progress.at(-1)).toEqual([2, 2]);
    expect(await store.count()).toBe(2);
    expect(await store.search({ text: "ImageNet ILSVRC classification", k: 5 })).toEqual([]);
    const hits = await store.search({ text: "batch normalization", k: 1 });
    expect(hits[0]?.text).toContain("batch normalization");
    await store.close();
  });

  it("writes the registry record last: an interrupted put is not complete, a rerun leaves no duplicates or gaps", async () => {
    const config = testConfig();
    const client = testClient(config);
    const store = await openFolioStore(config, null, { client, batchSize: 2 });
    const v1 = corpus().transformer;
    await store.putDocument(docInput("transformer", v1), v1);
    expect(await store.getDocument("transformer")).not.toBeNull();

    // A crash in the middle of the second write: the client dies after one more upsert.
    const v2 = v1.map((c) => ({ ...c, text: `${c.text} (revised)` }));
    const upsert = client.upsert.bind(client);
    let allowed = 1;
    client.upsert = (async (...args: Parameters<typeof upsert>) => {
      if (allowed-- <= 0) throw new Error("simulated crash");
      return upsert(...args);
    }) as typeof client.upsert;
    await expect(store.putDocument(docInput("transformer", v2), v2)).rejects.toThrow(/simulated crash/);
    expect(await store.getDocument("transformer")).toBeNull();
    expect((await store.listDocuments()).map((d) => d.docId)).not.toContain("transformer");

    client.upsert = upsert;
    await store.putDocument(docInput("transformer", v2), v2);
    expect(await store.count()).toBe(v2.length);
    const hits = await store.search({ text: "self-attention recurrence", k: 1 });
    expect(hits[0]?.text).toContain("(revised)");
    expect((await store.getDocument("transformer"))?.chunks).toBe(4);
  });

  it("deleteDocument removes points and record", async () => {
    const { store } = await openSparse();
    await ingestAll(store);
    await store.deleteDocument("bert");
    expect(await store.getDocument("bert")).toBeNull();
    expect(await store.count({ docIds: ["bert"], includeReferences: true })).toBe(0);
    expect(await store.count()).toBe(9);
  });

  it("rejects chunks of another document", async () => {
    const { store } = await openSparse();
    const chunks = corpus().bert;
    await expect(store.putDocument(docInput("resnet", chunks), chunks)).rejects.toBeInstanceOf(InputError);
  });

  it("an empty or missing collection raises EmptyStoreError", async () => {
    const { store } = await openSparse();
    await expect(store.search({ text: "attention" })).rejects.toBeInstanceOf(EmptyStoreError);
    expect(await store.count()).toBe(0);
    expect(await store.listDocuments()).toEqual([]);
    const chunks = corpus().bert;
    await store.putDocument(docInput("bert", chunks), chunks);
    await store.deleteDocument("bert");
    await expect(store.search({ text: "attention" })).rejects.toBeInstanceOf(EmptyStoreError);
  });
});

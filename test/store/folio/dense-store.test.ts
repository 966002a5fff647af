/** FolioStore with JinaEmbeddings against the Jina test server: hybrid, images, multi-vectors, MMR, layout checks. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import type { FolioConfig } from "../../../src/config.js";
import { createEmbeddings } from "../../../src/embeddings/index.js";
import { EmptyStoreError, UnsupportedFeatureError } from "../../../src/errors.js";
import { VectorConfigMismatchError, openFolioStore, type FolioStore } from "../../../src/store/index.js";
import type { ChunkInput } from "../../../src/store/types.js";
import { startJinaTestServer, type JinaTestServer } from "../../servers/jina-server.js";
import { cleanup, corpus, docInput, meta, testClient, testConfig, type PaperId } from "./helpers.js";

let server: JinaTestServer;
beforeAll(async () => {
  server = await startJinaTestServer({ shuffle: true });
});
afterAll(async () => {
  await cleanup();
  await server?.close();
});

/** Bytes the test server takes for an image (PNG signature); each seed is a different image. */
function png(seed: string): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`image ${seed}`)]);
}

/** Records every query request the client sends (instrumenting Qdrant's client, not our code). */
function recordQueries(client: QdrantClient): Array<Schemas["QueryRequest"]> {
  const seen: Array<Schemas["QueryRequest"]> = [];
  const query = client.query.bind(client);
  client.query = ((name: string, request: Schemas["QueryRequest"]) => {
    seen.push(structuredClone(request));
    return query(name, request);
  }) as typeof client.query;
  return seen;
}

function jinaConfig(overrides: Parameters<typeof testConfig>[0] = {}): FolioConfig {
  return testConfig({ JINA_BASE_URL: server.url, JINA_DIMENSIONS: 256, ...overrides });
}

/** The corpus with an image on every figure. */
function corpusWithImages(): Record<PaperId, ChunkInput[]> {
  const docs = corpus();
  for (const chunks of Object.values(docs)) {
    for (const chunk of chunks) if (chunk.metadata.kind === "figure") chunk.image = png(`${chunk.metadata.docId}-${chunk.metadata.chunkIndex}`);
  }
  return docs;
}

async function openJina(config: FolioConfig, client = testClient(config)) {
  const embeddings = createEmbeddings(config, { cacheDir: undefined, backoffBaseMs: 1 });
  const store = await openFolioStore(config, embeddings, { client });
  return { store, client, embeddings };
}

async function ingest(store: FolioStore, docs: Record<string, ChunkInput[]>): Promise<void> {
  for (const [docId, chunks] of Object.entries(docs)) await store.putDocument(docInput(docId, chunks), chunks);
}

describe("FolioStore with Jina embeddings", () => {
  let store: FolioStore;
  let queries: Array<Schemas["QueryRequest"]>;
  beforeAll(async () => {
    const opened = await openJina(jinaConfig());
    store = opened.store;
    queries = recordQueries(opened.client);
    server.reset();
    await ingest(store, corpusWithImages());
  });

  it("describes itself", () => {
    expect(store.capabilities).toEqual({ dense: true, images: true, multivector: false });
    expect(store.embeddingSignature).toBe("jina-embeddings-v4@256+bm25/a2");
  });

  it("embeds text chunks with late chunking and figures as images", () => {
    const bodies = server.requests.map((r) => r.body as { late_chunking?: boolean; input: unknown[] });
    const late = bodies.filter((b) => b.late_chunking === true);
    // One late-chunking request per document, with all its text chunks in order.
    expect(late.map((b) => b.input.length).sort()).toEqual([3, 3, 4]);
    const imageInputs = bodies.flatMap((b) => b.input).filter((input) => typeof input === "object" && input !== null && "image" in input);
    expect(imageInputs.length).toBe(3);
  });

  it("hybrid search is dense and BM25 prefetches fused by RRF in one query", async () => {
    queries.length = 0;
    const text = "shortcut connections identity mapping";
    const hits = await store.search({ text, k: 5 });
    expect(queries.length).toBe(1);
    const request = queries[0] as Schemas["QueryRequest"];
    expect(request.query).toEqual({ fusion: "rrf" });
    const prefetch = request.prefetch as Schemas["Prefetch"][];
    expect(prefetch.map((p) => p.using)).toEqual(["dense", "bm25"]);
    expect(hits[0]?.metadata).toMatchObject({ docId: "resnet", chunkIndex: 1 });

    // Fused scores are Qdrant's RRF (k = 2) over the two single-mode rankings.
    const limit = prefetch[0]?.limit as number;
    const dense = await store.search({ text, k: limit, mode: "dense" });
    const sparse = await store.search({ text, k: limit, mode: "sparse" });
    const expected = new Map<string, number>();
    for (const list of [dense, sparse]) list.forEach((hit, pos) => expected.set(hit.id, (expected.get(hit.id) ?? 0) + 1 / (pos + 2)));
    for (const hit of hits) expect(hit.score).toBeCloseTo(expected.get(hit.id) as number, 5);
  });

  it("dense search ranks the right chunk and honours filters", async () => {
    const hits = await store.search({ text: "masked language model predicts masked word", mode: "dense", k: 3 });
    expect(hits[0]?.metadata).toMatchObject({ docId: "bert", chunkIndex: 1 });
    const figures = await store.search({ text: "transformer architecture", mode: "dense", k: 10, filters: { kinds: ["figure"], year: { gte: 2016 } } });
    expect(figures.map((h) => h.metadata.docId).sort()).toEqual(["bert", "transformer"]);
  });

  it("an image finds its own figure (image to image), alone and mixed with text in one query", async () => {
    queries.length = 0;
    const hits = await store.search({ image: png("resnet-3"), k: 3 });
    expect(hits[0]?.metadata).toMatchObject({ docId: "resnet", kind: "figure" });
    expect(hits[0]?.score).toBeCloseTo(1, 4);
    const mixed = await store.search({ image: png("resnet-3"), text: "residual building block", k: 3 });
    expect(mixed[0]?.metadata).toMatchObject({ docId: "resnet", kind: "figure" });
    expect(queries.length).toBe(2);
    expect((queries[1]?.prefetch as Schemas["Prefetch"][]).map((p) => p.using)).toEqual(["dense", "dense", "bm25"]);
    expect(queries[1]?.query).toEqual({ fusion: "rrf" });
  });

  it("MMR passes diversity = 1 - lambda; lambda 1 is the plain ranking, a low lambda diversifies", async () => {
    const text = "transformer attention self-attention multi-head";
    const options = { text, k: 3, mode: "dense" as const, filters: { includeReferences: true } };
    const plain = await store.search(options);
    queries.length = 0;
    const relevance = await store.search({ ...options, mmr: { lambda: 1, fetchK: 20 } });
    expect((queries[0]?.query as Schemas["NearestQuery"]).mmr?.diversity).toBe(0);
    expect(relevance.map((h) => h.id)).toEqual(plain.map((h) => h.id));
    const diverse = await store.search({ ...options, mmr: { lambda: 0.1, fetchK: 20 } });
    expect((queries[1]?.query as Schemas["NearestQuery"]).mmr?.diversity).toBeCloseTo(0.9, 10);
    expect(diverse[0]?.id).toBe(plain[0]?.id);
    expect(diverse.map((h) => h.id)).not.toEqual(plain.map((h) => h.id));
  });

  it("re-scoring needs stored multi-vectors", async () => {
    await expect(store.search({ text: "attention", rerankWithMultivector: true })).rejects.toBeInstanceOf(UnsupportedFeatureError);
  });
});

describe("multi-vector re-scoring", () => {
  it("prefetches candidates and re-scores them with the multivector in one query", async () => {
    const config = jinaConfig({ FOLIO_MULTIVECTOR: true });
    const { store, client } = await openJina(config);
    expect(store.capabilities.multivector).toBe(true);
    expect(store.embeddingSignature).toBe("jina-embeddings-v4@256+bm25/a2+mv");
    const docs = corpusWithImages();
    // The collection: named dense + multi-vector (re-scoring only, no HNSW graph) + sparse BM25 with IDF, indexed payload fields.
    await store.putDocument(docInput("bert", docs.bert), docs.bert);
    const info = await client.getCollection(config.collection);
    const vectors = info.config.params.vectors as Record<string, Schemas["VectorParams"]>;
    expect(vectors.dense).toMatchObject({ size: 256, distance: "Cosine" });
    expect(vectors.multivector).toMatchObject({ size: 128, distance: "Cosine", multivector_config: { comparator: "max_sim" }, hnsw_config: { m: 0 } });
    expect(info.config.params.sparse_vectors?.bm25).toMatchObject({ modifier: "idf" });
    expect(Object.keys(info.payload_schema).sort()).toEqual(["metadata.docId", "metadata.imageId", "metadata.kind", "metadata.lang", "metadata.page", "metadata.paperId", "metadata.references", "metadata.year"]);
    // A page without an image: its multi-vector comes from its text.
    docs.resnet.push({ text: "Residual learning building block with a shortcut connection and identity mapping.", metadata: meta("resnet", "page", 4, { page: 2 }) });
    await ingest(store, docs);
    const queries = recordQueries(client);
    const hits = await store.search({ image: png("bert-3"), k: 2, rerankWithMultivector: true });
    expect(queries.length).toBe(1);
    expect(queries[0]?.using).toBe("multivector");
    expect(queries[0]?.prefetch).toBeDefined();
    expect(hits[0]?.metadata).toMatchObject({ docId: "bert", kind: "figure" });
    // Max-sim over 16 identical image rows: the query's rows each find themselves.
    expect(hits[0]?.score).toBeCloseTo(16, 3);
    const text = await store.search({ text: "residual learning building block shortcut", k: 3, rerankWithMultivector: true });
    expect(text.every((h) => h.metadata.kind === "figure" || h.metadata.kind === "page")).toBe(true);
    expect(text[0]?.metadata).toMatchObject({ docId: "resnet", kind: "page" });
    // With MMR: re-scored and diversified in the multi-vector space, still one query; lambda 1 keeps the order.
    queries.length = 0;
    const rerankOnly = await store.search({ image: png("bert-3"), k: 3, rerankWithMultivector: true });
    const withMmr = await store.search({ image: png("bert-3"), k: 3, rerankWithMultivector: true, mmr: { lambda: 1 } });
    expect(queries.length).toBe(2);
    expect(queries[1]).toMatchObject({ using: "multivector", query: { mmr: { diversity: 0 } } });
    expect(withMmr.map((h) => h.id)).toEqual(rerankOnly.map((h) => h.id));
  });
});

describe("collection layout checks", () => {
  it("a BM25-only collection refuses Jina embeddings with a clear error, and is rebuilt once emptied", async () => {
    const config = jinaConfig();
    const client = testClient(config);
    const sparse = await openFolioStore(config, null, { client });
    const chunks = corpus().bert;
    await sparse.putDocument(docInput("bert", chunks), chunks);

    // It still opens (listing, deleting and `folio reset` work), but searching or writing is refused.
    const { store } = await openJina(config, client);
    expect((await store.listDocuments()).map((d) => d.docId)).toEqual(["bert"]);
    const error = await store.search({ text: "masked language model" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VectorConfigMismatchError);
    expect((error as VectorConfigMismatchError).message).toMatch(/BM25 only/);
    expect((error as VectorConfigMismatchError).hint).toMatch(/FOLIO_COLLECTION/);
    expect((error as VectorConfigMismatchError).hint).toMatch(/folio reset/);
    await expect(store.putDocument(docInput("bert", chunks), chunks)).rejects.toBeInstanceOf(VectorConfigMismatchError);
    expect(await store.count()).toBe(chunks.length);

    // What `folio reset` does: delete every document; the empty collection is then rebuilt for Jina.
    for (const doc of await store.listDocuments()) await store.deleteDocument(doc.docId);
    await expect(store.search({ text: "masked language model" })).rejects.toBeInstanceOf(EmptyStoreError);
    await store.putDocument(docInput("bert", chunks), chunks);
    const hits = await store.search({ text: "masked language model predicts masked word", mode: "dense", k: 1 });
    expect(hits[0]?.metadata).toMatchObject({ docId: "bert", chunkIndex: 1 });
  });

  it("another dense size is refused; a dense collection opened without Jina reads with BM25 but refuses writes", async () => {
    const config = jinaConfig();
    const client = testClient(config);
    const { store } = await openJina(config, client);
    const chunks = corpus().resnet;
    await store.putDocument(docInput("resnet", chunks), chunks);
    const wider = await openJina(jinaConfig({ FOLIO_COLLECTION: config.collection, JINA_DIMENSIONS: 512 }), client);
    await expect(wider.store.search({ text: "residual" })).rejects.toThrow(/256 dimensions, the embeddings give 512/);

    const bm25Only = await openFolioStore(config, null, { client });
    const hits = await bm25Only.search({ text: "shortcut connections identity mapping", k: 1 });
    expect(hits[0]?.metadata).toMatchObject({ docId: "resnet", chunkIndex: 1 });
    await expect(bm25Only.putDocument(docInput("resnet", chunks), chunks)).rejects.toBeInstanceOf(VectorConfigMismatchError);
  });

  it("drop() removes the collection and its registry", async () => {
    const config = jinaConfig();
    const { store } = await openJina(config);
    const chunks = corpus().resnet;
    await store.putDocument(docInput("resnet", chunks), chunks);
    await store.drop();
    expect(await store.listDocuments()).toEqual([]);
    await expect(store.search({ text: "residual" })).rejects.toBeInstanceOf(EmptyStoreError);
    await store.putDocument(docInput("resnet", chunks), chunks);
    expect(await store.count()).toBe(chunks.length);
  });
});

describe("int8 quantization past FOLIO_INT8_FROM_POINTS", () => {
  it("is turned on once the collection is large enough, said once, and searches rank the same", async () => {
    const { store, client } = await openJina(jinaConfig({ FOLIO_INT8_FROM_POINTS: 5 }));
    const seen = recordQueries(client);
    await ingest(store, corpus());
    const ask = { text: "masked language model predicts masked word", mode: "dense" as const, k: 5 };
    const before = await store.search(ask);
    const notice = await store.optimize();
    expect(notice).toMatch(/int8 .*FOLIO_INT8_FROM_POINTS=5/);
    const info = await client.getCollection(store.collection);
    expect(info.config.quantization_config).toMatchObject({ scalar: { type: "int8" } });
    const after = await store.search(ask);
    expect(after.map((h) => h.id)).toEqual(before.map((h) => h.id));
    for (const [i, h] of after.entries()) expect(h.score).toBeCloseTo(before[i]!.score, 5);
    // dense searches ask for rescored, oversampled int8 candidates
    expect(seen.at(-1)?.params).toEqual({ quantization: { rescore: true, oversampling: 2 } });
    expect(await store.optimize()).toBeNull();
    await store.close();
  });

  it("is left off below the threshold, and with FOLIO_INT8_FROM_POINTS=0", async () => {
    for (const threshold of [1_000_000, 0]) {
      const { store, client } = await openJina(jinaConfig({ FOLIO_INT8_FROM_POINTS: threshold }));
      await ingest(store, corpus());
      expect(await store.optimize()).toBeNull();
      expect((await client.getCollection(store.collection)).config.quantization_config ?? null).toBeNull();
      await store.close();
    }
  });
});

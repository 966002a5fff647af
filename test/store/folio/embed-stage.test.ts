/** Embedding is a stage of its own: embedChunks makes every vector, putEmbedded stores exactly what it is given. */
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { openFolioStore } from "../../../src/store/index.js";
import type { ChunkInput, EmbeddedPoint } from "../../../src/store/types.js";
import { cleanup, docInput, meta, testClient, testConfig } from "./helpers.js";

afterAll(cleanup);

async function collect(batches: AsyncIterable<EmbeddedPoint[]>): Promise<EmbeddedPoint[]> {
  const all: EmbeddedPoint[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

describe("the embed stage", () => {
  it("makes every point's BM25 vector, and the store writes the vectors it is given", async () => {
    const config = testConfig();
    const client = testClient(config);
    const store = await openFolioStore(config, null, { client, batchSize: 2 });
    const chunks: ChunkInput[] = ["Residual learning eases training.", "Identity shortcuts add no parameters.", "Deeper nets, lower error."].map((text, i) => ({ text, metadata: meta("r", "text", i) }));
    const embedded = store.embedChunks("r", chunks);
    expect(embedded.total).toBe(3);
    const points = await collect(embedded.batches);
    expect(points.map((p) => p.id)).toEqual(embedded.pointIds);
    for (const p of points) expect(p.sparse?.indices.length).toBeGreaterThan(0);

    // What is stored is what the stage gave, not vectors the store makes again.
    const given = points.map((p, i) => ({ ...p, sparse: { indices: [1000 + i], values: [1] } }));
    async function* once(): AsyncGenerator<EmbeddedPoint[]> {
      yield given;
    }
    const progress: number[] = [];
    await store.putEmbedded(docInput("r", chunks), { ...embedded, batches: once() }, (done) => progress.push(done));
    expect(progress.at(-1)).toBe(3);
    const stored = await client.retrieve(store.collection, { ids: embedded.pointIds, with_vector: true });
    const sparse = stored.map((p) => (p.vector as { bm25: { indices: number[] } }).bm25.indices[0]).sort();
    expect(sparse).toEqual([1000, 1001, 1002]);
    expect((await store.getDocument("r"))?.chunks).toBe(3);

    await expect(store.putEmbedded(docInput("other", chunks), store.embedChunks("r", chunks))).rejects.toBeInstanceOf(InputError);
    await store.close();
  });
});

/**
 * Child for crash.test.ts: upserts batches forever and prints the ids of each acknowledged
 * batch ("ACK first last") once upsert() has resolved. The parent kills it with SIGKILL.
 */
import { LocalQdrantClient } from "../../../src/store/local/index.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: crash-child <dir>");
const client = new LocalQdrantClient({ path: dir });
if (!(await client.collectionExists("crash")).exists) {
  await client.createCollection("crash", { vectors: { size: 64, distance: "Cosine" }, sparse_vectors: { s: {} } });
}
const batch = 50;
for (let start = 1; ; start += batch) {
  const points = Array.from({ length: batch }, (_, i) => {
    const id = start + i;
    return {
      id,
      vector: { "": Array.from({ length: 64 }, (_, k) => Math.sin(id * 0.37 + k)), s: { indices: [id % 97, 1000 + (id % 13)], values: [1, 0.5] } },
      payload: { id, text: `point ${id}`.repeat(20) },
    };
  });
  await client.upsert("crash", { wait: true, points });
  process.stdout.write(`ACK ${start} ${start + batch - 1}\n`);
}

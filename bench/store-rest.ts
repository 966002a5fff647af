/**
 * What `folio store serve` costs over the embedded store in-process (the baseline, same run, same
 * data): upsert throughput and hybrid query latency (dense + sparse prefetch, RRF) through the
 * official QdrantClient over HTTP on loopback, as ratios. Seeded random data.
 *
 *   npx tsx bench/store-rest.ts [--points 20000] [--dim 512] [--queries 200]
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { QdrantClient } from "@qdrant/js-client-rest";
import { createQdrantRestApp } from "../src/server/qdrant/index.js";
import { LocalQdrantClient } from "../src/store/local/index.js";
import { denseVector, folioPayload, rng, sparseVector } from "./lib/synthetic.js";
import { flag } from "./lib/util.js";

const POINTS = Number(flag("points", "20000"));
const DIM = Number(flag("dim", "512"));
const QUERIES = Number(flag("queries", "200"));
const BATCH = 64;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, client: QdrantClient): Promise<{ upsertPerS: number; p50: number; p95: number }> {
  const random = rng(7);
  await client.createCollection("bench", { vectors: { dense: { size: DIM, distance: "Cosine" } }, sparse_vectors: { bm25: { modifier: "idf" } } });
  const started = performance.now();
  for (let i = 0; i < POINTS; i += BATCH) {
    const points = Array.from({ length: Math.min(BATCH, POINTS - i) }, (_, j) => ({ id: i + j, vector: { dense: denseVector(random, DIM), bm25: sparseVector(random) }, payload: folioPayload(random, i + j) }));
    await client.upsert("bench", { wait: true, points });
  }
  const upsertPerS = POINTS / ((performance.now() - started) / 1000);
  const times: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const dense = denseVector(random, DIM);
    const sparse = sparseVector(random);
    const t = performance.now();
    await client.query("bench", { prefetch: [{ query: dense, using: "dense", limit: 24 }, { query: sparse, using: "bm25", limit: 24 }], query: { fusion: "rrf" }, limit: 6, with_payload: true });
    times.push(performance.now() - t);
  }
  const result = { upsertPerS, p50: percentile(times, 50), p95: percentile(times, 95) };
  console.log(`${label.padEnd(34)} upsert ${result.upsertPerS.toFixed(0).padStart(7)} points/s   hybrid query p50 ${result.p50.toFixed(2).padStart(7)} ms   p95 ${result.p95.toFixed(2).padStart(7)} ms`);
  return result;
}

const inProcess = new LocalQdrantClient({ path: ":memory:" });
const baseline = await measure("embedded, in-process (baseline)", inProcess);
await inProcess.close();

const engine = new LocalQdrantClient({ path: ":memory:" });
const server = http.createServer(createQdrantRestApp({ client: engine, maxBodyBytes: 32 * 1024 * 1024 }));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const served = await measure("folio store serve, REST on loopback", new QdrantClient({ url, checkCompatibility: false }));
server.closeAllConnections();
server.close();
await engine.close();

console.log(`\n${POINTS.toLocaleString("en")} points x ${DIM} dims + BM25, ${QUERIES} queries, node ${process.version}`);
console.log(`REST / in-process: upsert throughput x${(served.upsertPerS / baseline.upsertPerS).toFixed(2)}, query p50 x${(served.p50 / baseline.p50).toFixed(2)}, p95 x${(served.p95 / baseline.p95).toFixed(2)} (added p50 ${(served.p50 - baseline.p50).toFixed(2)} ms)`);

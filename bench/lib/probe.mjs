/* global process, console, performance */
/**
 * Store probe: runs in a fresh plain `node` process (no tsx loader, whose ~45 MB would count in the
 * RSS figures) and measures one build's LocalQdrantClient on one store:
 *
 *   node bench/lib/probe.mjs <spec.json>
 *
 * spec: { module: <dist/store/local/index.js>, store: <folder>, collection, requests: [query args...],
 *         warmup: n, ids: boolean }
 * requests[0] is the first query (timed from before the store module is imported to its answer);
 * then `warmup` untimed queries, then every request timed once. Prints one line:
 * RESULT {"firstMs", "openMs", "rssAfterFirst", "rssAfterWarm", "points", "warmMs": [...], "ids": [[...]]}
 * or RESULT {"error": "..."}.
 */
import fs from "node:fs";
import { pathToFileURL } from "node:url";

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const started = performance.now();
  const { LocalQdrantClient } = await import(pathToFileURL(spec.module).href);
  const opening = performance.now();
  const client = new LocalQdrantClient({ path: spec.store });
  const openMs = performance.now() - opening;
  const requests = spec.requests;
  const first = await client.query(spec.collection, requests[0]);
  const firstMs = performance.now() - started;
  const rssAfterFirst = process.memoryUsage().rss;
  for (let i = 0; i < spec.warmup; i++) await client.query(spec.collection, requests[i % requests.length]);
  const warmMs = [];
  const ids = [];
  for (const request of requests) {
    const t = performance.now();
    const res = await client.query(spec.collection, request);
    warmMs.push(performance.now() - t);
    if (spec.ids) ids.push(res.points.map((p) => p.id));
  }
  const rssAfterWarm = process.memoryUsage().rss;
  const { count: points } = await client.count(spec.collection, { exact: true });
  await client.close();
  return { firstMs, openMs, rssAfterFirst, rssAfterWarm, points, firstHits: first.points.length, warmMs, ids };
}

main().then(
  (result) => console.log(`RESULT ${JSON.stringify(result)}`),
  (error) => {
    console.log(`RESULT ${JSON.stringify({ error: String(error?.stack ?? error) })}`);
    process.exitCode = 1;
  },
);

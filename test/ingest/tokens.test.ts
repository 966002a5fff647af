/**
 * What embedding costs, against the Jina wire-format test server (which counts tokens in `usage`
 * on its own rule: words and marks for text, 28-pixel patches for images): the estimate of the demo
 * corpus sends nothing and lands near the server's count, the summary reports the server's count
 * exactly, a re-run costs nothing, and a token budget stops between whole documents.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddings } from "../../src/embeddings/index.js";
import { ingest } from "../../src/ingest/index.js";
import { IngestSummarySchema } from "../../src/ingest/summary.js";
import { openFolioStore } from "../../src/store/index.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { runFolio } from "../helpers/cli.js";
import { startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { optionsFor, removeDir, tempDir, testConfig } from "./helpers.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const demo = [path.join(repo, "data", "papers")];
const manifest = path.join(repo, "data", "manifest.jsonl");

let root: string;
let server: JinaTestServer;
let uncappedPoints: number | undefined;
const open: FolioStoreApi[] = [];

beforeAll(async () => {
  root = await tempDir("ingest-tokens");
  server = await startJinaTestServer({ latencyMs: 0, recordBodies: false });
});
afterAll(async () => {
  for (const store of open) await store.close();
  await server?.close();
  await removeDir(root);
});

async function storeAt(name: string, env: Record<string, string | number> = {}) {
  const config = testConfig(path.join(root, name), { JINA_BASE_URL: server.url, JINA_DIMENSIONS: 128, ...env });
  const store = await openFolioStore(config, createEmbeddings(config));
  open.push(store);
  return { config, store };
}

describe("token accounting (Jina test server)", () => {
  it("estimates without a request, within 30% of the server's count; the summary's tokens are the server's sum; a re-run costs 0", async () => {
    const { config, store } = await storeAt("full", { FOLIO_JINA_PRICE_PER_M_TOKENS: 0.05 });
    server.reset();
    const estimate = await ingest(store, demo, optionsFor(config, { manifest, estimate: true }));
    expect(server.requests).toHaveLength(0);
    expect(await store.count()).toBe(0);
    expect(estimate.ingested).toBe(0);
    const cost = estimate.estimate!.cost;
    expect(estimate.estimate!.documents).toBe(4);
    expect(cost.text.inputs).toBeGreaterThan(0);
    expect(cost.pages.inputs).toBeGreaterThan(0);
    expect(cost.figures.inputs).toBeGreaterThan(0);
    expect(cost.storage.denseBytes).toBe(cost.storage.points * 128 * 4);
    expect(estimate.estimate!.price!.amount).toBeCloseTo((cost.tokens / 1e6) * 0.05, 10);

    const run = await ingest(store, demo, optionsFor(config, { manifest }));
    expect(run.ingested).toBe(4);
    uncappedPoints = await store.count();
    expect(run.usage!.tokens).toBe(server.totalTokens);
    expect(run.usage!.requests).toBe(server.requests.length);
    expect(run.chunks).toBe(cost.storage.points);
    expect(Math.abs(cost.tokens - server.totalTokens) / server.totalTokens).toBeLessThan(0.3);

    const again = await ingest(store, demo, optionsFor(config, { manifest, force: true }));
    expect(again.ingested).toBe(4);
    expect(again.usage).toMatchObject({ tokens: 0, requests: 0, cacheMisses: 0 });
    expect(again.usage!.cacheHits).toBeGreaterThan(0);
    const cachedEstimate = await ingest(store, demo, optionsFor(config, { manifest, estimate: true, force: true }));
    expect(cachedEstimate.estimate!.cost.tokens).toBe(0);
    expect(cachedEstimate.estimate!.cost.cached.inputs).toBe(cost.text.inputs + cost.pages.inputs + cost.figures.inputs + cost.cached.inputs);
  }, 240_000);

  it("a budget below the corpus' need stops between whole documents; a re-run without it reaches an uncapped run's point count", async () => {
    // The uncapped run of the test above, or one of its own when this test runs alone.
    if (uncappedPoints === undefined) {
      const uncapped = await storeAt("uncapped");
      await ingest(uncapped.store, demo, optionsFor(uncapped.config, { manifest }));
      uncappedPoints = await uncapped.store.count();
    }
    const fullPoints = uncappedPoints;

    const capped = await storeAt("capped", { FOLIO_COLLECTION: "capped" });
    const need = (await ingest(capped.store, demo, optionsFor(capped.config, { manifest, estimate: true }))).estimate!.cost.tokens;
    // A fresh cache: the capped store has its own home, so every token is spent again.
    const before = server.totalTokens;
    const stopped = await ingest(capped.store, demo, optionsFor(capped.config, { manifest, maxTokens: Math.floor(need / 2) }));
    expect(stopped.ok).toBe(false);
    expect(stopped.budget!.reached).toBe(true);
    expect(stopped.ingested).toBeGreaterThan(0);
    expect(stopped.ingested + stopped.budget!.remaining.documents).toBe(4);
    expect(stopped.budget!.remaining.tokens).toBeGreaterThan(0);
    expect(stopped.budget!.spentTokens).toBe(server.totalTokens - before);
    expect(stopped.budget!.spentTokens).toBeLessThanOrEqual(Math.floor(need / 2) * 1.3);
    // Only whole documents: every point belongs to a document with a registry record, and their counts add up.
    const records = await capped.store.listDocuments();
    expect(records).toHaveLength(stopped.ingested);
    expect(await capped.store.count()).toBe(records.reduce((sum, r) => sum + r.chunks, 0));

    const finished = await ingest(capped.store, demo, optionsFor(capped.config, { manifest }));
    expect(finished.ok).toBe(true);
    expect(finished.ingested).toBe(stopped.budget!.remaining.documents);
    expect(await capped.store.count()).toBe(fullPoints);
  }, 240_000);
});

describe("folio ingest --estimate and --max-tokens (the CLI, Jina test server)", () => {
  it("estimates without writing, prices it, and stops at a budget with exit 1 and what is left", async () => {
    const env = { FOLIO_HOME: path.join(root, "cli"), JINA_BASE_URL: server.url, JINA_DIMENSIONS: "128", FOLIO_JINA_PRICE_PER_M_TOKENS: "0.05" };
    server.reset();
    const estimate = await runFolio(["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--estimate", "--json"], { env, cwd: repo });
    expect(estimate.code, estimate.stderr).toBe(0);
    const e = IngestSummarySchema.parse(JSON.parse(estimate.stdout));
    expect(server.requests).toEqual([]);
    expect(e.ingested).toBe(0);
    expect(e.estimate!.price!.amount).toBeCloseTo((e.estimate!.cost.tokens / 1e6) * 0.05, 10);
    const listed = await runFolio(["docs", "--json"], { env, cwd: repo });
    expect((JSON.parse(listed.stdout) as { documents: unknown[] }).documents).toEqual([]);

    const budget = Math.floor(e.estimate!.cost.tokens * 0.6);
    const capped = await runFolio(["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--max-tokens", String(budget)], { env, cwd: repo });
    expect(capped.code).toBe(1);
    expect(capped.stdout).toMatch(/Token budget reached: [\d,]+ of [\d,]+ tokens used\. \d+ documents? remains?/);
    expect(capped.stdout).toMatch(/Embedding used [\d,]+ tokens \(the server's count\)/);
    expect(server.totalTokens).toBeLessThanOrEqual(budget);
    const bad = await runFolio(["ingest", "data/papers", "--max-tokens", "lots"], { env, cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-tokens");
  });
});

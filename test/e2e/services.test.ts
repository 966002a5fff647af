/**
 * The same CLI, switched to real services by environment variables alone: Jina (the local server that
 * speaks Jina's wire format) for dense, image and hybrid search, and an OpenAI-compatible LLM.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFolio } from "../helpers/cli.js";
import { startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { startOpenAITestServer, type OpenAITestServer } from "../servers/openai-server.js";

const root = path.resolve(import.meta.dirname, "../..");
const JINA_KEY = "jina_e2eSECRETkey0123456789";
const OPENAI_KEY = "sk-e2eSECRETkey0123456789";
let jina: JinaTestServer;
let llm: OpenAITestServer;
let env: NodeJS.ProcessEnv;

interface Hit {
  kind: string;
  title: string;
  page: number | null;
  figure: string | null;
  source: string;
}

describe("folio with Jina and an OpenAI-compatible LLM configured", () => {
  beforeAll(async () => {
    jina = await startJinaTestServer({ apiKey: JINA_KEY });
    llm = await startOpenAITestServer({ apiKey: OPENAI_KEY });
    env = { FOLIO_HOME: mkdtempSync(path.join(os.tmpdir(), "folio-e2e-svc-")), JINA_API_KEY: JINA_KEY, JINA_BASE_URL: jina.url, JINA_DIMENSIONS: "256", OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: llm.url, OPENAI_MODEL: "test-model" };
    const run = await runFolio(["ingest", "data/papers", "data/figures", "--manifest", "data/manifest.jsonl", "--json"], { env, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.skipped).toEqual([]);
    expect(summary.ingested).toBe(10);
  });

  afterAll(async () => {
    await jina?.close();
    await llm?.close();
  });

  it("embedded passages with retrieval.passage and late chunking, through the key", () => {
    const embeds = jina.requests.filter((r) => r.path.endsWith("/embeddings") && r.status === 200);
    expect(embeds.length).toBeGreaterThan(0);
    const bodies = embeds.map((r) => r.body as { task?: string; late_chunking?: boolean; dimensions?: number; input: unknown[] });
    expect(bodies.every((b) => b.dimensions === 256)).toBe(true);
    expect(bodies.some((b) => b.task === "retrieval.passage" && b.late_chunking === true)).toBe(true);
    expect(bodies.some((b) => b.input.some((i) => typeof i === "object" && i !== null && "image" in i))).toBe(true);
    expect(embeds.every((r) => r.headers.authorization === `Bearer ${JINA_KEY}`)).toBe(true);
  });

  it("searches hybrid by text with retrieval.query", async () => {
    const before = jina.requests.length;
    const run = await runFolio(["search", "reciprocal rank fusion default k", "--json", "-k", "3"], { env, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: Hit[] };
    expect(results[0]?.title).toBe("Dense, Sparse and Hybrid Retrieval");
    const query = jina.requests.slice(before).find((r) => r.path.endsWith("/embeddings"));
    expect((query?.body as { task?: string }).task).toBe("retrieval.query");
  });

  it("searches by image: a figure finds itself", async () => {
    const image = "data/figures/matryoshka-late-chunking-figure-2.png";
    const run = await runFolio(["search", "--image", image, "--kind", "figure", "--json", "-k", "1"], { env, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: Hit[] };
    expect(results[0]?.source).toMatch(/matryoshka-late-chunking-figure-2\.png$/);
    expect(results[0]?.figure).toBe("Figure 2");
  });

  it("searches mixed (image and text) in one call", async () => {
    const run = await runFolio(["search", "late chunking", "--image", "data/figures/matryoshka-late-chunking-figure-2.png", "--json", "-k", "5"], { env, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: Hit[] };
    expect(results.length).toBe(5);
    expect(results.some((r) => r.kind === "text")).toBe(true);
    expect(results.some((r) => r.kind === "figure")).toBe(true);
  });

  it("answers through the LLM with citations, and never shows a key", async () => {
    const run = await runFolio(["ask", "What is the default k in Qdrant's RRF?", "--json"], { env, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const answer = JSON.parse(run.stdout) as { mode: string; model: string; answer: string; citations: Array<{ n: number; title: string; page?: number }> };
    expect(answer.mode).toBe("llm");
    expect(answer.answer).toMatch(/\[1\]/);
    expect(answer.citations[0]?.n).toBe(1);
    expect(llm.chatRequests.length).toBeGreaterThan(0);
    expect(run.stdout + run.stderr).not.toContain(JINA_KEY);
    expect(run.stdout + run.stderr).not.toContain(OPENAI_KEY);
  });

  it("turns a rejected key into a clear error without the key", async () => {
    const bad = { ...env, FOLIO_HOME: mkdtempSync(path.join(os.tmpdir(), "folio-e2e-badkey-")), JINA_API_KEY: "jina_wrongWRONGwrong000000" };
    const run = await runFolio(["ingest", "data/papers/evaluating-retrieval.pdf", "--json"], { env: bad, cwd: root });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/JINA_API_KEY/);
    expect(run.stdout + run.stderr).not.toContain("jina_wrongWRONGwrong000000");
  });

  it("prints the exact embeddings request as curl with the key masked", async () => {
    const run = await runFolio(["embed", "a passage about MaxSim", "--task", "retrieval.query", "--dimensions", "128", "--print-request"], { env, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`curl -X POST '${jina.url}/embeddings'`);
    expect(run.stdout).toContain('"task": "retrieval.query"');
    expect(run.stdout).toContain('"dimensions": 128');
    expect(run.stdout).toContain("$JINA_API_KEY");
    expect(run.stdout).not.toContain(JINA_KEY);
  });
});

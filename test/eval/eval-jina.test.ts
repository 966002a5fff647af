/**
 * `folio eval`'s Jina setups through the real CLI against the local Jina wire-format server
 * (test/servers/jina-server.ts: /v1/embeddings with multi-vectors, /v1/rerank), on the demo corpus
 * ingested with dense vectors and multi-vectors; and what the same setups say without Jina.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalReport, SetupSummary, Share } from "../../src/eval/summary.js";
import { runFolio } from "../helpers/cli.js";
import { useTempDir } from "../helpers/tmp.js";
import { startJinaTestServer, type JinaTestServer, type RecordedRequest } from "../servers/jina-server.js";

const root = path.resolve(import.meta.dirname, "../..");
const QUESTIONS = "data/eval/demo-questions.jsonl";
const SETUPS = ["sparse", "dense", "hybrid", "hybrid+multivector", "hybrid+rerank"];

interface EmbeddingsBody {
  task?: string;
  input?: unknown[];
  return_multivector?: boolean;
}
interface RerankBody {
  model?: string;
  query?: string;
  documents?: unknown[];
  top_n?: number;
}

/** Every share a summary reports, by name. */
function shares(s: SetupSummary): Array<[string, Share]> {
  const atK = (name: string, r: Record<string, Share>) => Object.entries(r).map(([k, v]): [string, Share] => [`${name}@${k}`, v]);
  return [
    ...atK("docRecall", s.docRecall),
    ...atK("pageRecall", s.pageRecall),
    ...atK("passageRecall", s.passageRecall),
    ["mrr", s.mrr],
    ["ndcg10", s.ndcg10],
    ["answerContains", s.answerContains],
    ["citationPrecision", s.citationPrecision],
    ["declinedUnanswerable", s.declinedUnanswerable],
    ["falseDeclines", s.falseDeclines],
    ["noCitation", s.noCitation],
  ];
}

const questionTexts = async () =>
  new Set(
    (await readFile(path.join(root, QUESTIONS), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { question: string }).question),
  );

describe("folio eval with a Jina endpoint", () => {
  let server: JinaTestServer;
  const home = useTempDir("eval-jina");
  const env = () => ({ FOLIO_HOME: home(), JINA_BASE_URL: server.url, FOLIO_MULTIVECTOR: "true" });
  const embeddingRequests = (): Array<RecordedRequest & { body: EmbeddingsBody }> => server.requests.filter((r) => r.path === "/v1/embeddings") as Array<RecordedRequest & { body: EmbeddingsBody }>;

  beforeAll(async () => {
    server = await startJinaTestServer();
    const run = await runFolio(["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--json"], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).ingested).toBe(4);
    expect(embeddingRequests().some((r) => r.body.return_multivector === true)).toBe(true);
    server.reset();
  });

  afterAll(async () => {
    await server?.close();
  });

  it("runs sparse without asking the embeddings server anything", async () => {
    // First, while no query vector is cached: a sparse setup that embedded its queries would show here.
    const run = await runFolio(["eval", QUESTIONS, "--setups", "sparse", "--json"], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as EvalReport).setups[0]).toMatchObject({ name: "sparse", questions: 14 });
    expect(server.requests).toEqual([]);
  });

  it("runs every setup: dense query vectors, query multi-vectors and the reranker are really asked for", async () => {
    server.reset();
    const run = await runFolio(["eval", QUESTIONS, "--setups", SETUPS.join(","), "--json"], { env: env(), cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as EvalReport;
    expect(report.setups.map((s) => [s.name, s.skipped, s.questions])).toEqual(SETUPS.map((name) => [name, undefined, 14]));
    for (const s of report.setups) {
      for (const [name, share] of shares(s)) {
        expect(share.value === null || (share.value >= 0 && share.value <= 1), `${s.name} ${name} = ${share.value}`).toBe(true);
      }
      expect(s.mrr.n, s.name).toBe(12);
      expect(s.mrr.value, s.name).toBeGreaterThan(0);
    }
    expect(report.comparisons.filter((c) => c.metric === "mrr").map((c) => c.setup)).toEqual(SETUPS.slice(1));

    const asked = await questionTexts();
    const queries = embeddingRequests().filter((r) => r.body.task === "retrieval.query");
    const dense = queries.filter((r) => !r.body.return_multivector);
    const multi = queries.filter((r) => r.body.return_multivector === true);
    // Every question's dense vector once (the embedding cache serves the other setups), and its multi-vector for hybrid+multivector.
    expect(new Set(dense.flatMap((r) => r.body.input ?? []))).toEqual(asked);
    expect(new Set(multi.flatMap((r) => r.body.input ?? []))).toEqual(asked);
    // Ingest is over: no passage is embedded again.
    expect(embeddingRequests().filter((r) => r.body.task !== "retrieval.query")).toEqual([]);

    const reranks = server.requests.filter((r) => r.path === "/v1/rerank");
    expect(reranks.length).toBeGreaterThanOrEqual(asked.size);
    for (const r of reranks) {
      const body = r.body as RerankBody;
      expect(r.status).toBe(200);
      expect(body.model).toBe("jina-reranker-m0");
      expect(asked.has(body.query ?? "")).toBe(true);
      expect(body.documents?.length).toBeGreaterThan(0);
    }
    expect(new Set(reranks.map((r) => (r.body as RerankBody).query))).toEqual(asked);

    // Each setup's usage is the servers' own count: summed over setups, it is every token the server reported.
    const used = (pick: (s: SetupSummary) => number) => report.setups.reduce((sum, s) => sum + pick(s), 0);
    const served = (p: string) => server.requests.filter((r) => r.path === p && r.status === 200).reduce((sum, r) => sum + r.tokens, 0);
    expect(used((s) => s.usage?.embedding?.tokens ?? 0)).toBe(served("/v1/embeddings"));
    expect(used((s) => s.usage?.rerank?.tokens ?? 0)).toBe(served("/v1/rerank"));
    expect(report.setups.find((s) => s.name === "sparse")?.usage?.embedding?.tokens).toBe(0);
    // The dense setup embeds each question once; the setups after it find the query vectors in the cache.
    expect(report.setups.find((s) => s.name === "dense")?.usage?.embedding?.cacheMisses).toBe(asked.size);
    const hybrid = report.setups.find((s) => s.name === "hybrid")?.usage?.embedding;
    expect(hybrid).toMatchObject({ tokens: 0, requests: 0, cacheMisses: 0 });
    expect(hybrid!.cacheHits).toBeGreaterThanOrEqual(asked.size);
    expect(report.setups.find((s) => s.name === "hybrid+rerank")?.usage?.rerank?.requests).toBe(reranks.length);
  });

  it("skips the setups that need Jina when it is not configured, saying what to set", async () => {
    const bm25 = { FOLIO_HOME: path.join(home(), "bm25-only") };
    expect((await runFolio(["ingest", "data/papers/evaluating-retrieval.pdf", "--json"], { env: bm25, cwd: root })).code).toBe(0);
    const run = await runFolio(["eval", QUESTIONS, "--setups", SETUPS.join(","), "--json"], { env: bm25, cwd: root });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as EvalReport;
    const skipped = Object.fromEntries(report.setups.map((s) => [s.name, s.skipped]));
    expect(skipped).toEqual({
      sparse: undefined,
      dense: "needs an embeddings endpoint (set JINA_API_KEY or JINA_BASE_URL)",
      hybrid: "needs an embeddings endpoint (set JINA_API_KEY or JINA_BASE_URL)",
      "hybrid+multivector": "needs an embeddings endpoint (set JINA_API_KEY or JINA_BASE_URL)",
      "hybrid+rerank": "needs an embeddings endpoint (set JINA_API_KEY or JINA_BASE_URL)",
    });
    expect(report.setups[0]!.questions).toBeGreaterThan(0);
    expect(report.comparisons).toEqual([]);
    // Questions about the three papers not ingested here are reported skips.
    expect(report.skippedQuestions.map((q) => q.id)).toEqual(["demo-01", "demo-02", "demo-03", "demo-04", "demo-05", "demo-06", "demo-07", "demo-10", "demo-11", "demo-12"]);
    const text = await runFolio(["eval", QUESTIONS, "--setups", "sparse,dense"], { env: bm25, cwd: root });
    expect(text.stdout).toContain("skipped dense: needs an embeddings endpoint (set JINA_API_KEY or JINA_BASE_URL)");
  });
});

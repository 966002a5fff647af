/**
 * End to end on embedded defaults (no keys, no servers): ingest the demo corpus through the real CLI,
 * then search and ask, checking page and figure citations against what the PDFs say.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runFolio } from "../helpers/cli.js";

const root = path.resolve(import.meta.dirname, "../..");
const env: NodeJS.ProcessEnv = { FOLIO_HOME: mkdtempSync(path.join(os.tmpdir(), "folio-e2e-")) };

interface Hit {
  id: string;
  kind: string;
  title: string;
  page: number | null;
  figure: string | null;
  text: string;
  score: number;
  source: string;
}

describe("folio on the demo corpus, embedded defaults", () => {
  beforeAll(async () => {
    const run = await runFolio(["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--json"], { env, cwd: root });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.ingested).toBe(4);
    expect(summary.skipped).toEqual([]);
    expect(summary.pages).toBe(10);
    // Five figures and four tables, each with its caption.
    expect(summary.figures).toBeGreaterThanOrEqual(9);
  });

  it("lists the four papers with manifest titles", async () => {
    const run = await runFolio(["docs", "--json"], { env, cwd: root });
    expect(run.code).toBe(0);
    const titles = JSON.parse(run.stdout).documents.map((d: { title: string }) => d.title).sort();
    expect(titles).toEqual(["Dense, Sparse and Hybrid Retrieval", "Evaluating Retrieval: nDCG, Recall and MRR", "Late Interaction and Multi-Vector Retrieval", "Matryoshka Embeddings and Late Chunking"]);
  });

  it("finds the passage that defines MaxSim, on its page", async () => {
    const run = await runFolio(["search", "MaxSim highest cosine similarity query token", "--json", "-k", "3"], { env, cwd: root });
    expect(run.code).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: Hit[] };
    expect(results.length).toBe(3);
    expect(results[0]?.title).toBe("Late Interaction and Multi-Vector Retrieval");
    expect(results[0]?.page).toBe(1);
    expect(results[0]?.text).toMatch(/MaxSim/);
    expect(results[0]!.score).toBeGreaterThanOrEqual(results[1]!.score);
  });

  it("finds figures by caption with --kind figure, with label and page", async () => {
    const run = await runFolio(["search", "query tokens keep the best-matching document token, sum of row maxima", "--kind", "figure", "--json"], { env, cwd: root });
    const { results } = JSON.parse(run.stdout) as { results: Hit[] };
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.kind === "figure")).toBe(true);
    expect(results[0]).toMatchObject({ title: "Late Interaction and Multi-Vector Retrieval", figure: "Figure 1", page: 2 });
    // Where the figure is on its page, in PDF points from the top left: for "see on page".
    const [x0 = NaN, y0 = NaN, x1 = NaN, y1 = NaN] = (results[0] as Hit & { bbox?: number[] }).bbox ?? [];
    expect(x0).toBeGreaterThanOrEqual(0);
    expect(y0).toBeGreaterThanOrEqual(0);
    expect(x1 - x0).toBeGreaterThan(50);
    expect(y1 - y0).toBeGreaterThan(20);
    expect(y1).toBeLessThanOrEqual(842);
  });

  it("answers one query per stdin line with one JSON line each", async () => {
    const run = await runFolio(["search", "-k", "2"], { env, cwd: root, stdin: "reciprocal rank fusion\n\nnDCG worked example\n" });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { query: string; results: Hit[] });
    expect(lines.map((l) => l.query)).toEqual(["reciprocal rank fusion", "nDCG worked example"]);
    expect(lines[0]?.results[0]?.title).toBe("Dense, Sparse and Hybrid Retrieval");
    expect(lines[1]?.results[0]?.title).toBe("Evaluating Retrieval: nDCG, Recall and MRR");
  });

  it("answers with a citation to the right paper and page", async () => {
    const run = await runFolio(["ask", "What is the default k in Qdrant's RRF?", "--json"], { env, cwd: root });
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as { answer: string; mode: string; citations: Array<{ n: number; title: string; page?: number }> };
    expect(answer.mode).toBe("extractive");
    expect(answer.answer).toMatch(/\[\d+\]/);
    expect(answer.answer).toMatch(/k\s*=\s*2/);
    const cited = answer.citations.find((c) => c.title === "Dense, Sparse and Hybrid Retrieval");
    expect(cited?.page).toBe(2);
  });

  it("streams a text answer with a sources list", async () => {
    const run = await runFolio(["ask", "What does MaxSim compute?"], { env, cwd: root });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Extractive/i);
    expect(run.stdout).toMatch(/Sources:\n\s+\[\d+\] Late Interaction and Multi-Vector Retrieval, p\. \d/);
  });

  it("says so when the corpus does not answer", async () => {
    const run = await runFolio(["ask", "What is the boiling point of tungsten carbide?", "--json"], { env, cwd: root });
    const answer = JSON.parse(run.stdout) as { unanswered: boolean };
    expect(answer.unanswered).toBe(true);
  });

  it("re-ingesting the unchanged corpus does nothing", async () => {
    const run = await runFolio(["ingest", "data/papers", "--manifest", "data/manifest.jsonl", "--json"], { env, cwd: root });
    const summary = JSON.parse(run.stdout);
    expect(summary.unchanged).toBe(4);
    expect(summary.ingested).toBe(0);
    expect(summary.chunks).toBe(0);
  });

  it("with --no-figure-images still records every figure by caption, without cropping images", async () => {
    const { existsSync, readdirSync } = await import("node:fs");
    const home = mkdtempSync(path.join(os.tmpdir(), "folio-e2e-nocrop-"));
    const run = await runFolio(["ingest", "data/papers", "--no-figure-images", "--json"], { env: { FOLIO_HOME: home }, cwd: root });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.ingested).toBe(4);
    expect(summary.figures).toBeGreaterThanOrEqual(9);
    const images = path.join(home, "images");
    expect(existsSync(images) ? readdirSync(images, { recursive: true }).filter((f) => String(f).endsWith(".png")) : []).toEqual([]);
    // The default run does crop them.
    const defaultImages = path.join(env.FOLIO_HOME!, "images");
    expect(readdirSync(defaultImages, { recursive: true }).filter((f) => String(f).endsWith(".png")).length).toBeGreaterThanOrEqual(9);
  });

  it("explains that image search needs Jina, while text search keeps working", async () => {
    const run = await runFolio(["search", "--image", "data/figures/late-interaction-multi-vector-figure-1.png"], { env, cwd: root });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/image search needs Jina/i);
    expect(run.stderr).toMatch(/JINA_API_KEY/);
  });

  it("skips a broken PDF with its reason and goes on; --strict makes it fail", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "folio-bad-"));
    const { writeFileSync, copyFileSync } = await import("node:fs");
    writeFileSync(path.join(dir, "broken.pdf"), "%PDF-1.7\nthis is not really a pdf");
    copyFileSync(path.join(root, "data/papers/evaluating-retrieval.pdf"), path.join(dir, "good.pdf"));
    const home = { FOLIO_HOME: mkdtempSync(path.join(os.tmpdir(), "folio-e2e-bad-")) };
    const run = await runFolio(["ingest", dir, "--json"], { env: home, cwd: root });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.ingested).toBe(1);
    expect(summary.skipped).toHaveLength(1);
    expect(summary.skipped[0].path).toMatch(/broken\.pdf$/);
    expect(summary.skipped[0].hint.length).toBeGreaterThan(0);
    const strict = await runFolio(["ingest", dir, "--strict", "--json"], { env: home, cwd: root });
    expect(strict.code).toBe(1);
  });
});

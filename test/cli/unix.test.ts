/**
 * The real `folio` executable as a Unix tool: a closed pipe ends it quietly, exit codes say what
 * happened (0 done, 1 failed, 2 usage), and messages say what to do.
 */
import { copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packagePath } from "../../src/util/paths.js";
import { runBinary, runPiped } from "../helpers/binary.js";
import { removeDir, tempDir } from "../helpers/tmp.js";

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir("unix");
  env = { FOLIO_HOME: path.join(dir, "home") };
  const ingest = await runBinary(["ingest", packagePath("data", "papers")], { env, cwd: dir });
  expect(ingest.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await removeDir(dir);
});

describe("pipes", () => {
  it("ends quietly with 0 when the reader closes the pipe", async () => {
    for (const args of [["docs"], ["docs", "--bib"], ["search", "retrieval", "--json"], ["ingest", packagePath("data", "papers")]]) {
      // `true` exits before folio writes a byte: every write meets a closed pipe.
      const closed = await runPiped(args, "true", { env, cwd: dir });
      expect(closed.stderr, args.join(" ")).not.toMatch(/EPIPE|Error|at .*\.js/);
      expect(closed.folioCode, args.join(" ")).toBe(0);
    }
    const head = await runPiped(["docs"], "head -1", { env, cwd: dir });
    expect(head.stdout.trim().split("\n")).toHaveLength(1);
    expect(head.folioCode).toBe(0);
    expect(head.stderr).not.toMatch(/EPIPE/);
  }, 120_000);
});

describe("exit codes: 2 for usage, 1 for failure", () => {
  it("exits 2 on an empty question or query and on a --filter that is not a Qdrant filter", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["ask", ""], /The question is empty/],
      [["search", "  "], /The search query is empty/],
      [["search", "retrieval", "--filter", '{"must":[{"key":"metadata.page","lt":3}]}'], /--filter is not a Qdrant filter/],
      [["search", "retrieval", "--filter", '{"wanted":1}'], /--filter is not a Qdrant filter/],
      [["ingest", "arxiv:not-an-id"], /"arxiv:not-an-id" is not an arXiv id[\s\S]*arxiv:1706\.03762/],
    ];
    for (const [args, message] of cases) {
      const run = await runBinary(args, { env, cwd: dir });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.(js|ts):\d+/);
    }
  }, 120_000);

  it("exits 1 with the summary when every source was skipped, and with --strict when any was", async () => {
    const folder = path.join(dir, "bad");
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, "blank.md"), "  \n");
    const all = await runBinary(["ingest", folder, "--no-progress"], { env, cwd: dir });
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/0 ingested[\s\S]*1 skipped[\s\S]*Nothing was stored: every source was skipped/);
    expect(all.stdout).not.toMatch(/OCR/);
    await writeFile(path.join(folder, "note.md"), "# A note\n\nLate interaction scores every query token against every passage token.\n");
    expect((await runBinary(["ingest", folder, "--no-progress"], { env, cwd: dir })).code).toBe(0);
    expect((await runBinary(["ingest", folder, "--no-progress", "--strict"], { env, cwd: dir })).code).toBe(1);
  }, 120_000);
});

describe("messages", () => {
  it("says why a filter matched nothing", async () => {
    const unknown = await runBinary(["search", "retrieval", "--paper", "late-interactoin"], { env, cwd: dir });
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toMatch(/No paper with id "late-interactoin" is stored/);
    const unprefixed = await runBinary(["search", "retrieval", "--filter", '{"must":[{"key":"page","range":{"lte":3}}]}'], { env, cwd: dir });
    expect(unprefixed.stderr).toContain('write "metadata.page"');
    const pages = await runBinary(["search", "retrieval", "--kind", "page", "--json"], { env, cwd: dir });
    expect(pages.stderr).toMatch(/No page images are stored/);
    expect((JSON.parse(pages.stdout) as { notes: string[] }).notes[0]).toMatch(/FOLIO_RENDER_PAGES=always/);
  }, 120_000);

  it("counts the files of other types a folder holds, and lists them with --verbose", async () => {
    const folder = path.join(dir, "mixed");
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, "note.md"), "# Mixed\n\nHybrid retrieval fuses dense and sparse rankings.\n");
    for (const name of ["results.json", "runs.json", "table.csv"]) await writeFile(path.join(folder, name), "{}");
    const run = await runBinary(["ingest", folder, "--no-progress"], { env, cwd: dir });
    expect(run.stdout).toContain("3 files of other types ignored: .json, .csv (--verbose lists them).");
    const verbose = await runBinary(["ingest", folder, "--no-progress", "--verbose"], { env, cwd: dir });
    expect(verbose.stdout).toContain(path.join(folder, "table.csv"));
  }, 120_000);
});

describe("images go with their documents", () => {
  it("reset and --prune remove the figure images only the removed documents used", async () => {
    const home = path.join(dir, "images-home");
    const own = { FOLIO_HOME: home };
    const folder = path.join(dir, "two-papers");
    await mkdir(folder, { recursive: true });
    for (const name of ["late-interaction-multi-vector.pdf", "dense-sparse-hybrid-retrieval.pdf"]) await copyFile(packagePath("data", "papers", name), path.join(folder, name));
    expect((await runBinary(["ingest", folder, "--no-progress"], { env: own, cwd: dir })).code).toBe(0);
    const images = path.join(home, "images");
    const all = (await readdir(images)).filter((f) => f.endsWith(".png"));
    expect(all.length).toBeGreaterThan(2);

    await rm(path.join(folder, "late-interaction-multi-vector.pdf"));
    const pruned = await runBinary(["ingest", folder, "--prune", "--no-progress"], { env: own, cwd: dir });
    expect(pruned.stdout).toMatch(/1 pruned/);
    const left = (await readdir(images)).filter((f) => f.endsWith(".png"));
    expect(left.length).toBeLessThan(all.length);
    expect(left.length).toBeGreaterThan(0);

    const reset = await runBinary(["reset", "--yes"], { env: own, cwd: dir });
    expect(reset.code).toBe(0);
    expect((await readdir(images)).filter((f) => f.endsWith(".png"))).toEqual([]);
  }, 120_000);
});

describe("folio docs", () => {
  it("lists a paper's copies and its figure images under it, not as papers", async () => {
    const own = { FOLIO_HOME: path.join(dir, "docs-home") };
    const folder = path.join(dir, "library");
    await mkdir(path.join(folder, "dense-sparse-hybrid-retrieval"), { recursive: true });
    await mkdir(path.join(dir, "elsewhere"), { recursive: true });
    const paper = path.join(folder, "dense-sparse-hybrid-retrieval.pdf");
    await copyFile(packagePath("data", "papers", "dense-sparse-hybrid-retrieval.pdf"), paper);
    await copyFile(paper, path.join(dir, "elsewhere", "hybrid.pdf"));
    // A folder named like the PDF holds a figure of it.
    const canvas = createCanvas(200, 120);
    canvas.getContext("2d").fillRect(10, 10, 150, 90);
    await writeFile(path.join(folder, "dense-sparse-hybrid-retrieval", "recall.png"), canvas.toBuffer("image/png"));
    const ingest = await runBinary(["ingest", folder, path.join(dir, "elsewhere"), "--no-progress"], { env: own, cwd: dir });
    expect(ingest.stdout).toMatch(/2 ingested[\s\S]*1 copy of a stored file/);
    const docs = await runBinary(["docs"], { env: own, cwd: dir });
    const lines = docs.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^\S+ {2}Dense, Sparse and Hybrid Retrieval/);
    expect(lines).toContain(`    also at ${path.join(dir, "elsewhere", "hybrid.pdf")}`);
    expect(lines.at(-1)).toMatch(/^ {4}\+ figure image file:[0-9a-f]{16}: recall — .*recall\.png$/);
    // One paper: the image is not an entry of its own, nor a BibTeX entry.
    expect(lines.filter((l) => !l.startsWith(" "))).toHaveLength(1);
    expect((await runBinary(["docs", "--bib"], { env: own, cwd: dir })).stdout.match(/^@/gm)).toHaveLength(1);
  }, 120_000);
});

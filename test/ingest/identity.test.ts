/**
 * Which document a file is: ids from file names are checked against the PDF, the same bytes are one
 * document wherever they are found, and no document is replaced by another. Real arXiv PDFs from
 * ../shared/corpus, the real embedded store.
 */
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FolioConfig } from "../../src/config.js";
import { ingest, type FileEvent, type IngestOptions } from "../../src/ingest/index.js";
import { differentPapers } from "../../src/ingest/identity.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { FIGURES, hasCorpusPapers, hasFigures, openStore, optionsFor, PAPERS, removeDir, tempDir, testConfig } from "./helpers.js";

const FID = path.join(PAPERS, "2007.01282.pdf"); // 6 pages, stamped arXiv:2007.01282
const COLPALI = path.join(PAPERS, "2407.01449-p1-5.pdf"); // 5 pages, stamped arXiv:2407.01449

let dir: string;
let config: FolioConfig;
let store: FolioStoreApi;

beforeEach(async () => {
  dir = await tempDir("identity");
  config = testConfig(path.join(dir, "home"));
  store = await openStore(config);
});
afterEach(async () => {
  await store.close();
  await removeDir(dir);
});

async function place(from: string, ...to: string[]): Promise<string> {
  const target = path.join(dir, ...to);
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(from, target);
  return target;
}

async function run(sources: string[], extra: Partial<IngestOptions> = {}) {
  const events: FileEvent[] = [];
  const warnings: string[] = [];
  const summary = await ingest(store, sources, optionsFor(config, { renderPages: "never", cropFigures: false, ...extra }), { onFile: (e) => events.push(e), onWarning: (w) => warnings.push(w) });
  return { summary, events, warnings };
}

describe.skipIf(!hasCorpusPapers)("document identity", () => {
  it("takes an arXiv id from a file name only when the PDF agrees", async () => {
    await place(FID, "a", "2007.01282.pdf");
    const first = await run([path.join(dir, "a")]);
    expect(first.summary.ingested).toBe(1);
    expect((await store.getDocument("arxiv:2007.01282"))?.title).toMatch(/Passage Retrieval/);

    // ColPali under Fusion-in-Decoder's name: both papers stay, and the warning names both.
    const wrong = await place(COLPALI, "x", "2007.01282.pdf");
    const second = await run([path.join(dir, "x")]);
    expect(second.summary.ingested).toBe(1);
    expect(second.summary.replaced).toBe(0);
    const docs = await store.listDocuments();
    expect(docs).toHaveLength(2);
    expect(docs.find((d) => d.docId === "arxiv:2007.01282")?.title).toMatch(/Passage Retrieval/);
    const colpali = docs.find((d) => d.docId !== "arxiv:2007.01282");
    expect(colpali?.title).toMatch(/ColPali/);
    expect(colpali?.docId).toMatch(/^file:/);
    expect(colpali?.arxivId).toBe("2407.01449");
    expect(colpali?.source).toBe(wrong);
    const warning = second.warnings.find((w) => w.includes("2407.01449"));
    expect(warning).toMatch(/named like arXiv 2007\.01282/);
    expect(warning).toContain("Passage Retrieval");
    expect(warning).toContain("ColPali");

    // The next run knows the file: nothing is parsed or written again.
    const third = await run([path.join(dir, "x")]);
    expect(third.summary.unchanged).toBe(1);
    expect(third.summary.ingested).toBe(0);
    expect(third.warnings).toEqual([]);
  });

  it("never lets another existing file take a stored paper's id", async () => {
    await place(FID, "a", "2007.01282.pdf");
    await run([path.join(dir, "a")]);
    // The manifest says this ColPali file is 2007.01282: the stored Fusion-in-Decoder paper's file is still there.
    await place(COLPALI, "m", "colpali.pdf");
    await writeFile(path.join(dir, "m", "manifest.csv"), "path,arxiv\ncolpali.pdf,2007.01282\n");
    const { summary, warnings } = await run([path.join(dir, "m")], { manifest: path.join(dir, "m", "manifest.csv") });
    expect(summary.ingested).toBe(1);
    expect(summary.replaced).toBe(0);
    expect((await store.getDocument("arxiv:2007.01282"))?.title).toMatch(/Passage Retrieval/);
    expect(await store.listDocuments()).toHaveLength(2);
    expect(warnings.join("\n")).toMatch(/arxiv:2007\.01282 already holds another file/);
  });

  it("is one document for the same bytes at two paths, with both paths recorded", async () => {
    const original = await place(FID, "a", "fid.pdf");
    const copy = await place(FID, "b", "sub", "fid-copy.pdf");
    const { summary, events } = await run([path.join(dir, "a"), path.join(dir, "b")]);
    expect(summary.ingested).toBe(1);
    expect(summary.copies).toBe(1);
    expect(events).toContainEqual(expect.objectContaining({ type: "copy", path: copy }));
    const docs = await store.listDocuments();
    expect(docs).toHaveLength(1);
    expect(docs[0]?.source).toBe(original);
    expect(docs[0]?.alsoAt).toEqual([copy]);

    // Another run, copy first: still one document, nothing rewritten.
    const again = await run([path.join(dir, "b"), path.join(dir, "a")]);
    expect(again.summary.ingested).toBe(0);
    expect(await store.listDocuments()).toHaveLength(1);

    // The first path goes: --prune keeps the document, its copy is still there.
    await rm(original);
    const pruned = await run([path.join(dir, "a"), path.join(dir, "b")], { prune: true });
    expect(pruned.summary.pruned).toBe(0);
    expect(await store.listDocuments()).toHaveLength(1);
    // Both gone: now it is pruned.
    await rm(copy);
    const gone = await run([path.join(dir, "a"), path.join(dir, "b")], { prune: true });
    expect(gone.summary.pruned).toBe(1);
    expect(await store.listDocuments()).toHaveLength(0);
  });

  it("gives two different files named alike two documents in one run", async () => {
    await place(FID, "one", "2007.01282.pdf");
    await place(FID, "two", "2007.01282v2.pdf");
    // Same bytes: one document. Different bytes under the same name in another folder: two.
    const same = await run([path.join(dir, "one"), path.join(dir, "two")]);
    expect(same.summary.ingested).toBe(1);
    expect(same.summary.copies).toBe(1);
    await place(COLPALI, "three", "2007.01282.pdf");
    const different = await run([path.join(dir, "three")]);
    expect(different.summary.ingested).toBe(1);
    expect(new Set((await store.listDocuments()).map((d) => d.title.slice(0, 7)))).toEqual(new Set(["Leverag", "ColPali"]));
  });
});

describe.skipIf(!hasCorpusPapers || !hasFigures)("standalone figure images", () => {
  it("are linked to their paper by their folder, and found with a paper filter", async () => {
    await place(path.join(PAPERS, "1706.03762.pdf"), "lib", "1706.03762.pdf");
    for (const name of ["transformer-architecture.png", "multi-head-attention.png"]) await place(path.join(FIGURES, name), "lib", "figures", "1706.03762", name);
    const { summary } = await run([path.join(dir, "lib")]);
    expect(summary.ingested).toBe(3);
    const docs = await store.listDocuments();
    const paper = docs.find((d) => d.docId === "arxiv:1706.03762");
    expect(paper?.pages).toBe(15);
    const images = docs.filter((d) => d.docId !== "arxiv:1706.03762");
    expect(images.map((d) => d.paperId)).toEqual(["arxiv:1706.03762", "arxiv:1706.03762"]);
    const figures = await store.find({ docIds: ["arxiv:1706.03762"], kinds: ["figure"] }, 50);
    expect(figures.filter((h) => h.metadata.paperId === "arxiv:1706.03762")).toHaveLength(2);
  });

  it("never replace a paper when the manifest gives an image the paper's arXiv id", async () => {
    await place(path.join(PAPERS, "1706.03762.pdf"), "lib", "1706.03762.pdf");
    await place(path.join(FIGURES, "transformer-architecture.png"), "lib", "arch.png");
    await writeFile(path.join(dir, "lib", "manifest.csv"), "path,arxiv,caption\narch.png,1706.03762,Figure 1: The Transformer - model architecture.\n");
    const { summary } = await run([path.join(dir, "lib")], { manifest: path.join(dir, "lib", "manifest.csv") });
    expect(summary.ingested).toBe(2);
    const paper = await store.getDocument("arxiv:1706.03762");
    expect(paper?.pages).toBe(15);
    const image = (await store.listDocuments()).find((d) => d.docId !== "arxiv:1706.03762");
    expect(image?.paperId).toBe("arxiv:1706.03762");
    expect(image?.docId).toMatch(/^file:/);
  });
});

describe("telling papers apart", () => {
  it("trusts arXiv ids and DOIs over titles, and titles that share few words", () => {
    expect(differentPapers({ title: "Attention Is All You Need", arxivId: "1706.03762" }, { title: "Attention is all you need", arxivId: "1512.03385" })).toBe(true);
    expect(differentPapers({ title: "A", doi: "10.1/ABC" }, { title: "B", doi: "10.1/abc" })).toBe(false);
    expect(differentPapers({ title: "A DAM : A M ETHOD FOR STOCHASTIC OPTIMIZATION" }, { title: "Adam: A Method for Stochastic Optimization" })).toBe(false);
    expect(differentPapers({ title: "Deep Residual Learning for Image Recognition" }, { title: "Attention Is All You Need" })).toBe(true);
    // Too short to tell: not proof of a different paper.
    expect(differentPapers({ title: "Notes" }, { title: "Attention Is All You Need" })).toBe(false);
  });
});

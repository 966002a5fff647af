/**
 * The committed demo corpus (data/papers, data/figures, data/manifest.jsonl) must be exactly what
 * data/build-demo.ts builds from data/sources, and every note must read like a paper: its figure
 * captions and the facts the README's example questions rely on come out of pdf.js text extraction
 * on the pages the README names.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDemoCorpus, type BuildResult } from "../../data/build-demo.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dataDir = path.join(repoRoot, "data");
const standardFontDataUrl = path.join(repoRoot, "node_modules/pdfjs-dist/standard_fonts/");

async function committedFiles(): Promise<string[]> {
  const papers = (await readdir(path.join(dataDir, "papers"))).map((f) => `papers/${f}`);
  const figures = (await readdir(path.join(dataDir, "figures"))).map((f) => `figures/${f}`);
  return [...papers, ...figures, "manifest.jsonl"].sort();
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Text of each page in reading order, whitespace collapsed. */
async function pageTexts(pdfPath: string): Promise<string[]> {
  const data = new Uint8Array(await readFile(pdfPath));
  const doc = await getDocument({ data, standardFontDataUrl, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const content = await (await doc.getPage(p)).getTextContent();
      const text = content.items.map((item) => ("str" in item ? item.str + (item.hasEOL ? " " : "") : "")).join("");
      pages.push(text.replace(/\s+/g, " ").trim());
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

const manifestSchemaCheck = (line: string): { path: string; title: string; authors: string[]; year: number } => {
  const value: unknown = JSON.parse(line);
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as { path?: unknown }).path !== "string" ||
    typeof (value as { title?: unknown }).title !== "string" ||
    !Array.isArray((value as { authors?: unknown }).authors) ||
    typeof (value as { year?: unknown }).year !== "number"
  ) {
    throw new Error(`bad manifest line: ${line}`);
  }
  return value as { path: string; title: string; authors: string[]; year: number };
};

describe("demo corpus", () => {
  let outDir: string;
  let built: BuildResult;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "folio-demo-"));
    built = await buildDemoCorpus({ outDir });
  });

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("commits exactly the files data/build-demo.ts builds, byte for byte", async () => {
    expect(await committedFiles(), "file list differs: run `npx tsx data/build-demo.ts` and commit data/").toEqual(built.files);
    for (const file of built.files) {
      const fresh = sha256(await readFile(path.join(outDir, file)));
      const committed = sha256(await readFile(path.join(dataDir, file)));
      expect(committed, `${file} is stale: run \`npx tsx data/build-demo.ts\` and commit data/`).toBe(fresh);
    }
  });

  it("builds the same bytes twice", async () => {
    const again = await mkdtemp(path.join(os.tmpdir(), "folio-demo-again-"));
    try {
      await buildDemoCorpus({ outDir: again });
      for (const file of built.files) {
        expect(sha256(await readFile(path.join(again, file))), file).toBe(sha256(await readFile(path.join(outDir, file))));
      }
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it("lists every paper in the manifest with its metadata", async () => {
    const lines = (await readFile(path.join(dataDir, "manifest.jsonl"), "utf8")).trim().split("\n");
    const entries = lines.map(manifestSchemaCheck);
    const pdfs = built.files.filter((f) => f.endsWith(".pdf"));
    expect(entries.map((e) => e.path).sort()).toEqual(pdfs);
    for (const entry of entries) {
      expect(entry.authors.length).toBeGreaterThan(0);
      const [firstPage] = await pageTexts(path.join(dataDir, entry.path));
      expect(firstPage?.startsWith(entry.title), `${entry.path} starts with its title`).toBe(true);
    }
    expect(entries.length).toBeGreaterThanOrEqual(3);
  });

  it("gives every note 2-3 pages, page numbers, figure captions matching the sidecar files", async () => {
    for (const paper of built.papers) {
      const pages = await pageTexts(path.join(dataDir, "papers", `${paper.slug}.pdf`));
      expect(pages.length, paper.slug).toBeGreaterThanOrEqual(2);
      expect(pages.length, paper.slug).toBeLessThanOrEqual(3);
      pages.forEach((text, i) => expect(text.endsWith(String(i + 1)), `${paper.slug} page ${i + 1} footer`).toBe(true));
      const all = pages.join(" ");
      expect(all, paper.slug).toMatch(/Figure \d+: /);
      expect(paper.figures).toBeGreaterThan(0);
      for (let n = 1; n <= paper.figures; n++) {
        const sidecar = (await readFile(path.join(dataDir, "figures", `${paper.slug}-figure-${n}.txt`), "utf8")).trim();
        expect(sidecar.startsWith(`Figure ${n}: `)).toBe(true);
        expect(all, `${paper.slug} figure ${n} caption`).toContain(sidecar.replace(/\s+/g, " "));
        // Every figure is mentioned in the running text too, not only in its caption.
        expect(all.split(`Figure ${n}`).length - 1, `${paper.slug} mentions Figure ${n}`).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it("answers the README's example questions on the pages it names", async () => {
    const expectations: Array<{ slug: string; page: number; phrase: string }> = [
      { slug: "dense-sparse-hybrid-retrieval", page: 2, phrase: "Its default constant is k = 2" },
      { slug: "dense-sparse-hybrid-retrieval", page: 2, phrase: "Cormack et al. used k = 60" },
      { slug: "late-interaction-multi-vector", page: 1, phrase: "MaxSim computes, for every query token, the highest cosine similarity" },
      { slug: "late-interaction-multi-vector", page: 2, phrase: "300 x 128 x 4 = 153,600 bytes" },
      { slug: "matryoshka-late-chunking", page: 2, phrase: "each chunk embedding is the mean of the output token embeddings" },
      { slug: "evaluating-retrieval", page: 2, phrase: "nDCG@5 = 4.387 / 5.693 = 0.771" },
    ];
    for (const { slug, page, phrase } of expectations) {
      const pages = await pageTexts(path.join(dataDir, "papers", `${slug}.pdf`));
      expect(pages[page - 1], `${slug} page ${page}`).toContain(phrase);
    }
  });
});

import { mkdir, writeFile, readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { describe, expect, it } from "vitest";
import { discover } from "../../src/ingest/discover.js";
import { parseFigureLabel, readImageSize, titleFromCaption } from "../../src/ingest/image.js";
import { loadManifest } from "../../src/ingest/manifest.js";
import { parseMarkdown } from "../../src/ingest/markdown.js";
import { sniff } from "../../src/ingest/sniff.js";
import { parseText } from "../../src/ingest/text.js";
import { normalizeArxivId, fileDocId } from "../../src/ingest/hash.js";
import { useTempDir } from "../helpers/tmp.js";
import { ImageStore } from "../../src/store/images.js";

const dir = useTempDir("parsers");

function image(width: number, height: number, format: "png" | "jpeg" | "webp"): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#336699";
  ctx.fillRect(0, 0, width / 2, height / 2);
  return format === "png" ? canvas.encodeSync("png") : format === "jpeg" ? canvas.encodeSync("jpeg") : canvas.encodeSync("webp");
}

describe("image headers", () => {
  it("reads width and height of PNG, JPEG and WebP", async () => {
    expect(readImageSize(image(321, 123, "png"))).toEqual({ format: "png", width: 321, height: 123 });
    expect(readImageSize(image(321, 123, "jpeg"))).toEqual({ format: "jpeg", width: 321, height: 123 });
    expect(readImageSize(image(321, 123, "webp"))).toMatchObject({ width: 321, height: 123 });
    expect(readImageSize(Buffer.from("<html></html>"))).toBeUndefined();
  });

  it("parses figure labels from captions", () => {
    expect(parseFigureLabel("Fig. 3: Results")).toEqual({ label: "Figure 3", kind: "figure" });
    expect(parseFigureLabel("Table 2 (left): BLEU")).toEqual({ label: "Table 2", kind: "table" });
    expect(parseFigureLabel("Figure 2 (right): Multi-Head Attention")).toEqual({ label: "Figure 2", kind: "figure" });
    expect(parseFigureLabel("transformer architecture")).toBeUndefined();
  });
});

describe("sniff", () => {
  it("tells PDFs, images, HTML and binary apart", () => {
    expect(sniff(Buffer.from("%PDF-1.7\n..."))).toBe("pdf");
    expect(sniff(Buffer.from("\n\n<!DOCTYPE html><html>"))).toBe("html");
    expect(sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("png");
    expect(sniff(Buffer.from([1, 0, 2, 3]))).toBe("binary");
    expect(sniff(Buffer.alloc(0))).toBe("empty");
  });
});

describe("ids", () => {
  it("normalises arXiv ids and keeps file ids stable when the folder moves", () => {
    expect(normalizeArxivId("arXiv:1706.03762v5")).toBe("1706.03762");
    expect(normalizeArxivId("https://arxiv.org/abs/2005.11401")).toBe("2005.11401");
    expect(normalizeArxivId("hello")).toBeUndefined();
    expect(fileDocId("/a/papers", "/a/papers/x/y.pdf")).toBe(fileDocId("/b/c/papers", "/b/c/papers/x/y.pdf"));
    expect(fileDocId("/a/papers", "/a/papers/x/y.pdf")).not.toBe(fileDocId("/a/other", "/a/other/x/y.pdf"));
  });
});

describe("parseMarkdown", () => {
  it("turns headings into sections, marks references, and makes local image links figures with mentions", async () => {
    const png = image(40, 30, "png");
    await writeFile(path.join(dir(), "arch.png"), png);
    const md = [
      "# Attention Notes",
      "",
      "## Abstract",
      "",
      "We study attention.",
      "",
      "## 1 Model",
      "",
      "The encoder stacks layers, as Figure 1 shows.",
      "",
      "![Figure 1: The Transformer - model architecture.](arch.png)",
      "",
      "![missing](nope.png)",
      "",
      "## References",
      "",
      "- Vaswani et al. Attention is all you need. 2017.",
      "",
    ].join("\n");
    const doc = await parseMarkdown(md, { filePath: path.join(dir(), "notes.md"), images: new ImageStore(path.join(dir(), "images")), maxImagePixels: 1e6, maxImageBytes: 1e7 });
    expect(doc.title).toBe("Attention Notes");
    expect(doc.abstract).toBe("We study attention.");
    const model = doc.blocks.find((b) => b.text.startsWith("The encoder"));
    expect(model).toMatchObject({ section: "1 Model", references: false, kind: "paragraph" });
    const refs = doc.blocks.find((b) => b.text.includes("Vaswani"));
    expect(refs).toMatchObject({ section: "References", references: true });
    expect(doc.figures).toHaveLength(1);
    expect(doc.figures[0]).toMatchObject({ label: "Figure 1", kind: "figure", caption: "Figure 1: The Transformer - model architecture." });
    expect(doc.figures[0]?.mentions.map((m) => m.text)).toEqual(["The encoder stacks layers, as Figure 1 shows."]);
    const imageId = doc.figures[0]?.imageId;
    expect(await readdir(path.join(dir(), "images"))).toContain(`${imageId}.png`);
    expect(Buffer.compare(await readFile(path.join(dir(), "images", `${imageId}.png`)), png)).toBe(0);
    expect(doc.warnings.some((w) => w.includes("nope.png"))).toBe(true);
  });

  it("keeps the document when an image link is malformed or the image is corrupt", async () => {
    // A PNG signature and header that claim a size, followed by garbage: it sniffs as PNG but cannot be decoded.
    const corrupt = Buffer.concat([image(40, 30, "png").subarray(0, 33), Buffer.alloc(64, 7)]);
    await writeFile(path.join(dir(), "corrupt.png"), corrupt);
    const md = ["# Robust Notes", "", "Some text about retrieval.", "", "![Figure 1: bad escape](50%.png)", "", "![Figure 2: corrupt](corrupt.png)", ""].join("\n");
    const doc = await parseMarkdown(md, { filePath: path.join(dir(), "robust.md"), images: new ImageStore(path.join(dir(), "images")), maxImagePixels: 1e6, maxImageBytes: 1e7 });
    expect(doc.blocks.some((b) => b.text.includes("Some text about retrieval."))).toBe(true);
    expect(doc.figures.map((f) => f.label)).not.toContain("Figure 1");
    expect(doc.warnings.some((w) => w.includes("50%.png") && w.includes("malformed"))).toBe(true);
  });
});

describe("parseText", () => {
  it("uses a short first line as title and detects numbered headings and references", () => {
    const doc = parseText("My Title\n\n1 Introduction\n\nSome text here\nwrapped.\n\nReferences\n\n[1] Someone.", "/x/file.txt");
    expect(doc.title).toBe("My Title");
    expect(doc.blocks.find((b) => b.text === "Some text here wrapped.")).toMatchObject({ section: "1 Introduction", references: false });
    expect(doc.blocks.find((b) => b.text === "[1] Someone.")).toMatchObject({ references: true });
  });
});

describe("loadManifest", () => {
  it("reads CSV and JSONL, resolves paths, normalises arXiv ids, and reports bad rows", async () => {
    await writeFile(path.join(dir(), "m.csv"), "path,title,authors,year,arxiv id,doi\npapers/a.pdf,Paper A,Ada Lovelace; Alan Turing,2017,arXiv:1706.03762v2,10.1/x\n,,,,,\nb.pdf,B,,notayear,,\n");
    const csv = await loadManifest(path.join(dir(), "m.csv"));
    expect(csv.entries).toHaveLength(1);
    expect(csv.entries[0]).toMatchObject({ absolutePath: path.join(dir(), "papers/a.pdf"), title: "Paper A", authors: ["Ada Lovelace", "Alan Turing"], year: 2017, arxivId: "1706.03762", doi: "10.1/x" });
    expect(csv.warnings).toHaveLength(2);
    await writeFile(path.join(dir(), "m.jsonl"), '{"url":"http://127.0.0.1:1/x.pdf","title":"X","authors":["A"]}\n{"arxiv":"2005.11401"}\nnot json\n');
    const jsonl = await loadManifest(path.join(dir(), "m.jsonl"));
    expect(jsonl.entries.map((e) => e.url ?? e.arxivId)).toEqual(["http://127.0.0.1:1/x.pdf", "2005.11401"]);
    expect(jsonl.warnings).toHaveLength(1);
  });
});

describe("titleFromCaption", () => {
  it("uses the caption's first sentence, shortened at a word", () => {
    expect(titleFromCaption("Figure 1: The Transformer - model architecture. More text follows here.")).toBe("Figure 1: The Transformer - model architecture.");
    expect(titleFromCaption("Fig. 3: A plot")).toBe("Fig. 3: A plot");
    const long = titleFromCaption(`Figure 2: ${"word ".repeat(60)}`);
    expect(long!.length).toBeLessThanOrEqual(121);
    expect(long!.endsWith("…")).toBe(true);
  });
});

describe("discover", () => {
  it("walks folders with include/exclude globs, skips sidecars, hidden folders and unsupported files", async () => {
    const base = path.join(dir(), "walk");
    await mkdir(path.join(base, "a", "deep"), { recursive: true });
    await mkdir(path.join(base, ".hidden"), { recursive: true });
    await mkdir(path.join(base, "drafts"), { recursive: true });
    for (const f of ["a/one.PDF", "a/deep/two.pdf", "a/notes.md", "a/fig.png", "a/fig.txt", "a/readme.docx", ".hidden/x.pdf", "drafts/d.pdf"]) await writeFile(path.join(base, f), "x");
    const all = await discover([base], { arxivBaseUrl: "http://x/", cwd: dir() });
    const names = all.items.map((i) => (i.type === "file" ? path.relative(base, i.path) : i.url)).sort();
    expect(names).toEqual(["a/deep/two.pdf", "a/fig.png", "a/notes.md", "a/one.PDF", "drafts/d.pdf"]);
    const pdfs = await discover([base], { arxivBaseUrl: "http://x/", cwd: dir(), include: ["*.pdf"], exclude: ["drafts/**"] });
    expect(pdfs.items.map((i) => (i.type === "file" ? path.relative(base, i.path) : i.url)).sort()).toEqual(["a/deep/two.pdf", "a/one.PDF"]);
    const explicit = await discover([path.join(base, "a", "readme.docx"), "arxiv:1706.03762", "https://example.org/p.pdf"], { arxivBaseUrl: "http://mirror/pdf/", cwd: dir() });
    expect(explicit.skipped.map((s) => s.reason)).toEqual(["unsupported-type"]);
    expect(explicit.items).toMatchObject([{ type: "url", url: "http://mirror/pdf/1706.03762", arxivId: "1706.03762" }, { type: "url", url: "https://example.org/p.pdf" }]);
  });
});

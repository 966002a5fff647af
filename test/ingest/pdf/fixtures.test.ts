import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { CorruptPdfError, EmptyPdfError, EncryptedPdfError, NotAPdfError, parsePdf, PdfInputError, TooManyPagesError } from "../../../src/ingest/pdf/index.js";
import type { ParsedDocument, ParseOptions } from "../../../src/ingest/types.js";
import { makeBlankPdf, makeImageOnlyPdf, makeLineNumberedPdf, makeRc4Rev3EncryptedPdf, makeTwoColumnPaper, makeZeroPagePdf, PAGE_HEIGHT, PAGE_WIDTH, PAPER } from "../../fixtures/make-pdfs.js";
import { useTempDir } from "../../helpers/tmp.js";
import { ImageStore } from "../../../src/store/images.js";

const tmp = useTempDir("pdf");
let paper: Uint8Array;
let doc: ParsedDocument;
let options: ParseOptions;
let images: ImageStore;

beforeAll(async () => {
  images = new ImageStore(path.join(tmp(), "images"));
  options = { images, renderPages: true, pageDpi: 50, cropFigures: true, figureDpi: 100, maxPages: 100, maxImagePixels: 4_000_000 };
  paper = await makeTwoColumnPaper();
  doc = await parsePdf(paper, options);
});

const fullText = () => doc.blocks.map((b) => b.text).join("\n");

describe("parsePdf on a generated two-column paper", () => {
  it("finds the title, an author and the abstract", () => {
    expect(doc.title).toBe(PAPER.title);
    expect(doc.authors).toContain("Ada Lovelace");
    expect(doc.abstract).toContain(PAPER.abstractSentence);
    expect(doc.pageCount).toBe(3);
    expect(doc.blocks.find((b) => b.kind === "title")?.text).toBe(PAPER.title);
  });

  it("reads the left column before the right column", () => {
    const text = fullText();
    const leftEnd = text.indexOf(PAPER.leftColumnLast);
    const rightStart = text.indexOf(PAPER.rightColumnFirst);
    expect(leftEnd).toBeGreaterThan(0);
    expect(rightStart).toBeGreaterThan(leftEnd);
    // Nothing from elsewhere in between: the right column follows the left column's last line directly.
    expect(text.slice(leftEnd + PAPER.leftColumnLast.length, rightStart).trim()).toBe("");
    expect(text.indexOf(PAPER.abstractSentence)).toBeLessThan(text.indexOf("1 Introduction"));
  });

  it("joins hyphenated line breaks but keeps compound hyphens", () => {
    const text = fullText();
    expect(text).toContain("Our learned widget representation is compact");
    expect(text).toContain("state-of-the-art gadget baseline");
    expect(text).not.toContain("repre-");
  });

  it("drops the running header and page numbers", () => {
    expect(fullText()).not.toContain(PAPER.runningHeader);
    expect(doc.blocks.some((b) => /^\d+$/.test(b.text))).toBe(false);
  });

  it("marks headings, sections and the references", () => {
    const intro = doc.blocks.find((b) => b.text === "1 Introduction");
    expect(intro?.kind).toBe("heading");
    const reference = doc.blocks.find((b) => b.text.startsWith("A. Author and B. Writer"));
    expect(reference?.references).toBe(true);
    expect(reference?.section).toBe("References");
    expect(doc.blocks.find((b) => b.text.startsWith("As shown in Figure 1"))?.references).toBe(false);
  });

  it("yields one record per caption, with mentions, regions and crops", async () => {
    expect(doc.figures.map((f) => f.label)).toEqual(["Figure 1", "Figure 2", "Table 1"]);
    const [raster, vector, table] = doc.figures;
    expect(raster?.caption).toBe(PAPER.figure1Caption);
    expect(raster?.kind).toBe("figure");
    expect(table?.kind).toBe("table");
    expect(raster?.mentions[0]?.text).toContain("As shown in Figure 1");
    expect(vector?.mentions[0]?.text).toContain("The pipeline in Figure 2");
    for (const figure of doc.figures) {
      expect(figure.imageId, figure.label).toMatch(/^[0-9a-f]{16}$/);
      const [x0, y0, x1, y1] = figure.bbox ?? [0, 0, 0, 0];
      expect((x1 - x0) * (y1 - y0)).toBeLessThan(0.5 * PAGE_WIDTH * PAGE_HEIGHT);
      expect(x1 - x0).toBeGreaterThan(100);
      const png = await readFile(images.pathOf(figure.imageId!));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
    }
    // The raster figure sits in the left column above its caption; the vector figure spans both columns.
    expect(raster?.bbox?.[2]).toBeLessThan(PAGE_WIDTH / 2);
    expect(vector?.bbox?.[2]).toBeGreaterThan(PAGE_WIDTH / 2 + 100);
    // The table lies below its caption.
    const tableCaption = doc.blocks.find((b) => b.text === PAPER.table1Caption);
    expect(tableCaption?.kind).toBe("caption");
    expect(table?.bbox?.[3]).toBeGreaterThan(table?.bbox?.[1] ?? 0);
  });

  it("renders every page when asked, within the pixel budget", async () => {
    for (const page of doc.pages) {
      expect(page.imageId).toMatch(/^[0-9a-f]{16}$/);
      const png = await readFile(images.pathOf(page.imageId!));
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      expect(width).toBe(Math.floor((PAGE_WIDTH * 50) / 72));
      expect(width * height).toBeLessThanOrEqual(options.maxImagePixels);
    }
    expect(doc.pages[0]?.text).toContain(PAPER.abstractSentence);
  });

  it("reduces the DPI to respect maxImagePixels", async () => {
    const small = await parsePdf(paper, { ...options, renderPages: true, pageDpi: 300, cropFigures: false, maxImagePixels: 100_000 });
    const png = await readFile(images.pathOf(small.pages[0]!.imageId!));
    expect(png.readUInt32BE(16) * png.readUInt32BE(20)).toBeLessThanOrEqual(100_000);
    expect(small.figures.every((f) => f.imageId === undefined)).toBe(true);
  });

  it("does not render anything for text-only parses", async () => {
    const textOnly = await parsePdf(paper, { ...options, images: new ImageStore(path.join(tmp(), "none")), renderPages: false, cropFigures: false });
    expect(textOnly.pages.every((p) => p.imageId === undefined)).toBe(true);
    await expect(stat(path.join(tmp(), "none"))).rejects.toThrow();
    expect(textOnly.blocks.map((b) => b.text)).toEqual(doc.blocks.map((b) => b.text));
  });
});

describe("parsePdf on a line-numbered review copy", () => {
  it("drops the line numbers and keeps the paragraph whole", async () => {
    const review = await parsePdf(await makeLineNumberedPdf(), { ...options, renderPages: false, cropFigures: false });
    const text = review.blocks.map((b) => b.text).join("\n");
    expect(text).toMatch(/^Line numbers must not leak into the text\./);
    expect(text).not.toMatch(/\b(?:1|2|3|10|20)\b/);
    expect(review.blocks.filter((b) => b.kind === "paragraph")).toHaveLength(1);
  });
});

describe("parsePdf on bad files", () => {
  const expectProblem = async (data: Uint8Array, type: new (...args: never[]) => PdfInputError, problem: string) => {
    const error = await parsePdf(data, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(InputError);
    expect((error as PdfInputError).problem).toBe(problem);
    expect((error as PdfInputError).hint.length).toBeGreaterThan(10);
    return error as PdfInputError;
  };

  it("rejects random bytes named .pdf and mislabelled HTML", async () => {
    const random = new Uint8Array(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 17) % 251;
    await expectProblem(random, NotAPdfError, "not-pdf");
    const html = await expectProblem(new TextEncoder().encode("<!DOCTYPE html><html><body>Not found</body></html>"), NotAPdfError, "not-pdf");
    expect(html.message).toContain("HTML");
  });

  it("rejects a truncated PDF", async () => {
    await expectProblem(paper.slice(0, Math.floor(paper.length * 0.6)), CorruptPdfError, "truncated");
  });

  it("rejects an encrypted PDF that needs a password", async () => {
    const error = await expectProblem(makeRc4Rev3EncryptedPdf(), EncryptedPdfError, "encrypted");
    expect(error.hint).toMatch(/decrypt/);
  });

  it("rejects blank, zero-page and image-only PDFs, suggesting OCR", async () => {
    const blank = await expectProblem(await makeBlankPdf(), EmptyPdfError, "no-text");
    expect(blank.hint).toMatch(/OCR/);
    await expectProblem(await makeImageOnlyPdf(), EmptyPdfError, "no-text");
    const zero = await parsePdf(await makeZeroPagePdf(), options).catch((e: unknown) => e);
    expect(zero).toBeInstanceOf(EmptyPdfError);
  });

  it("rejects more pages than allowed", async () => {
    const error = await parsePdf(paper, { ...options, maxPages: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyPagesError);
    expect((error as TooManyPagesError).problem).toBe("too-many-pages");
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(parsePdf(paper, { ...options, signal: controller.signal })).rejects.toThrow("stop");
  });
});

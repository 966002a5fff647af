/**
 * Pass 2 (figure regions, crops, page images) with PDFium against pdf.js: the same regions, crops
 * and pages that show the same drawing at the same place, pdf.js for rotated pages, and on real
 * papers the same regions for every figure (including drawings whose paths PDFium bounds with a
 * page-sized line width).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { degrees, PDFDocument } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePdf } from "../../../src/ingest/pdf/index.js";
import type { ParsedDocument, ParseOptions } from "../../../src/ingest/types.js";
import { makeTwoColumnPaper, PAGE_HEIGHT, PAGE_WIDTH } from "../../fixtures/make-pdfs.js";
import { useTempDir } from "../../helpers/tmp.js";
import { PAPERS as papers, hasCorpusPapers } from "../helpers.js";

const imagesDir = useTempDir("render");
const options = (renderEngine: "pdfium" | "pdfjs", extra: Partial<ParseOptions> = {}): ParseOptions => ({
  imagesDir: imagesDir(),
  renderPages: true,
  pageDpi: 40,
  cropFigures: true,
  figureDpi: 72,
  maxPages: 100,
  maxImagePixels: 4_000_000,
  renderEngine,
  ...extra,
});

interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

async function pixelsOf(imageId: string | undefined): Promise<Pixels> {
  expect(imageId).toMatch(/^[0-9a-f]{16}$/);
  const image = await loadImage(await readFile(path.join(imagesDir(), `${imageId}.png`)));
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: context.getImageData(0, 0, image.width, image.height).data };
}

/** Share of pixels within `tolerance` of the colour in every channel. */
function shareOf(pixels: Pixels, [r, g, b]: [number, number, number], tolerance = 24): number {
  let hits = 0;
  for (let i = 0; i < pixels.data.length; i += 4) {
    if (Math.abs(pixels.data[i]! - r) <= tolerance && Math.abs(pixels.data[i + 1]! - g) <= tolerance && Math.abs(pixels.data[i + 2]! - b) <= tolerance) hits++;
  }
  return hits / (pixels.width * pixels.height);
}

/** Mean absolute difference per channel of two same-sized images (0-255). */
function meanDifference(a: Pixels, b: Pixels): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) if (i % 4 !== 3) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / ((a.data.length / 4) * 3);
}

/** The image averaged over blocks of `size` x `size` pixels, grey (glyph shapes average out, layout does not). */
function coarse(pixels: Pixels, size: number): number[] {
  const columns = Math.ceil(pixels.width / size);
  const rows = Math.ceil(pixels.height / size);
  const sums = new Array<number>(columns * rows).fill(0);
  const counts = new Array<number>(columns * rows).fill(0);
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++) {
      const i = (y * pixels.width + x) * 4;
      const cell = Math.floor(y / size) * columns + Math.floor(x / size);
      sums[cell]! += (pixels.data[i]! + pixels.data[i + 1]! + pixels.data[i + 2]!) / 3;
      counts[cell]!++;
    }
  }
  return sums.map((sum, cell) => sum / counts[cell]!);
}

/** Largest difference between two same-sized images averaged over blocks (0-255). */
function coarseDifference(a: Pixels, b: Pixels, size = 8): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  const [ca, cb] = [coarse(a, size), coarse(b, size)];
  return Math.max(...ca.map((v, i) => Math.abs(v - cb[i]!)));
}

/** Pixel-weighted centre of the pixels close to the colour, as shares of the width and height. */
function centreOf(pixels: Pixels, colour: [number, number, number], tolerance = 24): [number, number] {
  let [sx, sy, n] = [0, 0, 0];
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++) {
      const i = (y * pixels.width + x) * 4;
      if (colour.every((c, k) => Math.abs(pixels.data[i + k]! - c) <= tolerance)) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  return [sx / n / pixels.width, sy / n / pixels.height];
}

// The generated paper's colours (test/fixtures/make-pdfs.ts): the raster plot's red block and the vector figure's box fill.
const RASTER_RED: [number, number, number] = [0xd6, 0x27, 0x28];
const BOX_FILL: [number, number, number] = [Math.round(0.85 * 255), Math.round(0.9 * 255), 255];

describe("pass 2 with PDFium vs pdf.js on the generated paper", () => {
  let pdfium: ParsedDocument;
  let pdfjs: ParsedDocument;
  beforeAll(async () => {
    const paper = await makeTwoColumnPaper();
    pdfium = await parsePdf(paper, options("pdfium"));
    pdfjs = await parsePdf(paper, options("pdfjs"));
  });

  it("finds the same regions and crops every figure and table", () => {
    expect(pdfium.figures.map((f) => [f.label, f.bbox])).toEqual(pdfjs.figures.map((f) => [f.label, f.bbox]));
    expect(pdfium.figures.every((f) => f.imageId !== undefined)).toBe(true);
    expect(pdfium.warnings).toEqual([]);
  });

  it("crops show the figure's own drawing: the raster plot's red block, the vector figure's boxes", async () => {
    const [raster, vector] = pdfium.figures;
    const rasterCrop = await pixelsOf(raster?.imageId);
    const vectorCrop = await pixelsOf(vector?.imageId);
    expect(shareOf(rasterCrop, RASTER_RED)).toBeGreaterThan(0.01);
    expect(shareOf(vectorCrop, RASTER_RED)).toBe(0);
    expect(shareOf(vectorCrop, BOX_FILL)).toBeGreaterThan(0.1);
    // The same crops from pdf.js: the same size, the red block in the same place.
    const rasterByPdfjs = await pixelsOf(pdfjs.figures[0]?.imageId);
    const [x, y] = centreOf(rasterCrop, RASTER_RED);
    const [xj, yj] = centreOf(rasterByPdfjs, RASTER_RED);
    expect(Math.abs(x - xj)).toBeLessThan(0.02);
    expect(Math.abs(y - yj)).toBeLessThan(0.02);
  });

  it("renders whole pages like pdf.js: the same size, nearly the same pixels", async () => {
    for (const [index, page] of pdfium.pages.entries()) {
      const ours = await pixelsOf(page.imageId);
      const theirs = await pixelsOf(pdfjs.pages[index]?.imageId);
      expect(ours.width).toBe(Math.floor((PAGE_WIDTH * 40) / 72));
      expect(ours.height).toBe(Math.floor((PAGE_HEIGHT * 40) / 72));
      // Glyphs rasterise a little differently (mean 2.5-6.3 here, at most 19 over 8 x 8 blocks); the
      // same page shifted 3 pixels down differs by 11-27 (37-54 over blocks), another page by 120+.
      expect(meanDifference(ours, theirs), `page ${page.page}`).toBeLessThan(8);
      expect(coarseDifference(ours, theirs), `page ${page.page}`).toBeLessThan(30);
    }
  });

  it("renders a rotated page with pdf.js, turned, and the other pages with PDFium", async () => {
    const rotated = await PDFDocument.load(await makeTwoColumnPaper());
    rotated.getPage(2).setRotation(degrees(90));
    const data = await rotated.save();
    const doc = await parsePdf(data, options("pdfium", { cropFigures: false }));
    const byPdfjs = await parsePdf(data, options("pdfjs", { cropFigures: false }));
    // pdf.js drew the rotated page: byte for byte the pdf.js engine's render.
    expect(doc.pages[2]?.imageId).toBe(byPdfjs.pages[2]?.imageId);
    const third = await pixelsOf(doc.pages[2]?.imageId);
    expect([third.width, third.height]).toEqual([Math.floor((PAGE_HEIGHT * 40) / 72), Math.floor((PAGE_WIDTH * 40) / 72)]);
    // The unrotated pages are the same renders as in the unrotated paper.
    expect(doc.pages[1]?.imageId).toBe(pdfium.pages[1]?.imageId);
    expect(doc.warnings).toEqual([]);
  });
});

describe.skipIf(!hasCorpusPapers)("pass 2 with PDFium vs pdf.js on real papers", () => {
  const regions = async (file: string) => {
    const data = new Uint8Array(await readFile(path.join(papers, file)));
    const textOnly = { renderPages: false, figureDpi: 36 };
    return { pdfium: await parsePdf(data, options("pdfium", textOnly)), pdfjs: await parsePdf(data, options("pdfjs", textOnly)) };
  };

  it("BERT: the same region for every figure and table, within 2 points", async () => {
    const { pdfium, pdfjs } = await regions("1810.04805.pdf");
    expect(pdfium.figures.length).toBeGreaterThan(10);
    for (const [i, figure] of pdfium.figures.entries()) {
      const other = pdfjs.figures[i];
      expect(figure.label).toBe(other?.label);
      expect(figure.bbox, figure.label).toBeDefined();
      figure.bbox?.forEach((value, k) => expect(Math.abs(value - (other?.bbox?.[k] ?? NaN)), `${figure.label} ${k}`).toBeLessThanOrEqual(2));
    }
    // Figure 4 is drawn with a tiny matrix and a huge line width: PDFium's own object bounds reach
    // the top of the page; the region must stay under the running header, as pdf.js finds it.
    const figure4 = pdfium.figures.find((f) => f.label === "Figure 4");
    expect(figure4?.bbox?.[1]).toBeGreaterThan(50);
  });
});

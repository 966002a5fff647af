/**
 * Pass 2 (figure regions, crops, page images) with PDFium against pdf.js: the same regions, crops
 * and pages that show the same drawing at the same place, pdf.js for rotated pages, and on real
 * papers the same regions for every figure (including drawings whose paths PDFium bounds with a
 * page-sized line width).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { appendBezierCurve, concatTransformationMatrix, degrees, endPath, lineTo, moveTo, PDFDocument, popGraphicsState, pushGraphicsState, rgb, setLineWidth, StandardFonts, stroke } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { graphicsFromOperators, type OpsTable } from "../../../src/ingest/pdf/graphics.js";
import { parsePdf } from "../../../src/ingest/pdf/index.js";
import type { Box } from "../../../src/ingest/pdf/matrix.js";
import { PdfiumPage } from "../../../src/ingest/pdf/pdfium-render.js";
import { PdfiumDocument } from "../../../src/ingest/pdf/pdfium-text.js";
import { documentOptions, loadPdfjs } from "../../../src/ingest/pdf/pdfjs.js";
import type { ParsedDocument, ParseOptions } from "../../../src/ingest/types.js";
import { makeTwoColumnPaper, PAGE_HEIGHT, PAGE_WIDTH } from "../../fixtures/make-pdfs.js";
import { useTempDir } from "../../helpers/tmp.js";
import { PAPERS as papers, hasCorpusPapers } from "../helpers.js";
import { ImageStore } from "../../../src/store/images.js";

const imagesDir = useTempDir("render");
const options = (renderEngine: "pdfium" | "pdfjs", extra: Partial<ParseOptions> = {}): ParseOptions => ({
  images: new ImageStore(imagesDir()),
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
    // Both crops end where the ink does, and the two rasterisers' anti-aliasing differs by a pixel.
    expect(pdfium.figures.map((f) => f.label)).toEqual(pdfjs.figures.map((f) => f.label));
    for (const [i, figure] of pdfium.figures.entries()) {
      figure.bbox?.forEach((value, k) => expect(Math.abs(value - (pdfjs.figures[i]?.bbox?.[k] ?? NaN)), `${figure.label} ${k}`).toBeLessThanOrEqual(1));
    }
    expect(pdfium.figures.every((f) => f.imageId !== undefined)).toBe(true);
    expect(pdfium.warnings).toEqual([]);
    // PDFium drew them: its rasteriser's bytes differ from pdf.js's for every crop and page.
    for (const [i, figure] of pdfium.figures.entries()) expect(figure.imageId, figure.label).not.toBe(pdfjs.figures[i]?.imageId);
    for (const [i, page] of pdfium.pages.entries()) expect(page.imageId, `page ${page.page}`).not.toBe(pdfjs.pages[i]?.imageId);
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

/** Bounding box, in pixels, of the pixels close to the colour. */
function extentOf(pixels: Pixels, colour: [number, number, number], tolerance = 40): Box {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++) {
      const i = (y * pixels.width + x) * 4;
      if (colour.every((c, k) => Math.abs(pixels.data[i + k]! - c) <= tolerance)) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
    }
  }
  return [x0, y0, x1, y1];
}

describe("pass 2 geometry with PDFium", () => {
  it("places the drawing exactly on an A4 page with an offset crop box (fractional sizes)", async () => {
    // A4 (595.28 x 841.89 pt) cropped to a box whose corner and size are fractional; a red square
    // near the bottom right, where a page-size rounding error would be largest.
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.TimesRoman);
    const page = pdf.addPage([595.28, 841.89]);
    page.drawText("A page with a red square near its bottom right corner.", { x: 72, y: 760, size: 11, font });
    page.drawRectangle({ x: 450.5, y: 60.25, width: 80, height: 40, color: rgb(1, 0, 0) });
    const crop = { x: 10.5, y: 20.25, width: 560.3, height: 800.6 };
    page.setCropBox(crop.x, crop.y, crop.width, crop.height);
    const data = await pdf.save();
    const dpi = 288;
    const scale = dpi / 72;
    const extra = { cropFigures: false, pageDpi: dpi, maxImagePixels: 10_000_000 };
    const ours = await pixelsOf((await parsePdf(data, options("pdfium", extra))).pages[0]?.imageId);
    const theirs = await pixelsOf((await parsePdf(data, options("pdfjs", extra))).pages[0]?.imageId);
    expect([ours.width, ours.height]).toEqual([Math.floor(crop.width * scale), Math.floor(crop.height * scale)]);
    // Where the square must be: from the crop box's top-left corner, in pixels.
    const cropTop = crop.y + crop.height;
    const expected = [(450.5 - crop.x) * scale, (cropTop - 100.25) * scale, (530.5 - crop.x) * scale, (cropTop - 60.25) * scale];
    const red: [number, number, number] = [255, 0, 0];
    extentOf(ours, red).forEach((edge, k) => expect(Math.abs(edge - expected[k]!), `PDFium edge ${k}`).toBeLessThanOrEqual(1));
    extentOf(theirs, red).forEach((edge, k) => expect(Math.abs(edge - expected[k]!), `pdf.js edge ${k}`).toBeLessThanOrEqual(1));
  });

  it("bounds drawings as pdf.js does: curves by their extent, paths without their line width, forms within forms, images", async () => {
    const pdf = await PDFDocument.create();
    const png = await pdf.embedPng(await makeRedPng());
    // A form (an embedded page) holding a curve and an image, drawn inside another form.
    const inner = await PDFDocument.create();
    const innerPage = inner.addPage([200, 200]);
    innerPage.pushOperators(moveTo(20, 20), appendBezierCurve(20, 220, 180, 220, 180, 20), stroke());
    innerPage.drawImage(await inner.embedPng(await makeRedPng()), { x: 120, y: 30, width: 40, height: 30 });
    const outer = await PDFDocument.create();
    const outerPage = outer.addPage([300, 300]);
    // Embedded from saved bytes: pdf-lib writes a page's drawing operators when its document is saved.
    const [innerForm] = await outer.embedPdf(await inner.save());
    outerPage.drawPage(innerForm!, { x: 50, y: 40, xScale: 0.8, yScale: 0.6 });
    const page = pdf.addPage([612, 792]);
    const [outerForm] = await pdf.embedPdf(await outer.save());
    page.drawPage(outerForm!, { x: 100, y: 300, xScale: 1.2, yScale: 1.1 });
    // A line drawn through a tiny matrix with a huge line width, as in BERT's exported figures:
    // PDFium's own object bounds grow it by the width, across most of the page.
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(0.001, 0, 0, 0.001, 100, 200), setLineWidth(381), moveTo(0, 0), lineTo(100_000, 0), stroke(), popGraphicsState());
    page.drawImage(png, { x: 400, y: 600, width: 100, height: 50 });
    // Paths no reader sees: a white fill (a background behind text), a fully transparent fill, and
    // a path that is neither filled nor stroked. Neither engine counts them as drawings.
    page.drawRectangle({ x: 50, y: 50, width: 500, height: 500, color: rgb(1, 1, 1) });
    page.drawRectangle({ x: 60, y: 60, width: 400, height: 400, color: rgb(0.2, 0.4, 0.6), opacity: 0 });
    page.pushOperators(moveTo(70, 70), lineTo(300, 300), endPath());
    const data = await pdf.save();

    const opened = await PdfiumDocument.open(data);
    if (!opened.ok) throw new Error(`PDFium could not open the test file (${opened.code})`);
    const pdfiumPage = PdfiumPage.load(opened.doc, 1);
    const ours = pdfiumPage?.graphics() ?? [];
    pdfiumPage?.close();
    opened.doc.close();
    const pdfjs = await loadPdfjs();
    const doc = await pdfjs.getDocument(await documentOptions(data)).promise;
    const operators = await (await doc.getPage(1)).getOperatorList();
    const theirs = graphicsFromOperators(operators.fnArray, operators.argsArray, pdfjs.OPS as unknown as OpsTable);
    await doc.destroy();

    const sorted = (boxes: Box[]) => [...boxes].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    expect(ours.length).toBe(4);
    expect(ours.length).toBe(theirs.length);
    sorted(ours).forEach((box, i) => box.forEach((value, k) => expect(Math.abs(value - sorted(theirs)[i]![k]!), `box ${i} edge ${k}`).toBeLessThan(0.01)));
    // The line is 100 points long and flat; the curve's top is 3/4 of its control points' height.
    const line = ours.find((b) => Math.abs(b[0] - 100) < 0.01 && Math.abs(b[1] - 200) < 0.01);
    expect(line).toEqual([100, 200, 200, 200].map((v) => expect.closeTo(v, 3)));
    const curve = ours.find((b) => b[2] - b[0] > 100 && b[1] > 300);
    expect(curve?.[3]).toBeCloseTo(300 + 1.1 * (40 + 0.6 * (20 + 0.75 * 200)), 1);
  });
});

async function makeRedPng(): Promise<Uint8Array> {
  const canvas = createCanvas(8, 8);
  const context = canvas.getContext("2d");
  context.fillStyle = "#ff0000";
  context.fillRect(0, 0, 8, 8);
  return new Uint8Array(await canvas.encode("png"));
}

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

/**
 * Render geometry and PNG encoding for pass 2, and pdf.js's renderer (the fallback for pages PDFium
 * does not render, see pdfium-render.ts) on @napi-rs/canvas: one canvas at a time, released as soon
 * as it is encoded.
 */
import type { PDFPageProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import { FIGURES } from "./heuristics.js";
import { roundToTenth, type Box } from "./matrix.js";
import type { RgbaImage } from "./pdfium-render.js";

/** Scale (pixels per point) for the DPI, lowered so the image stays within maxPixels. */
export function fitScale(dpi: number, widthPt: number, heightPt: number, maxPixels: number): number {
  let scale = dpi / 72;
  const pixels = widthPt * scale * heightPt * scale;
  if (pixels > maxPixels) scale *= Math.sqrt(maxPixels / pixels);
  return scale;
}

/** A region (top-left page points) rendered at a scale: its pixel size. */
export interface RenderGeometry {
  region: Box;
  scale: number;
  width: number;
  height: number;
}

/** The geometry of the region (the whole page when absent) at the DPI, within maxPixels. */
export function renderGeometry(pageWidth: number, pageHeight: number, dpi: number, maxPixels: number, region?: Box): RenderGeometry {
  const box: Box = region ?? [0, 0, pageWidth, pageHeight];
  const [x0, y0, x1, y1] = box;
  const scale = fitScale(dpi, x1 - x0, y1 - y0, maxPixels);
  return { region: box, scale, width: Math.max(1, Math.floor((x1 - x0) * scale)), height: Math.max(1, Math.floor((y1 - y0) * scale)) };
}

/** PNG of the geometry's region of a pdf.js page. */
export async function renderWithPdfjs(page: PDFPageProxy, geometry: RenderGeometry): Promise<Buffer> {
  const { region, scale, width, height } = geometry;
  const viewport = page.getViewport({ scale, offsetX: -region[0] * scale, offsetY: -region[1] * scale });
  const { createCanvas } = await loadCanvas();
  const canvas = createCanvas(width, height);
  try {
    const context = canvas.getContext("2d");
    await page.render({
      canvas: canvas as unknown as HTMLCanvasElement,
      canvasContext: context as unknown as CanvasRenderingContext2D,
      viewport,
    }).promise;
    return await canvas.encode("png");
  } finally {
    // Free the pixel buffer now rather than at the next garbage collection.
    canvas.width = 0;
    canvas.height = 0;
  }
}

/**
 * PNG of RGBA pixels, with sharp (libvips, on its own threads): about 3x faster than the canvas's
 * encoder and a third smaller on rendered pages (bench/ingest.ts crops row).
 */
export async function encodePng(image: RgbaImage): Promise<Buffer> {
  const sharp = await loadSharp();
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return sharp(pixels, { raw: { width: image.width, height: image.height, channels: 4 } }).png().toBuffer();
}

/** Pixel bounds [left, top, right, bottom) of the ink (a pixel whose darkest channel is below FIGURES.inkThreshold). */
export function inkExtent(data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number): [number, number, number, number] | undefined {
  let [left, top, right, bottom] = [width, height, -1, -1];
  const colour = channels >= 3;
  for (let y = 0; y < height; y++) {
    let offset = y * width * channels;
    for (let x = 0; x < width; x++, offset += channels) {
      const darkest = colour ? Math.min(data[offset] ?? 255, data[offset + 1] ?? 255, data[offset + 2] ?? 255) : (data[offset] ?? 255);
      if (darkest >= FIGURES.inkThreshold) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return right < 0 ? undefined : [left, top, right + 1, bottom + 1];
}

interface Trim {
  /** Pixel rectangle kept. */
  left: number;
  top: number;
  width: number;
  height: number;
  box: Box;
}

/**
 * The part of a crop (width x height pixels of `box`) that holds ink, with FIGURES.padding around;
 * undefined when there is nothing to trim (no ink, or ink up to the edges).
 */
function trimOf(data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number, box: Box): Trim | undefined {
  const extent = inkExtent(data, width, height, channels);
  if (!extent) return undefined;
  const scale = width / Math.max(box[2] - box[0], 1e-6);
  const pad = Math.ceil(FIGURES.padding * scale);
  const [x0, y0] = [Math.max(0, extent[0] - pad), Math.max(0, extent[1] - pad)];
  const [x1, y1] = [Math.min(width, extent[2] + pad), Math.min(height, extent[3] + pad)];
  if (x0 === 0 && y0 === 0 && x1 === width && y1 === height) return undefined;
  const trimmed: Box = [box[0] + x0 / scale, box[1] + y0 / scale, box[0] + x1 / scale, box[1] + y1 / scale].map(roundToTenth) as Box;
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0, box: trimmed };
}

/**
 * A crop's RGBA pixels without their white margins (what a region's drawings span can be wider
 * than what they paint: an image's white border), and its box in top-left page points. Never grown.
 */
export function trimRgbaToInk(image: RgbaImage, box: Box): { image: RgbaImage; box: Box } {
  const trim = trimOf(image.data, image.width, image.height, 4, box);
  if (!trim) return { image, box };
  const data = new Uint8ClampedArray(trim.width * trim.height * 4);
  for (let y = 0; y < trim.height; y++) {
    const from = ((trim.top + y) * image.width + trim.left) * 4;
    data.set(image.data.subarray(from, from + trim.width * 4), y * trim.width * 4);
  }
  return { image: { width: trim.width, height: trim.height, data }, box: trim.box };
}

/** trimRgbaToInk for a PNG (pdf.js's renders): decoded, trimmed, encoded again. */
export async function trimToInk(png: Buffer, box: Box): Promise<{ png: Buffer; box: Box }> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const trim = trimOf(data, info.width, info.height, 1, box);
  if (!trim) return { png, box };
  const trimmed = await sharp(png).extract({ left: trim.left, top: trim.top, width: trim.width, height: trim.height }).png().toBuffer();
  return { png: trimmed, box: trim.box };
}

let sharpLoading: Promise<typeof import("sharp")> | undefined;

export function loadSharp(): Promise<typeof import("sharp")> {
  sharpLoading ??= import("sharp").then(({ default: sharp }) => {
    // Every input is new pixels: libvips's operation cache would only hold memory.
    sharp.cache(false);
    return sharp;
  });
  return sharpLoading;
}

// Loaded on first render: text-only ingests never load the native canvas addon.
const loadCanvas = () => import("@napi-rs/canvas");

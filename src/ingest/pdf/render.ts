/**
 * Render geometry and PNG encoding for pass 2, and pdf.js's renderer (the fallback for pages PDFium
 * does not render, see pdfium-render.ts) on @napi-rs/canvas: one canvas at a time, released as soon
 * as it is encoded.
 */
import type { PDFPageProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { Box } from "./matrix.js";
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

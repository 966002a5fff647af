/**
 * Renders a page, or a region of it, to PNG with @napi-rs/canvas (the canvas pdf.js uses in Node).
 * One canvas at a time, released as soon as it is encoded.
 */
import type { PDFPageProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { Box } from "./figures.js";

/** Scale (pixels per point) for the DPI, lowered so the image stays within maxPixels. */
export function fitScale(dpi: number, widthPt: number, heightPt: number, maxPixels: number): number {
  let scale = dpi / 72;
  const pixels = widthPt * scale * heightPt * scale;
  if (pixels > maxPixels) scale *= Math.sqrt(maxPixels / pixels);
  return scale;
}

/** PNG of the region (top-left page points; the whole page when absent) at the DPI, within maxPixels. */
export async function renderRegion(page: PDFPageProxy, dpi: number, maxPixels: number, region?: Box): Promise<Buffer> {
  const base = page.getViewport({ scale: 1 });
  const [x0, y0, x1, y1] = region ?? [0, 0, base.width, base.height];
  const scale = fitScale(dpi, x1 - x0, y1 - y0, maxPixels);
  const width = Math.max(1, Math.floor((x1 - x0) * scale));
  const height = Math.max(1, Math.floor((y1 - y0) * scale));
  const viewport = page.getViewport({ scale, offsetX: -x0 * scale, offsetY: -y0 * scale });
  // Loaded on first render: text-only ingests never load the native canvas addon.
  const { createCanvas } = await import("@napi-rs/canvas");
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

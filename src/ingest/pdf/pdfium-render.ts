/**
 * Pass 2 with PDFium: the boxes a page draws (for figure regions) and renders of the page or a
 * region of it. On the shared corpus this is several times faster than pdf.js, which parses the
 * page's operators again and paints every glyph on the page as a path even for a small crop
 * (bench/ingest.ts prints both). pdf.js stays the fallback for rotated pages and files PDFium
 * cannot open (see index.ts).
 */
import { boxOf, cubicExtent, times, type Box } from "./matrix.js";
import { FIGURES } from "./heuristics.js";
import { floatsAt, heaps, type PdfiumDocument } from "./pdfium-text.js";

/** FPDFPageObj_GetType values. */
const PAGEOBJ_PATH = 2;
const PAGEOBJ_IMAGE = 3;
const PAGEOBJ_FORM = 5;
/** FPDF_RenderPageBitmap flags: draw annotations' appearances (as pdf.js does), RGBA byte order. */
const RENDER_FLAGS = 0x01 | 0x10;
/** FPDFBitmap_BGRA: four bytes per pixel (RGBA with the byte-order flag). */
const BITMAP_BGRA = 4;
const OPAQUE_WHITE = 0xffffffff;
/** Forms nested deeper than this are not looked into (a malformed file could nest them without end). */
const MAX_FORM_DEPTH = 32;
/** FPDFPathSegment_GetType values. */
const SEGMENT_BEZIERTO = 1;
/**
 * Larger renders are drawn in bands of at most this many pixels: the WASM heap never shrinks, so one
 * 20-megapixel bitmap would keep 80 MB for the life of the thread (a band keeps 16 MB).
 */
const RENDER_BAND_PIXELS = 4_000_000;

/** The per-object functions, called on the WASM exports (the wrappers' ccall costs more than the work). */
interface ObjectExports {
  FPDFPage_CountObjects(page: number): number;
  FPDFPage_GetObject(page: number, index: number): number;
  FPDFFormObj_CountObjects(form: number): number;
  FPDFFormObj_GetObject(form: number, index: number): number;
  FPDFPageObj_GetType(object: number): number;
  FPDFPageObj_GetBounds(object: number, left: number, bottom: number, right: number, top: number): number;
  FPDFPageObj_GetMatrix(object: number, matrix: number): number;
  FPDFPath_CountSegments(path: number): number;
  FPDFPath_GetPathSegment(path: number, index: number): number;
  FPDFPathSegment_GetPoint(segment: number, x: number, y: number): number;
  FPDFPathSegment_GetType(segment: number): number;
  FPDFPath_GetDrawMode(path: number, fillMode: number, stroke: number): number;
  FPDFPageObj_GetFillColor(object: number, r: number, g: number, b: number, a: number): number;
}

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA, opaque. */
  data: Uint8ClampedArray;
}

/** One unrotated page loaded in PDFium for pass 2; close() frees it. */
export class PdfiumPage {
  private closed = false;

  private constructor(
    private readonly doc: PdfiumDocument,
    private readonly page: number,
    /**
     * The inverse of PDFium's own map from user space to the page's top-left points, which
     * FPDF_RenderPageBitmapWithMatrix applies before the caller's matrix (see render).
     */
    private readonly fromDisplay: number[],
  ) {}

  /** Page `pageNumber` (1-based), or undefined when it is rotated (pdf.js maps rotated pages). */
  static load(doc: PdfiumDocument, pageNumber: number): PdfiumPage | undefined {
    return doc.call((m, handle) => {
      const page = m.FPDF_LoadPage(handle, pageNumber - 1);
      if (!page) throw new Error(`PDFium could not load page ${pageNumber} (error ${m.FPDF_GetLastError()})`);
      const scratch = m.pdfium.wasmExports.malloc(16);
      try {
        if (m.FPDFPage_GetRotation(page) !== 0 || !m.FPDF_GetPageBoundingBox(page, scratch)) {
          m.FPDF_ClosePage(page);
          return undefined;
        }
        const [left = 0, , , bottom = 0] = floatsAt(m, scratch, 4);
        // FPDF_RenderPageBitmapWithMatrix first maps the page box onto (0, 0, width, height) points,
        // top-left origin: (x, y) -> (x - left, top - y), then applies the caller's matrix. Kept here
        // is that first map's inverse, (u, v) -> (u + left, top - v).
        const top = bottom + m.FPDF_GetPageHeightF(page);
        return new PdfiumPage(doc, page, [1, 0, 0, -1, left, top]);
      } finally {
        m.pdfium.wasmExports.free(scratch);
      }
    });
  }

  /**
   * Boxes, in PDF user space, of the paths and images the page draws, inside form XObjects too; not
   * text, not shadings; a path's box spans the path itself (a curve's extent, not its control
   * points) without the line width, as graphicsFromOperators reads pdf.js's operators.
   */
  graphics(): Box[] {
    return this.doc.call((m) => {
      const x = m.pdfium.wasmExports as unknown as ObjectExports;
      const scratch = m.pdfium.wasmExports.malloc(24);
      const boxes: Box[] = [];
      // A path's box from its points, as pdf.js computes it: PDFium's own bounds add the line width
      // in the path's space, which for some exported drawings (tiny matrix, huge width) spans the page.
      const pathBox = (path: number): Box | undefined => {
        const segments = x.FPDFPath_CountSegments(path);
        if (segments <= 0 || !x.FPDFPageObj_GetMatrix(path, scratch)) return undefined;
        const matrix = floatsAt(m, scratch, 6);
        const xs: number[] = [];
        const ys: number[] = [];
        let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
        for (let i = 0; i < segments; i++) {
          const segment = x.FPDFPath_GetPathSegment(path, i);
          const ok = segment !== 0 && x.FPDFPathSegment_GetPoint(segment, scratch, scratch + 4) !== 0;
          const f = heaps(m).HEAPF32;
          const px = ok ? (f[scratch >> 2] ?? NaN) : NaN;
          const py = ok ? (f[(scratch + 4) >> 2] ?? NaN) : NaN;
          // A curve is three BEZIERTO segments (two control points, then its end): bound the curve
          // itself, from the point before it, as pdf.js does.
          if (ok && x.FPDFPathSegment_GetType(segment) === SEGMENT_BEZIERTO && xs.length > 0) {
            xs.push(px);
            ys.push(py);
            if (xs.length < 4) continue;
            const [cx0, cx1] = cubicExtent(xs[0]!, xs[1]!, xs[2]!, xs[3]!);
            const [cy0, cy1] = cubicExtent(ys[0]!, ys[1]!, ys[2]!, ys[3]!);
            if ([cx0, cx1, cy0, cy1].every(Number.isFinite)) [x0, y0, x1, y1] = [Math.min(x0, cx0), Math.min(y0, cy0), Math.max(x1, cx1), Math.max(y1, cy1)];
            xs.splice(0, 3);
            ys.splice(0, 3);
            continue;
          }
          xs.length = 0;
          ys.length = 0;
          if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
          [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px), Math.max(y1, py)];
          xs.push(px);
          ys.push(py);
        }
        return x1 >= x0 ? boxOf(matrix, x0, y0, x1, y1) : undefined;
      };
      // Paths that paint nothing a reader sees: neither filled nor stroked, or filled white (or
      // transparent) without a stroke (page backgrounds, masks behind text). They are no figure's part.
      const paintsInk = (path: number): boolean => {
        if (!x.FPDFPath_GetDrawMode(path, scratch, scratch + 4)) return true;
        const [fillMode = 0, stroke = 0] = Array.from(heaps(m).HEAP32.subarray(scratch >> 2, (scratch >> 2) + 2));
        if (stroke) return true;
        if (fillMode === 0) return false;
        if (!x.FPDFPageObj_GetFillColor(path, scratch, scratch + 4, scratch + 8, scratch + 12)) return true;
        const [r = 0, g = 0, b = 0, a = 255] = Array.from(heaps(m).HEAPU32.subarray(scratch >> 2, (scratch >> 2) + 4));
        return a > 0 && Math.min(r, g, b) < FIGURES.whiteFill;
      };
      const walk = (count: number, objectAt: (index: number) => number, ctm: readonly number[], depth: number) => {
        for (let i = 0; i < count; i++) {
          const object = objectAt(i);
          const type = object ? x.FPDFPageObj_GetType(object) : 0;
          if (type === PAGEOBJ_PATH) {
            if (!paintsInk(object)) continue;
            const box = pathBox(object);
            if (box) boxes.push(boxOf(ctm, box[0], box[1], box[2], box[3]));
          } else if (type === PAGEOBJ_IMAGE) {
            if (!x.FPDFPageObj_GetBounds(object, scratch, scratch + 4, scratch + 8, scratch + 12)) continue;
            const [left = 0, bottom = 0, right = 0, top = 0] = floatsAt(m, scratch, 4);
            if (!Number.isFinite(left) || !Number.isFinite(right) || right < left) continue;
            boxes.push(boxOf(ctm, left, bottom, right, top));
          } else if (type === PAGEOBJ_FORM && depth < MAX_FORM_DEPTH) {
            // A form's objects are in the form's space: its matrix maps them into the parent's.
            if (!x.FPDFPageObj_GetMatrix(object, scratch)) continue;
            const matrix = floatsAt(m, scratch, 6);
            walk(x.FPDFFormObj_CountObjects(object), (index) => x.FPDFFormObj_GetObject(object, index), times(ctm, matrix), depth + 1);
          }
        }
      };
      try {
        walk(x.FPDFPage_CountObjects(this.page), (index) => x.FPDFPage_GetObject(this.page, index), [1, 0, 0, 1, 0, 0], 0);
      } finally {
        m.pdfium.wasmExports.free(scratch);
      }
      return boxes;
    });
  }

  /**
   * The page drawn through `transform` (PDF user space -> pixels, y down) onto a white
   * width x height image; what falls outside is cut off.
   */
  render(transform: readonly number[], width: number, height: number): RgbaImage {
    const matrix = times(transform, this.fromDisplay);
    const data = new Uint8ClampedArray(width * height * 4);
    const bandRows = Math.max(1, Math.min(height, Math.floor(RENDER_BAND_PIXELS / width)));
    for (let top = 0; top < height; top += bandRows) {
      const rows = Math.min(bandRows, height - top);
      // The band is the image from row `top` down: the same drawing moved up by `top` pixels.
      this.renderBand(times([1, 0, 0, 1, 0, -top], matrix), width, rows, data, top * width * 4);
    }
    return { width, height, data };
  }

  private renderBand(matrix: readonly number[], width: number, rows: number, into: Uint8ClampedArray, offset: number): void {
    this.doc.call((m) => {
      const bitmap = m.FPDFBitmap_CreateEx(width, rows, BITMAP_BGRA, 0, 0);
      if (!bitmap) throw new Error(`PDFium could not allocate a ${width} x ${rows} image`);
      const scratch = m.pdfium.wasmExports.malloc(40);
      try {
        m.FPDFBitmap_FillRect(bitmap, 0, 0, width, rows, OPAQUE_WHITE);
        // FS_MATRIX (a, b, c, d, e, f) then FS_RECTF clip (left, top, right, bottom), float32.
        heaps(m).HEAPF32.set([...matrix, 0, 0, width, rows], scratch >> 2);
        m.FPDF_RenderPageBitmapWithMatrix(bitmap, this.page, scratch, scratch + 24, RENDER_FLAGS);
        const buffer = m.FPDFBitmap_GetBuffer(bitmap);
        const stride = m.FPDFBitmap_GetStride(bitmap);
        const heap = heaps(m).HEAPU8;
        const rowBytes = width * 4;
        if (stride === rowBytes) into.set(heap.subarray(buffer, buffer + rows * rowBytes), offset);
        else for (let row = 0; row < rows; row++) into.set(heap.subarray(buffer + row * stride, buffer + row * stride + rowBytes), offset + row * rowBytes);
      } finally {
        m.FPDFBitmap_Destroy(bitmap);
        m.pdfium.wasmExports.free(scratch);
      }
    });
  }

  /** Frees the page; a no-op once the document is closed or broken (the page went with it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.doc.usable) this.doc.call((m) => m.FPDF_ClosePage(this.page));
  }
}

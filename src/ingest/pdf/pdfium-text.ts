/**
 * The text pass with PDFium (WebAssembly, @embedpdf/pdfium): about five times faster than
 * pdf.js's getTextContent on the corpus. It yields the same text items pdf.js would (runs of glyphs
 * in one font on one baseline, a " " where the gap is a word space, a separate whitespace item and a
 * new run where the gap is wider), so layout.ts reads both engines alike.
 *
 * The WASM module is loaded lazily, once per thread, and reused. Pages PDFium cannot map like
 * pdf.js's viewport (a /Rotate other than 0) are reported as unsupported so the caller falls back
 * to pdf.js for them.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { WrappedPdfiumModule } from "@embedpdf/pdfium";
import type { PdfTextItemLike } from "./layout.js";

/** Emscripten's views of WASM memory (replaced when memory grows: read them after each call). */
interface Heaps {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  HEAPF32: Float32Array;
  HEAPF64: Float64Array;
}
export const heaps = (m: WrappedPdfiumModule) => m.pdfium as unknown as Heaps;

/** `count` float32 values PDFium wrote at `pointer` (a rectangle, a matrix), as numbers. */
export const floatsAt = (m: WrappedPdfiumModule, pointer: number, count: number): number[] => Array.from(heaps(m).HEAPF32.subarray(pointer >> 2, (pointer >> 2) + count));

/**
 * The per-character functions called straight on the WASM exports: the package's wrappers go
 * through ccall with argument assertions, which cost more than PDFium's own work here.
 */
interface CharExports {
  FPDFText_GetUnicode(textPage: number, index: number): number;
  FPDFText_IsGenerated(textPage: number, index: number): number;
  FPDFText_GetTextObject(textPage: number, index: number): number;
  FPDFTextObj_GetFont(textObject: number): number;
  FPDFText_GetFontSize(textPage: number, index: number): number;
  FPDFText_GetMatrix(textPage: number, index: number, matrix: number): number;
  FPDFText_GetCharOrigin(textPage: number, index: number, x: number, y: number): number;
  FPDFText_GetLooseCharBox(textPage: number, index: number, rect: number): number;
  FPDFText_HasUnicodeMapError(textPage: number, index: number): number;
}

/**
 * PDFium's heap grows in steps as documents load, and each growth makes Emscripten replace the
 * HEAP views on the module object, which throws away the optimised code that reads them: on the
 * shared corpus the per-glyph loop was compiled four times instead of two (about 0.25 s of compile
 * CPU in a 2.6 s ingest). Growing once at load, before any code is hot, to a size that holds
 * typical papers avoids that. Pages never touched cost no resident memory.
 */
const PDFIUM_HEAP_RESERVE_BYTES = 32 * 1024 * 1024;

let loading: Promise<WrappedPdfiumModule> | undefined;

async function load(): Promise<WrappedPdfiumModule> {
  const { init } = await import("@embedpdf/pdfium");
  const require = createRequire(import.meta.url);
  const bytes = await readFile(require.resolve("@embedpdf/pdfium/pdfium.wasm"));
  const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const module = await init({ wasmBinary });
  module.PDFiumExt_Init();
  // Grow the heap once, now: see PDFIUM_HEAP_RESERVE_BYTES.
  const block = module.pdfium.wasmExports.malloc(PDFIUM_HEAP_RESERVE_BYTES);
  if (block) module.pdfium.wasmExports.free(block);
  return module;
}

/**
 * A WASM trap (out of memory, an abort inside PDFium) leaves the instance unusable: the next
 * document gets a fresh one, and the error says the engine, not the file, failed.
 */
function discardOnTrap(error: unknown): never {
  if (error instanceof WebAssembly.RuntimeError) {
    loading = undefined;
    throw new PdfiumTrapError(error);
  }
  throw error;
}

class PdfiumTrapError extends Error {
  constructor(cause: WebAssembly.RuntimeError) {
    super(`PDFium stopped (${cause.message})`, { cause });
    this.name = "PdfiumTrapError";
  }
}

export function loadPdfium(): Promise<WrappedPdfiumModule> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** FPDF_GetLastError codes. */
const FPDF_ERR_PASSWORD = 4;

export type PdfiumOpenFailure = { ok: false; password: boolean; code: number };
export type PdfiumOpenResult = { ok: true; doc: PdfiumDocument } | PdfiumOpenFailure;

// pdf.js's text content builder: gaps between glyphs up to this share of the font size are
// tracking, up to the next a word space inside the item, wider ones end the item.
const TRACKING_SPACE = 0.102;
const SPACE_IN_FLOW_MAX = 0.6;
/** A vertical move larger than this share of the font size ends the item (superscripts). */
const VERTICAL_SHIFT = 0.25;
/** Moving back further than this share of the font size ends the item. */
const NEGATIVE_SPACE = 0.2;

/** float32 -> the decimal it most likely was written as (memoised: text objects repeat sizes and matrices). */
const roundCache = new Map<number, number>();
const round = (value: number): number => {
  let rounded = roundCache.get(value);
  if (rounded === undefined) {
    rounded = Number(value.toPrecision(6));
    if (roundCache.size > 4096) roundCache.clear();
    roundCache.set(value, rounded);
  }
  return rounded;
};

/**
 * TeX's math fonts without a ToUnicode map: PDFium returns their raw codes ("X" for a display sum),
 * where pdf.js maps the glyph names. The glyphs that matter for search, by font family.
 */
const TEX_MATH_GLYPHS: Record<string, Record<number, string>> = {
  CMEX: { 0x50: "\u2211", 0x58: "\u2211", 0x51: "\u220f", 0x59: "\u220f", 0x52: "\u222b", 0x5a: "\u222b", 0x62: "\u0302", 0x63: "\u0302", 0x64: "\u0302", 0x65: "\u0303", 0x66: "\u0303", 0x67: "\u0303" },
  CMSY: { 0x68: "\u27e8", 0x69: "\u27e9", 0x6b: "\u2016" },
  CMMI: { 0x60: "\u2113" },
};

export interface PdfiumPageText {
  items: PdfTextItemLike[];
  /** pdf.js's viewport transform at scale 1: PDF user space -> top-left origin, y down. */
  viewportTransform: number[];
  width: number;
  height: number;
}

/** The document information entries PdfiumTextSource.info() returns when present. */
const PDFIUM_META_KEYS = ["Title", "CreationDate"] as const;

/** A PDF's text layer from PDFium, read in this thread (PdfiumDocument) or on a worker (pdfium-remote.ts). */
export interface PdfiumTextSource {
  readonly pageCount: number;
  /** True once PDFium trapped on this document: read the remaining pages with pdf.js. */
  readonly broken: boolean;
  /** The document information entries parsing uses (PDFIUM_META_KEYS), raw as stored; absent ones left out. */
  info(): Record<string, string>;
  /** Text items of page `pageNumber` (1-based), or undefined when the page needs pdf.js (rotated). */
  pageText(pageNumber: number): PdfiumPageText | undefined | Promise<PdfiumPageText | undefined>;
  close(): void;
}

/** A run of glyphs being grouped into one text item. */
interface OpenItem {
  chars: string[];
  font: number;
  size: number;
  a: number;
  b: number;
  c: number;
  d: number;
  x: number;
  y: number;
  end: number;
  last: number;
}

/** Ends a run: its text becomes an item (a run of only ligature remnants may be empty). */
function pushItem(items: PdfTextItemLike[], item: OpenItem): void {
  const text = item.chars.join("");
  if (text) items.push({ str: text, transform: [item.a, item.b, item.c, item.d, item.x, item.y], width: item.end, fontName: `pdfium_f${item.font}` });
}

/** One PDF opened in PDFium; close() frees it (and the copy of its bytes in WASM memory). */
export class PdfiumDocument implements PdfiumTextSource {
  private closed = false;
  private readonly scratch: number;

  private constructor(
    private readonly m: WrappedPdfiumModule,
    private readonly handle: number,
    private readonly dataPointer: number,
  ) {
    this.scratch = m.pdfium.wasmExports.malloc(256);
  }

  static async open(data: Uint8Array): Promise<PdfiumOpenResult> {
    const m = await loadPdfium();
    try {
      const pointer = m.pdfium.wasmExports.malloc(Math.max(1, data.length));
      if (!pointer) throw new Error(`PDFium could not allocate ${data.length} bytes`);
      heaps(m).HEAPU8.set(data, pointer);
      const handle = m.FPDF_LoadMemDocument(pointer, data.length, "");
      if (!handle) {
        const code = m.FPDF_GetLastError();
        m.pdfium.wasmExports.free(pointer);
        return { ok: false, password: code === FPDF_ERR_PASSWORD, code };
      }
      return { ok: true, doc: new PdfiumDocument(m, handle, pointer) };
    } catch (error) {
      return discardOnTrap(error);
    }
  }

  /** True once PDFium trapped on this document: its instance is gone, read the rest with pdf.js. */
  get broken(): boolean {
    return this.trapped;
  }

  /** Neither closed nor broken: call() will run. */
  get usable(): boolean {
    return !this.closed && !this.trapped;
  }
  private trapped = false;

  get pageCount(): number {
    return this.m.FPDF_GetPageCount(this.handle);
  }

  /** A document information entry ("Title", "CreationDate"), raw as stored; undefined when absent. */
  private metaText(key: string): string | undefined {
    const m = this.m;
    const size = m.FPDF_GetMetaText(this.handle, key, 0, 0);
    if (size <= 2) return undefined;
    const buffer = m.pdfium.wasmExports.malloc(size);
    try {
      m.FPDF_GetMetaText(this.handle, key, buffer, size);
      return m.pdfium.UTF16ToString(buffer);
    } finally {
      m.pdfium.wasmExports.free(buffer);
    }
  }

  info(): Record<string, string> {
    const info: Record<string, string> = {};
    for (const key of PDFIUM_META_KEYS) {
      const value = this.metaText(key);
      if (value !== undefined) info[key] = value;
    }
    return info;
  }

  /** Text items of page `pageNumber` (1-based), or undefined when the page needs pdf.js (rotated). */
  pageText(pageNumber: number): PdfiumPageText | undefined {
    return this.call(() => this.readPage(pageNumber));
  }

  /**
   * Runs `use` with the module and this document's handle (pass 2 in pdfium-render.ts builds on it):
   * a trap marks the document broken and discards the instance, as for the text pass.
   */
  call<T>(use: (m: WrappedPdfiumModule, handle: number) => T): T {
    if (this.trapped) throw new Error("PDFium stopped earlier in this document");
    if (this.closed) throw new Error("the document is closed");
    try {
      return use(this.m, this.handle);
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) this.trapped = true;
      return discardOnTrap(error);
    }
  }

  private readPage(pageNumber: number): PdfiumPageText | undefined {
    const m = this.m;
    const page = m.FPDF_LoadPage(this.handle, pageNumber - 1);
    if (!page) throw new Error(`PDFium could not load page ${pageNumber} (error ${m.FPDF_GetLastError()})`);
    let textPage = 0;
    try {
      if (m.FPDFPage_GetRotation(page) !== 0) return undefined;
      const view = this.pageView(page);
      if (!view) return undefined;
      const [x0, y0, x1, y1] = view;
      textPage = m.FPDFText_LoadPage(page);
      if (!textPage) throw new Error(`PDFium could not read the text of page ${pageNumber}`);
      return { items: this.items(textPage), viewportTransform: [1, 0, 0, -1, -x0, y1], width: x1 - x0, height: y1 - y0 };
    } finally {
      if (textPage) m.FPDFText_ClosePage(textPage);
      m.FPDF_ClosePage(page);
    }
  }

  /** pdf.js's page.view: the crop box clipped to the media box, normalised. */
  private pageView(page: number): [number, number, number, number] | undefined {
    const m = this.m;
    const s = this.scratch;
    const box = (read: typeof m.FPDFPage_GetMediaBox): [number, number, number, number] | undefined => {
      if (!read(page, s, s + 4, s + 8, s + 12)) return undefined;
      const [l = 0, b = 0, r = 0, t = 0] = floatsAt(m, s, 4);
      return [Math.min(l, r), Math.min(b, t), Math.max(l, r), Math.max(b, t)];
    };
    const media = box(m.FPDFPage_GetMediaBox) ?? [0, 0, m.FPDF_GetPageWidthF(page), m.FPDF_GetPageHeightF(page)];
    const crop = box(m.FPDFPage_GetCropBox) ?? media;
    const view: [number, number, number, number] = [Math.max(crop[0], media[0]), Math.max(crop[1], media[1]), Math.min(crop[2], media[2]), Math.min(crop[3], media[3])];
    if (view[2] - view[0] <= 0 || view[3] - view[1] <= 0) return media[2] - media[0] > 0 && media[3] - media[1] > 0 ? media : undefined;
    return view;
  }

  private readonly fontGlyphs = new Map<number, Record<number, string> | undefined>();

  /** The TeX math glyph table of a font, by its base name without the subset prefix ("ABCDEF+CMEX10"). */
  private glyphTable(font: number): Record<number, string> | undefined {
    if (this.fontGlyphs.has(font)) return this.fontGlyphs.get(font);
    let table: Record<number, string> | undefined;
    if (font && this.m.FPDFFont_GetBaseFontName(font, this.scratch, 256) > 0) {
      const name = this.m.pdfium.UTF8ToString(this.scratch).replace(/^[A-Z]{6}\+/, "");
      table = TEX_MATH_GLYPHS[name.slice(0, 4)];
    }
    this.fontGlyphs.set(font, table);
    return table;
  }

  private items(textPage: number): PdfTextItemLike[] {
    const m = this.m;
    const x = m.pdfium.wasmExports as unknown as CharExports;
    const s = this.scratch;
    // No closures in here: a closure made per call is a new call target each page, and calling it
    // throws away the loop's optimised code once more (HEAP views are read from the module directly).
    const items: PdfTextItemLike[] = [];
    let item: OpenItem | undefined;
    // Direction of the current item's baseline (unit vector), for gaps along rotated text.
    let ux = 1;
    let uy = 0;
    const count = m.FPDFText_CountChars(textPage);
    // Font handles are addresses, which a font loaded for a later page may reuse.
    this.fontGlyphs.clear();
    let lastObject = 0;
    let hasMatrix = false;
    // The current text object's text matrix (font size times its rounded matrix), size and
    // baseline direction (unit vector).
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let size = 0;
    let scaleX = 0;
    let dirX = 1;
    let dirY = 0;
    let glyphs: Record<number, string> | undefined;
    let font = 0;
    for (let i = 0; i < count; i++) {
      const code = x.FPDFText_GetUnicode(textPage, i);
      // Whitespace (real or generated) is only movement; the gap to the next glyph decides.
      if (code <= 0x20 && code !== 0x02) continue;
      if (code === 0xa0 || x.FPDFText_IsGenerated(textPage, i) === 1) continue;
      const object = x.FPDFText_GetTextObject(textPage, i);
      // PDFium gives every glyph of a text object that object's font size and matrix: read them once
      // per object (object 0, no object, reads them per glyph).
      if (object !== lastObject || object === 0) {
        if (object !== lastObject) {
          lastObject = object;
          font = object ? x.FPDFTextObj_GetFont(object) : 0;
          glyphs = this.glyphTable(font);
        }
        // PDFium keeps sizes and matrices in float32; pdf.js reads the content stream's decimals.
        const rawSize = x.FPDFText_GetFontSize(textPage, i);
        hasMatrix = x.FPDFText_GetMatrix(textPage, i, s) !== 0;
        if (hasMatrix) {
          const f = heaps(m).HEAPF32;
          const fontSize = round(rawSize);
          a = fontSize * round(f[s >> 2] ?? 1);
          b = fontSize * round(f[(s + 4) >> 2] ?? 0);
          c = fontSize * round(f[(s + 8) >> 2] ?? 0);
          d = fontSize * round(f[(s + 12) >> 2] ?? 1);
          size = Math.hypot(c, d) || fontSize;
          scaleX = Math.hypot(a, b);
          dirX = scaleX > 0 ? a / scaleX : 1;
          dirY = scaleX > 0 ? b / scaleX : 0;
        }
      }
      if (!hasMatrix) continue;
      if (!x.FPDFText_GetCharOrigin(textPage, i, s, s + 8)) continue;
      const h = heaps(m).HEAPF64;
      const ox = h[s >> 3] ?? 0;
      const oy = h[(s + 8) >> 3] ?? 0;
      // The loose box spans the glyph's advance: its far edge is where the next glyph would start.
      const hasBox = x.FPDFText_GetLooseCharBox(textPage, i, s);
      const g = heaps(m).HEAPF32;
      const left = g[s >> 2] ?? ox;
      const right = g[(s + 8) >> 2] ?? ox;
      const bottom = g[(s + 12) >> 2] ?? oy;
      const top = g[(s + 4) >> 2] ?? oy;
      // Advance along the baseline: the projection of the loose box onto the text direction.
      let advance = 0;
      if (hasBox) {
        const farthest = Math.max(left * dirX + bottom * dirY, right * dirX + bottom * dirY, left * dirX + top * dirY, right * dirX + top * dirY);
        advance = Math.max(0, farthest - (ox * dirX + oy * dirY));
      }
      // PDFium reports a hyphen at the end of a line as U+0002.
      const char = code === 0x02 ? "-" : ((glyphs && x.FPDFText_HasUnicodeMapError(textPage, i) === 1 ? glyphs[code] : undefined) ?? String.fromCharCode(code));
      if (item) {
        const sameFont = item.font === font && Math.abs(item.size - size) < 0.01 * size && Math.abs(item.a * dirY - item.b * dirX) < 0.01 * scaleX;
        // Position relative to the item's origin along / across its baseline.
        const along = (ox - item.x) * ux + (oy - item.y) * uy;
        const across = -(ox - item.x) * uy + (oy - item.y) * ux;
        const gap = along - item.end;
        // The second and later letters of a ligature ("fi") share the first one's origin.
        if (Math.abs(along - item.last) < 1e-3 && Math.abs(across) < 1e-3 && sameFont) {
          item.chars.push(char);
          continue;
        }
        if (!sameFont || Math.abs(across) > VERTICAL_SHIFT * size || gap < -NEGATIVE_SPACE * size) {
          pushItem(items, item);
        } else if (gap > SPACE_IN_FLOW_MAX * size) {
          pushItem(items, item);
          // A quad (1 em, after section numbers) sits on layout.ts's word-space limit, where pdf.js's
          // float noise falls either way; make it exactly 1 em so it is read as a word space.
          const width = Math.abs(gap - size) < 1e-3 * size ? size : gap;
          items.push({ str: " ", transform: [a, b, c, d, item.x + item.end * ux, item.y + item.end * uy], width, fontName: `pdfium_f${font}` });
        } else {
          if (gap > TRACKING_SPACE * size) item.chars.push(" ");
          item.chars.push(char);
          item.end = Math.max(item.end, along + advance);
          item.last = along;
          continue;
        }
      }
      item = { chars: [char], font, size, a, b, c, d, x: ox, y: oy, end: advance, last: 0 };
      ux = dirX;
      uy = dirY;
    }
    if (item) pushItem(items, item);
    return items;
  }

  /** Frees the document; never throws (a trap while closing discards the instance, as elsewhere). */
  close(): void {
    if (this.closed || this.trapped) return;
    this.closed = true;
    try {
      this.m.FPDF_CloseDocument(this.handle);
      this.m.pdfium.wasmExports.free(this.dataPointer);
      this.m.pdfium.wasmExports.free(this.scratch);
    } catch (error) {
      this.trapped = true;
      if (error instanceof WebAssembly.RuntimeError) loading = undefined;
    }
  }
}

/**
 * What a page draws, as boxes: pdf.js's operator list read into the boxes of its images and painted
 * paths (PDFium's pass reads its page objects the same way, ./pdfium-render.ts), then taken to
 * top-left page points without specks, page-sized backgrounds and paths that paint nothing.
 */
import { FIGURES } from "./heuristics.js";
import { boxOf, times, type Box } from "./matrix.js";

/** pdf.js operator ids used here (from pdfjs OPS). */
export interface OpsTable {
  save: number;
  restore: number;
  transform: number;
  constructPath: number;
  endPath: number;
  paintImageXObject: number;
  paintInlineImageXObject: number;
  paintImageMaskXObject: number;
  paintImageXObjectRepeat: number;
  paintSolidColorImageMask: number;
  paintFormXObjectBegin: number;
  paintFormXObjectEnd: number;
  setFillRGBColor: number;
  setGState: number;
  fill: number;
  eoFill: number;
}

/** The fill alpha a pdf.js setGState sets ("ca"), if it sets one. */
function fillAlphaOf(args: unknown[] | null): number | undefined {
  const entries = args?.[0];
  if (!Array.isArray(entries)) return undefined;
  for (const entry of entries) if (Array.isArray(entry) && entry[0] === "ca" && typeof entry[1] === "number") return entry[1];
  return undefined;
}

/** "#rrggbb" white on paper (FIGURES.whiteFill). */
function isWhite(hex: unknown): boolean {
  if (typeof hex !== "string" || !/^#[0-9a-f]{6}$/i.test(hex)) return false;
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return Math.min(...channels) >= FIGURES.whiteFill;
}

/**
 * Boxes, in PDF user space, of the images and painted paths in pdf.js's operator list (form
 * XObjects included, text and clipping-only paths not).
 */
export function graphicsFromOperators(fnArray: readonly number[], argsArray: readonly unknown[], OPS: OpsTable): Box[] {
  const boxes: Box[] = [];
  const stack: Array<{ ctm: number[]; white: boolean; clear: boolean }> = [];
  let ctm: number[] = [1, 0, 0, 1, 0, 0];
  // Paths filled white or fully transparent without a stroke paint nothing a reader sees (as
  // PDFium's pass skips them).
  let whiteFill = false;
  let clearFill = false;
  const pop = () => {
    const state = stack.pop();
    [ctm, whiteFill, clearFill] = [state?.ctm ?? [1, 0, 0, 1, 0, 0], state?.white ?? false, state?.clear ?? false];
  };
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[] | null;
    switch (fn) {
      case OPS.save:
        stack.push({ ctm, white: whiteFill, clear: clearFill });
        break;
      case OPS.restore:
        pop();
        break;
      case OPS.setFillRGBColor:
        whiteFill = isWhite(args?.[0]);
        break;
      case OPS.setGState: {
        const alpha = fillAlphaOf(args);
        if (alpha !== undefined) clearFill = alpha === 0;
        break;
      }
      case OPS.transform:
        if (args) ctm = times(ctm, args as number[]);
        break;
      case OPS.paintFormXObjectBegin: {
        stack.push({ ctm, white: whiteFill, clear: clearFill });
        const matrix = args?.[0];
        if (Array.isArray(matrix) || ArrayBuffer.isView(matrix)) ctm = times(ctm, Array.from(matrix as ArrayLike<number>));
        break;
      }
      case OPS.paintFormXObjectEnd:
        pop();
        break;
      case OPS.paintImageXObject:
      case OPS.paintInlineImageXObject:
      case OPS.paintImageMaskXObject:
      case OPS.paintImageXObjectRepeat:
      case OPS.paintSolidColorImageMask:
        boxes.push(boxOf(ctm, 0, 0, 1, 1));
        break;
      case OPS.constructPath: {
        const paint = args?.[0];
        const minMax = args?.[2] as ArrayLike<number> | null | undefined;
        if (paint === OPS.endPath || !minMax || minMax.length < 4) break;
        if ((whiteFill || clearFill) && (paint === OPS.fill || paint === OPS.eoFill)) break;
        const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = Array.from(minMax);
        if (!Number.isFinite(x0) || !Number.isFinite(x1) || x1 < x0) break;
        boxes.push(boxOf(ctm, x0, y0, x1, y1));
        break;
      }
      default:
        break;
    }
  }
  return boxes;
}

/**
 * The drawn boxes (PDF user space, from either engine) in top-left page coordinates through the
 * page's viewport transform, clipped to the page, without specks and page-sized backgrounds.
 */
export function pageGraphics(userBoxes: readonly Box[], viewportTransform: readonly number[], pageWidth: number, pageHeight: number): Box[] {
  const boxes: Box[] = [];
  for (const box of userBoxes) {
    const [x0, y0, x1, y1] = boxOf(viewportTransform, box[0], box[1], box[2], box[3]);
    const clipped: Box = [Math.max(0, x0), Math.max(0, y0), Math.min(pageWidth, x1), Math.min(pageHeight, y1)];
    if (clipped[2] - clipped[0] < 0.5 && clipped[3] - clipped[1] < 0.5) continue;
    if (clipped[2] < clipped[0] || clipped[3] < clipped[1]) continue;
    if ((clipped[2] - clipped[0]) * (clipped[3] - clipped[1]) > FIGURES.backgroundShare * pageWidth * pageHeight) continue;
    boxes.push(clipped);
  }
  return boxes;
}

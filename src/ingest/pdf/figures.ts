/**
 * Figures and tables: one record per caption label, the paragraphs that mention it, and (when
 * cropping) its region on the page, found from the page's drawing operations (raster images and
 * vector paths) bounded by the body text and other captions around the caption.
 */
import type { ParsedFigure } from "../types.js";
import { CAPTION_PATTERN, type RawBlock } from "./blocks.js";
import { FIGURES } from "./heuristics.js";
import { crossesGutter, type ColumnLayout } from "./layout.js";
import { boxOf, times, type Box } from "./matrix.js";

export type { Box } from "./matrix.js";

export interface FigureCandidate {
  figure: ParsedFigure;
  block: RawBlock;
}

export function normalizeLabel(raw: string, number: string): { label: string; kind: "figure" | "table" } {
  const kind = /^t/i.test(raw) ? "table" : "figure";
  return { label: `${kind === "table" ? "Table" : "Figure"} ${number}`, kind };
}

/** One figure per distinct caption label, from the first real caption (not a "(continued)" one). */
export function figuresFromBlocks(blocks: readonly RawBlock[]): FigureCandidate[] {
  const byLabel = new Map<string, FigureCandidate>();
  for (const block of blocks) {
    if (block.kind !== "caption") continue;
    const match = CAPTION_PATTERN.exec(block.text);
    if (!match?.[1] || !match[2]) continue;
    const { label, kind } = normalizeLabel(match[1], match[2]);
    const existing = byLabel.get(label);
    const continued = /\(?(continued|cont\.)\)?/i.test(block.text.slice(0, 40));
    if (existing && !(/\(?(continued|cont\.)\)?/i.test(existing.figure.caption.slice(0, 40)) && !continued)) continue;
    if (existing && continued) continue;
    byLabel.set(label, { figure: { label, kind, caption: block.text, page: block.page, mentions: [] }, block });
  }
  return [...byLabel.values()];
}

function mentionPattern(label: string): RegExp {
  const [word, number = ""] = label.split(" ");
  const escaped = number.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const words = word === "Table" ? "(?:Table|Tab\\.|Tables)" : "(?:Figure|Fig\\.|Figs\\.|Figures)";
  return new RegExp(`\\b${words}\\s*(?:\\d+[a-z]?\\s*(?:,|and|&)\\s*)*${escaped}(?![0-9])`, "i");
}

/** Links each figure to the blocks (outside captions and the bibliography) that mention it. */
export function attachFigureMentions(figures: ParsedFigure[], blocks: ReadonlyArray<{ page?: number; text: string; kind: string; references: boolean }>): void {
  for (const figure of figures) {
    const pattern = mentionPattern(figure.label);
    for (const block of blocks) {
      if (block.kind === "caption" || block.kind === "heading" || block.kind === "title" || block.references) continue;
      if (pattern.test(block.text)) {
        figure.mentions.push({ page: block.page, text: block.text });
        if (figure.mentions.length >= FIGURES.maxMentions) break;
      }
    }
  }
}

// --- Regions -----------------------------------------------------------------------------------

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
}

/**
 * Boxes, in PDF user space, of the images and painted paths in pdf.js's operator list (form
 * XObjects included, text and clipping-only paths not).
 */
export function graphicsFromOperators(fnArray: readonly number[], argsArray: readonly unknown[], OPS: OpsTable): Box[] {
  const boxes: Box[] = [];
  const stack: number[][] = [];
  let ctm: number[] = [1, 0, 0, 1, 0, 0];
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[] | null;
    switch (fn) {
      case OPS.save:
        stack.push(ctm);
        break;
      case OPS.restore:
        ctm = stack.pop() ?? [1, 0, 0, 1, 0, 0];
        break;
      case OPS.transform:
        if (args) ctm = times(ctm, args as number[]);
        break;
      case OPS.paintFormXObjectBegin: {
        stack.push(ctm);
        const matrix = args?.[0];
        if (Array.isArray(matrix) || ArrayBuffer.isView(matrix)) ctm = times(ctm, Array.from(matrix as ArrayLike<number>));
        break;
      }
      case OPS.paintFormXObjectEnd:
        ctm = stack.pop() ?? [1, 0, 0, 1, 0, 0];
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

const intersects = (a: Box, b: Box) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
const contains = (outer: Box, inner: Box, slack = 2) => inner[0] >= outer[0] - slack && inner[1] >= outer[1] - slack && inner[2] <= outer[2] + slack && inner[3] <= outer[3] + slack;
const boxOfBlock = (b: RawBlock): Box => [b.x0, b.top, b.x1, b.bottom];

export interface RegionContext {
  pageWidth: number;
  pageHeight: number;
  layout: ColumnLayout;
  /** All blocks on the page. */
  blocks: readonly RawBlock[];
  graphics: readonly Box[];
  bodySize: number;
  /** Figures never extend into the running header or footer. */
  contentTop: number;
  contentBottom: number;
}

/** Points the span reaches past the caption's column (or a caption beside it) on each side. */
const SPAN_SLACK = 10;

interface Span {
  x0: number;
  x1: number;
  /** Body text stands beside the caption (a figure wrapped into the text) and bounds the span. */
  besideText: boolean;
}

/** The horizontal span a caption's figure can occupy: its column, or the page's text width. */
function spanOf(caption: RawBlock, context: RegionContext): Span {
  const { layout } = context;
  let span: [number, number];
  if (layout.twoColumn && !crossesGutter(caption.x0, caption.x1, layout)) {
    span = caption.x1 <= layout.gutter + 1 ? [Math.min(layout.left, caption.x0), layout.gutter] : [layout.gutter, Math.max(layout.right, caption.x1)];
  } else {
    span = [Math.min(layout.left, caption.x0), Math.max(layout.right, caption.x1)];
  }
  // Side-by-side captions share the span: split it between them. Body text beside the caption
  // bounds it at the text's edge, without slack: the figure reaches up to the text, not into it.
  let [slackLeft, slackRight] = [SPAN_SLACK, SPAN_SLACK];
  let besideText = false;
  for (const other of context.blocks) {
    if (other === caption || (other.kind !== "caption" && other.kind !== "paragraph")) continue;
    const overlapsVertically = other.top < caption.bottom && caption.top < other.bottom;
    if (!overlapsVertically || other.x1 < span[0] || other.x0 > span[1]) continue;
    const text = other.kind === "paragraph";
    if (other.x0 >= caption.x1) {
      const edge = text ? other.x0 - 1 : (caption.x1 + other.x0) / 2;
      if (edge < span[1]) [span, slackRight] = [[span[0], edge], text ? 0 : SPAN_SLACK];
    } else if (other.x1 <= caption.x0) {
      const edge = text ? other.x1 + 1 : (other.x1 + caption.x0) / 2;
      if (edge > span[0]) [span, slackLeft] = [[edge, span[1]], text ? 0 : SPAN_SLACK];
    } else continue;
    besideText ||= text;
  }
  return { x0: span[0] - slackLeft, x1: span[1] + slackRight, besideText };
}

/** Mostly lower-case words, as in running text (table rows are names, numbers and symbols). */
function isProse(text: string): boolean {
  const tokens = text.split(/\s+/).filter(Boolean);
  if (tokens.length < 6) return false;
  const words = tokens.filter((t) => /^[\p{Ll}][\p{Ll}'’-]*[,.;:]?$/u.test(t)).length;
  return words / tokens.length >= 0.5;
}

/** Body text that bounds a figure: wide paragraph lines at body size, headings and other captions, not drawn inside a graphic. */
function isBoundary(block: RawBlock, caption: RawBlock, span: [number, number], context: RegionContext): boolean {
  if (block === caption) return false;
  if (block.x1 < span[0] || block.x0 > span[1]) return false;
  if (block.kind === "caption") return true;
  const box = boxOfBlock(block);
  if (context.graphics.some((g) => contains(g, box) && (g[2] - g[0]) * (g[3] - g[1]) > (box[2] - box[0]) * (box[3] - box[1]) * 1.2)) return false;
  if (block.kind === "heading" || block.kind === "title" || block.kind === "abstract") return true;
  if (block.kind !== "paragraph" && block.kind !== "list") return false;
  // Rules drawn through a block make it a table, whatever its rows read like.
  const ruled = context.graphics.some((g) => g[3] - g[1] < 2 && g[1] > block.top + 2 && g[3] < block.bottom - 2 && g[0] < block.x1 && g[2] > block.x0);
  if (ruled) return false;
  if (Math.abs(block.size - context.bodySize) > 1.2) return false;
  // Prose: rows that are one wide line; table rows are several cells.
  const { layout } = context;
  const blockInColumn = layout.twoColumn && !crossesGutter(block.x0, block.x1, layout);
  const columnWidth = block.x1 <= layout.gutter ? layout.gutter - layout.left : layout.right - layout.gutter;
  const spanWidth = blockInColumn ? Math.min(span[1] - span[0] - 20, columnWidth) : span[1] - span[0] - 20;
  const rows = new Map<number, Array<{ x0: number; x1: number; text: string }>>();
  for (const line of block.lines) rows.set(line.row, [...(rows.get(line.row) ?? []), line]);
  let proseRows = 0;
  for (const cells of rows.values()) {
    const [cell] = cells;
    if (cells.length === 1 && cell && cell.x1 - cell.x0 >= FIGURES.bodyLineWidthShare * spanWidth && isProse(cell.text)) proseRows++;
  }
  return proseRows >= 2 ? proseRows >= rows.size / 2 : proseRows === 1 && rows.size <= 2 && block.text.length > 60;
}

/** The figure's region in top-left page points, or undefined when nothing was found next to the caption. */
export function findRegion(caption: RawBlock, kind: "figure" | "table", context: RegionContext): Box | undefined {
  const { layout } = context;
  let windows = windowsFor(caption, spanOf(caption, context), context);
  const inOneColumn = layout.twoColumn && !crossesGutter(caption.x0, caption.x1, layout);
  if (inOneColumn) {
    // A short caption in one column under (or over) a drawing that crosses the gutter is a full-width figure's.
    const full = windowsFor(caption, { x0: layout.left - SPAN_SLACK, x1: layout.right + SPAN_SLACK, besideText: false }, context);
    const crossing = (w: Box) => context.graphics.some((g) => g[0] < layout.gutter - 5 && g[2] > layout.gutter + 5 && intersects(g, w));
    if (crossing(full[0]) || crossing(full[1])) windows = full;
  }
  // Figures usually sit above their captions and tables below, but styles differ: when both sides
  // hold something, the side that touches the caption wins unless the usual side is nearly as close.
  // Content between two captions belongs to the nearer one.
  const otherCaptions = context.blocks.filter((b) => b !== caption && b.kind === "caption" && b.x1 > windows[0][0] && b.x0 < windows[0][2]);
  const nearerToOther = (region: Box | undefined, side: "above" | "below"): Box | undefined => {
    if (!region) return undefined;
    const own = side === "above" ? caption.top - region[3] : region[1] - caption.bottom;
    const other = otherCaptions
      .map((b) => (side === "above" ? region[1] - b.bottom : b.top - region[3]))
      .filter((d) => d >= -1)
      .reduce((m, d) => Math.min(m, d), Infinity);
    return other < own ? undefined : region;
  };
  const above = nearerToOther(contentIn(windows[0], caption, context), "above");
  const below = nearerToOther(contentIn(windows[1], caption, context), "below");
  if (above && below) {
    const gapAbove = caption.top - above[3];
    const gapBelow = below[1] - caption.bottom;
    // A figure is drawn: when only one side holds a drawing, the other side's text is not the figure.
    const [drawnAbove, drawnBelow] = [drawnIn(above, context), drawnIn(below, context)];
    const preferAbove =
      kind === "figure" && drawnAbove !== drawnBelow ? drawnAbove : kind === "figure" ? gapAbove <= gapBelow + FIGURES.sideSlack : gapAbove + FIGURES.sideSlack < gapBelow;
    return pad(preferAbove ? above : below, context);
  }
  if (above || below) return pad((above ?? below) as Box, context);
  // Figures made of boxed text (prompts, examples) look like body text: fall back to the space up to
  // the previous caption or heading, provided something is drawn there.
  const loose = windowsFor(caption, { x0: windows[0][0], x1: windows[0][2], besideText: false }, context, true);
  for (const window of kind === "figure" ? loose : [loose[1], loose[0]]) {
    const region = contentIn(window, caption, context, true);
    if (region) return pad(region, context);
  }
  return undefined;
}

/** The free space above and below the caption within the span, up to the nearest body text or caption. */
function windowsFor(caption: RawBlock, { x0, x1, besideText }: Span, context: RegionContext, loose = false): [Box, Box] {
  const span: [number, number] = [x0, x1];
  const boundaries = context.blocks.filter((b) =>
    loose ? b !== caption && (b.kind === "caption" || b.kind === "heading" || b.kind === "title") && b.x1 >= span[0] && b.x0 <= span[1] : isBoundary(b, caption, span, context),
  );
  let above = context.contentTop;
  let below = context.contentBottom;
  for (const block of boundaries) {
    if (!besideText) {
      if (block.bottom <= caption.top + 1) above = Math.max(above, block.bottom);
      if (block.top >= caption.bottom - 1) below = Math.min(below, block.top);
      continue;
    }
    // Beside a wrapped figure, paragraphs narrow where they pass it: only their lines reaching well
    // into the span bound it, above or below the caption.
    for (const line of block.lines) {
      if (line.x1 < span[0] + SPAN_SLACK || line.x0 > span[1] - SPAN_SLACK) continue;
      if (line.bottom <= caption.top + 1) above = Math.max(above, line.bottom);
      else if (line.top >= caption.bottom - 1) below = Math.min(below, line.top);
    }
  }
  return [
    [span[0], above, span[1], caption.top],
    [span[0], caption.bottom, span[1], below],
  ];
}

/** Whether anything drawn (not text) lies in the box. */
const drawnIn = (box: Box, context: RegionContext) => context.graphics.some((g) => intersects(g, box));

function contentIn(window: Box, caption: RawBlock, context: RegionContext, needsGraphics = false): Box | undefined {
  if (window[3] - window[1] < FIGURES.minRegionSize) return undefined;
  let region: Box | undefined;
  const grow = (box: Box) => {
    const clipped: Box = [Math.max(window[0], box[0]), Math.max(window[1], box[1]), Math.min(window[2], box[2]), Math.min(window[3], box[3])];
    if (clipped[2] <= clipped[0] || clipped[3] <= clipped[1]) return;
    region = region ? [Math.min(region[0], clipped[0]), Math.min(region[1], clipped[1]), Math.max(region[2], clipped[2]), Math.max(region[3], clipped[3])] : clipped;
  };
  let graphicFound = false;
  for (const g of context.graphics) {
    if (intersects(g, window) || (g[3] - g[1] < 1 && g[1] >= window[1] && g[1] <= window[3] && g[0] < window[2] && g[2] > window[0])) {
      grow([g[0], g[1], g[2], Math.max(g[3], g[1] + 1)]);
      graphicFound = true;
    }
  }
  for (const block of context.blocks) {
    if (block === caption) continue;
    for (const line of block.lines) {
      const box: Box = [line.x0, line.top, line.x1, line.bottom];
      if (box[1] >= window[1] - 1 && box[3] <= window[3] + 1 && box[0] < window[2] && box[2] > window[0]) grow(box);
    }
  }
  if (!region || (needsGraphics && !graphicFound)) return undefined;
  const [x0, y0, x1, y1] = region;
  if (x1 - x0 < FIGURES.minRegionSize || y1 - y0 < FIGURES.minRegionSize) return undefined;
  // Text alone next to a caption is only a table (or a figure drawn as text) if it is not a single short line.
  if (!graphicFound && y1 - y0 < 2 * context.bodySize) return undefined;
  return region;
}

function pad(box: Box, context: RegionContext): Box {
  const p = FIGURES.padding;
  return [Math.max(0, box[0] - p), Math.max(0, box[1] - p), Math.min(context.pageWidth, box[2] + p), Math.min(context.pageHeight, box[3] + p)].map((v) => Math.round(v * 10) / 10) as Box;
}

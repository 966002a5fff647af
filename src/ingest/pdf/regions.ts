/**
 * A figure's or table's region on its page: the content next to its caption (drawings and text
 * lines), on the side the document uses, bounded by the body text, headings and other captions
 * around it, and only as far as the content holds together.
 */
import { type RawBlock } from "./blocks.js";
import { FIGURES } from "./heuristics.js";
import { crossesGutter, type ColumnLayout } from "./layout.js";
import { roundToTenth, type Box } from "./matrix.js";

const intersection = (a: Box, b: Box) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
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
  /** Where the document's figures and tables stand next to their captions, learnt page by page. */
  captionSides?: CaptionSides;
  /** Rotated text on the page (axis titles, column heads set sideways). */
  rotatedText?: readonly Box[];
  bodySize: number;
  /** Figures never extend into the running header or footer. */
  contentTop: number;
  contentBottom: number;
}

/**
 * The side of their captions on which a document's figures (or tables) stand, from the captions
 * with content on one side only: when a caption has content on both sides, the document's own
 * habit decides (a table between "Table 5" above it and "Table 6" below it is Table 6's when the
 * paper captions its tables underneath).
 */
export class CaptionSides {
  private readonly votes = { figure: { above: 0, below: 0 }, table: { above: 0, below: 0 } };

  record(kind: "figure" | "table", side: Side): void {
    this.votes[kind][side]++;
  }

  usual(kind: "figure" | "table"): Side | undefined {
    const { above, below } = this.votes[kind];
    const total = above + below;
    if (total < FIGURES.sideMinVotes) return undefined;
    if (above >= FIGURES.sideAgreement * total) return "above";
    if (below >= FIGURES.sideAgreement * total) return "below";
    return undefined;
  }
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

/**
 * Mostly lower-case words, as in running text (table rows are names, numbers and symbols); or,
 * in prose that works through numbers ("+ 1.262 + 1.000 = 5.693. Therefore the ratio is"), many
 * lower-case words between them.
 */
function isProse(text: string): boolean {
  const tokens = text.split(/\s+/).filter(Boolean);
  if (tokens.length < 6) return false;
  const words = tokens.filter((t) => /^[\p{Ll}][\p{Ll}'’-]*[,.;:]?$/u.test(t)).length;
  return words / tokens.length >= 0.5 || (words >= FIGURES.proseMinWords && words / tokens.length >= FIGURES.proseMinWordShare);
}

/** Some row of the block holds several lines apart from each other (table cells, a plot's labels). */
function inCells(block: RawBlock): boolean {
  const rows = new Set<number>();
  for (const line of block.lines) {
    if (rows.has(line.row)) return true;
    rows.add(line.row);
  }
  return false;
}

/** Drawings (not thin rules) end just above the box and start just below it, overlapping it horizontally. */
function drawnAboveAndBelow(box: Box, context: RegionContext): boolean {
  const gap = FIGURES.joinGap * context.bodySize;
  const beside = (g: Box) => g[3] - g[1] >= 2 && g[0] < box[2] && g[2] > box[0];
  const above = context.graphics.some((g) => beside(g) && g[3] <= box[1] + 1 && g[3] >= box[1] - gap);
  const below = context.graphics.some((g) => beside(g) && g[1] >= box[3] - 1 && g[1] <= box[3] + gap);
  return above && below;
}

/** Body text that bounds a figure: wide paragraph lines at body size, headings and other captions, not drawn inside a graphic. */
function isBoundary(block: RawBlock, caption: RawBlock, span: [number, number], context: RegionContext): boolean {
  if (block === caption) return false;
  // Text of the next column reaches into the span's slack, not across it.
  if (Math.min(block.x1, span[1]) - Math.max(block.x0, span[0]) <= 2 * SPAN_SLACK) return false;
  if (block.kind === "caption") return true;
  const box = boxOfBlock(block);
  if (context.graphics.some((g) => contains(g, box) && (g[2] - g[0]) * (g[3] - g[1]) > (box[2] - box[0]) * (box[3] - box[1]) * 1.2)) return false;
  // A "heading" set in cells (a tick "0.7" and a legend entry read as "0.7 GPT2-sm"), or between
  // drawings just above and just below it, is a figure's labels.
  if (block.kind === "heading") return !inCells(block) && !drawnAboveAndBelow(box, context);
  if (block.kind === "title" || block.kind === "abstract") return true;
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
  return proseRows >= 2 ? proseRows >= rows.size / 2 : proseRows === 1 && rows.size <= 2 && block.text.length > FIGURES.proseLineMinChars;
}

/** The figure's region in top-left page points, or undefined when nothing was found next to the caption. */
export function findRegion(caption: RawBlock, kind: "figure" | "table", context: RegionContext): Box | undefined {
  const { layout } = context;
  const span = spanOf(caption, context);
  if (kind === "figure") {
    const framed = framedAbove(caption, span, context);
    if (framed) return padBeside(framed, caption, context);
  }
  let windows = windowsFor(caption, span, context);
  const inOneColumn = layout.twoColumn && !crossesGutter(caption.x0, caption.x1, layout);
  if (inOneColumn && !bodyTextBeside(caption, context)) {
    // A short caption in one column under (or over) a drawing that crosses the gutter is a
    // full-width figure's, when the drawing belongs to what stands next to the caption.
    const full = windowsFor(caption, { x0: layout.left - SPAN_SLACK, x1: layout.right + SPAN_SLACK, besideText: false }, context);
    const crossing = (region: Box | undefined) => region !== undefined && context.graphics.some((g) => g[0] < layout.gutter - 5 && g[2] > layout.gutter + 5 && intersects(g, region));
    if (crossing(contentIn(full[0], "above", caption, context)) || crossing(contentIn(full[1], "below", caption, context))) windows = full;
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
  const above = nearerToOther(contentIn(windows[0], "above", caption, context), "above");
  const below = nearerToOther(contentIn(windows[1], "below", caption, context), "below");
  if (above && below) {
    const gapAbove = caption.top - above[3];
    const gapBelow = below[1] - caption.bottom;
    // A figure is drawn: when only one side holds a drawing, the other side's text is not the figure.
    const [drawnAbove, drawnBelow] = [drawnIn(above, context), drawnIn(below, context)];
    // Then the side this document sets its captions on, once its unambiguous captions agree.
    const usual = context.captionSides?.usual(kind);
    const preferAbove =
      kind === "figure" && drawnAbove !== drawnBelow
        ? drawnAbove
        : usual
          ? usual === "above"
          : kind === "figure"
            ? gapAbove <= gapBelow + FIGURES.sideSlack
            : gapAbove + FIGURES.sideSlack < gapBelow;
    return padBeside(preferAbove ? above : below, caption, context);
  }
  if (above || below) {
    context.captionSides?.record(kind, above ? "above" : "below");
    return padBeside((above ?? below) as Box, caption, context);
  }
  // Figures made of boxed text (prompts, examples) look like body text: fall back to the space up to
  // the previous caption or heading, provided something is drawn there.
  const loose = windowsFor(caption, { x0: windows[0][0], x1: windows[0][2], besideText: false }, context, true);
  const sides: Array<[Box, Side]> = kind === "figure" ? [[loose[0], "above"], [loose[1], "below"]] : [[loose[1], "below"], [loose[0], "above"]];
  for (const [window, side] of sides) {
    const region = contentIn(window, side, caption, context, true);
    if (region) return padBeside(region, caption, context);
  }
  return undefined;
}

/**
 * A figure drawn as a frame of full-width rules (a boxed prompt or example: text with rules between
 * its parts) ending just above its caption: from the rule over the caption up through rules of the
 * same width to the one with white space above it, the frame's top. Its text reads like body text,
 * so the windows stop at it; the rules say where it is.
 */
function framedAbove(caption: RawBlock, span: Span, context: RegionContext): Box | undefined {
  const joinGap = FIGURES.joinGap * context.bodySize;
  const width = span.x1 - span.x0 - 2 * SPAN_SLACK;
  const rules = context.graphics.filter((g) => g[3] - g[1] < 2 && Math.min(g[2], span.x1) - Math.max(g[0], span.x0) >= FIGURES.frameRuleShare * width);
  const bottom = rules.filter((r) => r[3] <= caption.top + 1 && caption.top - r[3] <= joinGap).sort((a, b) => b[3] - a[3])[0];
  if (!bottom) return undefined;
  let current: Box = bottom;
  const sameWidth = (r: Box) => Math.abs(r[0] - bottom[0]) <= 3 && Math.abs(r[2] - bottom[2]) <= 3;
  const otherCaptions = context.blocks.filter((b) => b !== caption && b.kind === "caption" && b.x1 > span.x0 && b.x0 < span.x1);
  for (let steps = 0; steps < FIGURES.maxFrameRules; steps++) {
    const top: number = current[1];
    // White space above this rule: the frame's top (a lone rule over a caption is no frame).
    const contentAbove = hasContent([span.x0, top - joinGap, span.x1, top - 0.5], caption, context);
    if (!contentAbove) return current === bottom ? undefined : [Math.min(current[0], bottom[0]), current[1], Math.max(current[2], bottom[2]), bottom[3]];
    const next = rules.filter((r) => r[3] < top - 0.5 && sameWidth(r)).sort((a, b) => b[3] - a[3])[0];
    if (!next || otherCaptions.some((b) => b.bottom > next[1] && b.top < top)) return undefined;
    current = next;
  }
  return undefined;
}

/** Whether a text line or a drawing (other than a full-width rule's own line) has a part inside the box. */
function hasContent(box: Box, caption: RawBlock, context: RegionContext): boolean {
  if (context.graphics.some((g) => g[3] - g[1] >= 2 && intersection(g, box) > 0)) return true;
  return context.blocks.some((b) => b !== caption && b.lines.some((l) => l.bottom > box[1] && l.top < box[3] && l.x1 > box[0] && l.x0 < box[2]));
}

/** Body text in the other column at the caption's height: the caption's figure keeps to its column. */
function bodyTextBeside(caption: RawBlock, context: RegionContext): boolean {
  const { layout } = context;
  const leftSide = caption.x1 <= layout.gutter + 1;
  const other: [number, number] = leftSide ? [layout.gutter, layout.right] : [layout.left, layout.gutter];
  return context.blocks.some(
    (b) =>
      b.top < caption.bottom &&
      caption.top < b.bottom &&
      !crossesGutter(b.x0, b.x1, layout) &&
      (leftSide ? b.x0 >= layout.gutter - 1 : b.x1 <= layout.gutter + 1) &&
      isBoundary(b, caption, other, context),
  );
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

type Side = "above" | "below";

interface Element {
  box: Box;
  graphic: boolean;
}

/** The share of the box's width that lies within the window's horizontal extent. */
function horizontalShareIn(box: Box, window: Box): number {
  const width = box[2] - box[0];
  if (width <= 0) return box[0] >= window[0] && box[0] <= window[2] ? 1 : 0;
  return Math.max(0, Math.min(box[2], window[2]) - Math.max(box[0], window[0])) / width;
}

/** What is drawn or written in the window: graphics clipped to it, and the text lines inside it. */
function elementsIn(window: Box, caption: RawBlock, context: RegionContext): Element[] {
  const elements: Element[] = [];
  const headerRuleBelow = context.contentTop + FIGURES.headerRuleGap * context.bodySize;
  for (const g of context.graphics) {
    // The rule under a running header belongs to the header.
    if (context.contentTop > 0 && g[3] - g[1] < 2 && g[3] <= headerRuleBelow) continue;
    const rule = g[3] - g[1] < 1 && g[1] >= window[1] && g[1] <= window[3] && g[0] < window[2] && g[2] > window[0];
    if (!intersects(g, window) && !rule) continue;
    // Mostly outside the window: a neighbour's (the rule of a table in the next column).
    if (horizontalShareIn(g, window) < FIGURES.graphicInWindowShare) continue;
    const box: Box = [Math.max(window[0], g[0]), Math.max(window[1], g[1]), Math.min(window[2], g[2]), Math.min(window[3], Math.max(g[3], g[1] + 1))];
    if (box[2] > box[0] && box[3] > box[1]) elements.push({ box, graphic: true });
  }
  for (const block of context.blocks) {
    if (block === caption) continue;
    for (const line of block.lines) {
      if (line.top < window[1] - 1 || line.bottom > window[3] + 1 || line.x0 >= window[2] || line.x1 <= window[0]) continue;
      // Body text running past the window (beside a figure wrapped into the column) is not the figure's.
      if (horizontalShareIn([line.x0, line.top, line.x1, line.bottom], window) < FIGURES.lineInWindowShare) continue;
      elements.push({ box: [Math.max(window[0], line.x0), line.top, Math.min(window[2], line.x1), line.bottom], graphic: false });
    }
  }
  for (const box of context.rotatedText ?? []) {
    if (contains(window, box, 1)) elements.push({ box, graphic: false });
  }
  return elements;
}

/**
 * The elements that belong together with the one nearest the caption: walking away from the
 * caption, each next element joins while the white space to what was joined stays below the join
 * gap. A band of white space separates a figure from unrelated text (the author lines above a
 * figure on a first page, a paragraph the boundaries let through).
 */
function clusterFromCaption(elements: Element[], side: Side, context: RegionContext): Element[] {
  // Drawings join across wider white space than text: the rows of a grid of plots stand apart.
  const textGap = FIGURES.joinGap * context.bodySize;
  const drawingGap = FIGURES.drawingJoinGap * context.bodySize;
  const ordered = [...elements].sort((a, b) => (side === "above" ? b.box[3] - a.box[3] : a.box[1] - b.box[1]));
  const joined: Element[] = [];
  let edge = side === "above" ? Infinity : -Infinity;
  for (const element of ordered) {
    const gap = joined.length === 0 ? 0 : side === "above" ? edge - element.box[3] : element.box[1] - edge;
    if (gap > (element.graphic ? drawingGap : textGap)) {
      // The next drawing may still be near: elements are ordered by their near edge, not their kind.
      if (gap > drawingGap) break;
      continue;
    }
    joined.push(element);
    edge = side === "above" ? Math.min(edge, element.box[1]) : Math.max(edge, element.box[3]);
  }
  return joined;
}

function contentIn(window: Box, side: Side, caption: RawBlock, context: RegionContext, needsGraphics = false): Box | undefined {
  if (window[3] - window[1] < FIGURES.minRegionSize) return undefined;
  const joined = clusterFromCaption(elementsIn(window, caption, context), side, context);
  if (joined.length === 0) return undefined;
  const graphicFound = joined.some((e) => e.graphic);
  if (needsGraphics && !graphicFound) return undefined;
  const region = joined.reduce<Box>((r, { box }) => [Math.min(r[0], box[0]), Math.min(r[1], box[1]), Math.max(r[2], box[2]), Math.max(r[3], box[3])], [Infinity, Infinity, -Infinity, -Infinity]);
  const [x0, y0, x1, y1] = region;
  if (x1 - x0 < FIGURES.minRegionSize || y1 - y0 < FIGURES.minRegionSize) return undefined;
  // Text alone next to a caption is only a table (or a figure drawn as text) if it is not a single short line.
  if (!graphicFound && y1 - y0 < 2 * context.bodySize) return undefined;
  return region;
}

/** The region padded, but never into its caption (whose glyphs the crop would show). */
function padBeside(box: Box, caption: RawBlock, context: RegionContext): Box {
  const padded = pad(box, context);
  if (box[3] <= caption.top + 1) padded[3] = roundToTenth(Math.max(box[3], Math.min(padded[3], caption.top - 0.5)));
  if (box[1] >= caption.bottom - 1) padded[1] = roundToTenth(Math.min(box[1], Math.max(padded[1], caption.bottom + 0.5)));
  return padded;
}

function pad(box: Box, context: RegionContext): Box {
  const p = FIGURES.padding;
  return [Math.max(0, box[0] - p), Math.max(0, box[1] - p), Math.min(context.pageWidth, box[2] + p), Math.min(context.pageHeight, box[3] + p)].map(roundToTenth) as Box;
}

/**
 * Page geometry from pdf.js text items: items -> rows (shared baseline) -> line segments (split at
 * wide gaps, so two columns never share a line) -> flows in reading order (two-column pages read
 * left column then right column, with full-width lines such as titles and wide captions in between).
 * Coordinates are PDF points with the origin at the top left of the (rotated) page.
 */
import { CAPTION_PATTERN, KNOWN_HEADINGS } from "./blocks.js";
import { LAYOUT } from "./heuristics.js";

export interface PdfTextItemLike {
  str: string;
  transform: number[];
  width: number;
  fontName: string;
}

export interface Line {
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  baseline: number;
  /** Font size of the dominant run. */
  size: number;
  font: string;
  /** Index of the row (shared baseline) on its page, in top-to-bottom order. */
  row: number;
}

export interface PageText {
  page: number;
  width: number;
  height: number;
  lines: Line[];
  /** Rotated text (the arXiv stamp in the margin, axis labels). */
  rotated: string[];
  /** Where the rotated text is drawn: [x0, top, x1, bottom] of each item (a figure's axis titles). */
  rotatedBoxes?: Array<[number, number, number, number]>;
  /** Bottom of the running header and top of the running footer that were removed, if any. */
  headerBottom?: number;
  footerTop?: number;
}

interface Run {
  text: string;
  x0: number;
  x1: number;
  baseline: number;
  size: number;
  font: string;
  space: boolean;
}

/** Multiplies two affine matrices [a b c d e f] (m1 applied after m2). */
function multiply(m1: number[], m2: number[]): number[] {
  const [a1 = 1, b1 = 0, c1 = 0, d1 = 1, e1 = 0, f1 = 0] = m1;
  const [a2 = 1, b2 = 0, c2 = 0, d2 = 1, e2 = 0, f2 = 0] = m2;
  return [a1 * a2 + c1 * b2, b1 * a2 + d1 * b2, a1 * c2 + c1 * d2, b1 * c2 + d1 * d2, a1 * e2 + c1 * f2 + e1, b1 * e2 + d1 * f2 + f1];
}

/** Text items of one page -> lines in top-down geometry (not yet in reading order). */
export function linesFromItems(items: readonly PdfTextItemLike[], viewportTransform: number[], page: number, width: number, height: number): PageText {
  const runs: Run[] = [];
  const rotated: string[] = [];
  const rotatedBoxes: Array<[number, number, number, number]> = [];
  for (const item of items) {
    if (!item.str) continue;
    const m = multiply(viewportTransform, item.transform);
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = m;
    // Horizontal text may be slanted (italic drawn with a skew: c != 0) but not rotated (b != 0).
    const horizontal = a > 0 && Math.abs(b) <= 0.01 * a;
    const size = horizontal ? Math.abs(d) : Math.hypot(c, d);
    if (size < LAYOUT.minFontSize) continue;
    const scaleX = Math.hypot(a, b) / Math.max(1e-6, Math.hypot(item.transform[0] ?? 1, item.transform[1] ?? 0));
    if (!horizontal) {
      if (item.str.trim()) {
        rotated.push(item.str);
        rotatedBoxes.push(rotatedBox(m, item.width * scaleX, size));
      }
      continue;
    }
    const space = !item.str.trim();
    // A "space" as wide as a table cell gap is a gap.
    if (space && item.width * scaleX > LAYOUT.maxSpaceWidth * size) continue;
    // pdf.js inserts hair-width "spaces" between a capital and its small caps ("E" " " "FFICIENT").
    if (space && item.width * scaleX < LAYOUT.minSpaceWidth * size) continue;
    // Whitespace runs are kept: they bridge justified word gaps that can be as wide as a narrow gutter.
    runs.push({ text: item.str, x0: e, x1: e + item.width * scaleX, baseline: f, size, font: item.fontName, space });
  }
  return { page, width, height, lines: segmentRuns(runs), rotated, rotatedBoxes };
}

/** The page box of a rotated run: its baseline `advance` long along (a, b), ascent and descent across it. */
function rotatedBox(m: number[], advance: number, size: number): [number, number, number, number] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = m;
  const along = Math.hypot(a, b) || 1;
  const across = Math.hypot(c, d) || 1;
  const [ux, uy] = [(a / along) * advance, (b / along) * advance];
  // (c, d) points from the baseline towards the glyphs' tops.
  const [upX, upY] = [(c / across) * size * LAYOUT.ascent, (d / across) * size * LAYOUT.ascent];
  const [downX, downY] = [(-c / across) * size * LAYOUT.descent, (-d / across) * size * LAYOUT.descent];
  const xs = [e + upX, e + downX, e + ux + upX, e + ux + downX];
  const ys = [f + upY, f + downY, f + uy + upY, f + uy + downY];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function segmentRuns(runs: Run[]): Line[] {
  runs.sort((p, q) => p.baseline - q.baseline || p.x0 - q.x0);
  const rows: Run[][] = [];
  let current: Run[] = [];
  let reference: Run | undefined;
  for (const run of runs) {
    if (reference && run.baseline - reference.baseline > LAYOUT.rowBaselineTolerance * Math.max(run.size, reference.size)) {
      rows.push(current);
      current = [];
      reference = undefined;
    }
    current.push(run);
    if (run.space) continue;
    // The largest run anchors the row, so superscripts do not drag it upwards.
    if (!reference || run.size > reference.size) reference = run;
  }
  if (current.length) rows.push(current);

  const lines: Line[] = [];
  rows.forEach((row, rowIndex) => {
    row.sort((p, q) => p.x0 - q.x0);
    let segment: Run[] = [];
    for (const run of row) {
      const last = segment[segment.length - 1];
      if (last && run.x0 - last.x1 > LAYOUT.segmentGap * Math.max(run.size, last.size)) {
        lines.push(lineOf(segment, rowIndex));
        segment = [];
      }
      segment.push(run);
    }
    if (segment.length) lines.push(lineOf(segment, rowIndex));
  });
  return lines.filter((line) => line.text.length > 0);
}

function lineOf(allRuns: Run[], row: number): Line {
  const runs = allRuns.filter((r) => !r.space);
  if (!runs.length) return { text: "", x0: 0, x1: 0, top: 0, bottom: 0, baseline: 0, size: 0, font: "", row };
  let text = "";
  let previous: Run | undefined;
  const sizeChars = new Map<number, number>();
  const fontChars = new Map<string, number>();
  let dominant = runs[0] as Run;
  for (const run of allRuns) {
    if (run.space) {
      if (text && !/\s$/.test(text)) text += " ";
      continue;
    }
    if (previous) {
      const gap = run.x0 - previous.x1;
      const needsSpace = gap > LAYOUT.spaceGap * Math.min(run.size, previous.size);
      if (needsSpace && !/\s$/.test(text) && !/^\s/.test(run.text)) text += " ";
    }
    text += run.text;
    const chars = run.text.trim().length;
    sizeChars.set(run.size, (sizeChars.get(run.size) ?? 0) + chars);
    fontChars.set(run.font, (fontChars.get(run.font) ?? 0) + chars);
    previous = run;
  }
  let best = -1;
  for (const run of runs) {
    const chars = sizeChars.get(run.size) ?? 0;
    if (chars > best) {
      best = chars;
      dominant = run;
    }
  }
  let font = dominant.font;
  let bestFont = -1;
  for (const [name, chars] of fontChars) if (chars > bestFont) [bestFont, font] = [chars, name];
  const maxSize = Math.max(...runs.map((r) => r.size));
  const baseline = dominant.baseline;
  return {
    text: text.replace(/\s+/g, " ").trim(),
    x0: runs[0]?.x0 ?? 0,
    x1: Math.max(...runs.map((r) => r.x1)),
    top: Math.min(...runs.map((r) => r.baseline - r.size * LAYOUT.ascent)),
    bottom: Math.max(baseline + maxSize * LAYOUT.descent, ...runs.map((r) => r.baseline + r.size * LAYOUT.descent)),
    baseline,
    size: dominant.size,
    font,
    row,
  };
}

export interface ColumnLayout {
  twoColumn: boolean;
  /** x of the gutter between the columns (two-column pages). */
  gutter: number;
  /** Horizontal extent of the text on the page. */
  left: number;
  right: number;
}

const isTextLine = (line: Line) => line.text.length >= LAYOUT.columnLineMinChars;

/** True when the span x0..x1 reaches over the gutter by more than a point on both sides. */
export function crossesGutter(x0: number, x1: number, layout: ColumnLayout): boolean {
  return x0 < layout.gutter - 1 && x1 > layout.gutter + 1;
}

/** Finds a vertical gutter near the middle that no text line crosses while many lines sit on each side. */
export function detectColumns(lines: readonly Line[], pageWidth: number): ColumnLayout {
  // Loops, not Math.min(...lines.map()): the spread array's element kind (whole or fractional
  // coordinates) differs between pages, and each change discarded this function's optimised code.
  let left = pageWidth;
  let right = 0;
  for (const line of lines) {
    if (line.x0 < left) left = line.x0;
    if (line.x1 > right) right = line.x1;
  }
  const single: ColumnLayout = { twoColumn: false, gutter: pageWidth / 2, left, right };
  const candidates = lines.filter(isTextLine);
  if (candidates.length < 2 * LAYOUT.minColumnLines) return single;
  const from = Math.floor(pageWidth * LAYOUT.gutterSearchFrom);
  const to = Math.ceil(pageWidth * LAYOUT.gutterSearchTo);
  const counts: number[] = [];
  for (let x = from; x <= to; x++) counts.push(candidates.reduce((n, l) => n + (l.x0 < x - 1 && l.x1 > x + 1 ? 1 : 0), 0));
  const bestCount = Math.min(...counts);
  // Runs of x where the fewest lines cross; the one nearest the page centre is the gutter.
  const runs: Array<[number, number]> = [];
  counts.forEach((count, i) => {
    if (count !== bestCount) return;
    const x = from + i;
    const last = runs[runs.length - 1];
    if (last && last[1] === x - 1) last[1] = x;
    else runs.push([x, x]);
  });
  const centre = pageWidth / 2;
  runs.sort((p, q) => Math.abs((p[0] + p[1]) / 2 - centre) - Math.abs((q[0] + q[1]) / 2 - centre));
  const [s, e] = runs[0] ?? [centre, centre];
  const gutter = (s + e) / 2;
  const leftLines = candidates.filter((l) => l.x1 <= gutter).length;
  const rightLines = candidates.filter((l) => l.x0 >= gutter).length;
  const twoColumn = leftLines >= LAYOUT.minColumnLines && rightLines >= LAYOUT.minColumnLines && bestCount <= LAYOUT.maxCrossingShare * (leftLines + rightLines);
  return { twoColumn, gutter, left, right };
}

/**
 * A flow with captions set beside each other ("Table 1: ..." | "Table 2: ...") or beside body text
 * (a wrapped figure), read one side at a time. From a row where a caption label starts one of
 * several lines, the gaps between that row's lines split the rows below into side-by-side columns
 * for as long as every line stays within one of them, the rows follow closely and a row below still
 * has text on two sides. Each column that starts with a caption becomes a flow of its own, read
 * where the caption stands; the other columns continue the rows above them (body text beside a
 * figure), and the rows after the region start a new flow. Without this, rows are read across and
 * the captions (and the text beside them) merge.
 */
export function unweaveSideBySide(flow: readonly Line[]): Line[][] {
  // Most flows have no caption label beside another line on its row: nothing to unweave. (Flows
  // are in row order, so lines of a row are next to each other.)
  let besideCaption = false;
  for (let k = 1; k < flow.length && !besideCaption; k++) besideCaption = flow[k]!.row === flow[k - 1]!.row && CAPTION_PATTERN.test(flow[k]!.text);
  if (!besideCaption) return flow.length ? [flow.slice()] : [];
  const rows: Line[][] = [];
  for (const line of flow) {
    const last = rows[rows.length - 1];
    if (last && last[0]!.row === line.row) last.push(line);
    else rows.push([line]);
  }
  const flows: Line[][] = [];
  let main: Line[] = [];
  for (let i = 0; i < rows.length; ) {
    // A row's lines are in x order (flows are). Sides start where a caption label starts a line, not
    // at any wide gap (a justified word space inside a caption line); a bare label ("Figure 2:") set
    // apart from its text does not start one. A split lies midway between a side and the line before.
    const row = rows[i]!;
    const splits: number[] = [];
    for (let k = 1; k < row.length; k++) {
      const [before, line] = [row[k - 1]!, row[k]!];
      if (CAPTION_PATTERN.test(line.text) && !isBareCaptionLabel(before.text)) splits.push((before.x1 + line.x0) / 2);
    }
    if (splits.length === 0) {
      main.push(...row);
      i++;
      continue;
    }
    const columnOf = (line: Line) => {
      const column = splits.findIndex((split) => line.x1 <= split + 1);
      const index = column === -1 ? splits.length : column;
      // A line reaching over a split belongs to no column.
      return index > 0 && line.x0 < splits[index - 1]! - 1 ? -1 : index;
    };
    const columns: Line[][] = [[], ...splits.map(() => [])];
    let end = i;
    let bottom = -Infinity;
    // Side by side only if a row below still has text on two sides (else one wide line had a gap).
    let besideBelow = false;
    while (end < rows.length) {
      const candidate = rows[end]!;
      const size = Math.min(...candidate.map((l) => l.size));
      if (end > i && candidate[0]!.top - bottom > LAYOUT.besideRowGap * size) break;
      const placed = candidate.map(columnOf);
      if (placed.includes(-1)) break;
      if (end > i && new Set(placed).size > 1) besideBelow = true;
      candidate.forEach((line, k) => columns[placed[k]!]!.push(line));
      bottom = Math.max(...candidate.map((l) => l.bottom));
      end++;
    }
    if (!besideBelow) {
      main.push(...row);
      i++;
      continue;
    }
    // The first column is a caption when its first line starts with a label; the others always are.
    const [first = [], ...captions] = columns;
    if (first[0] && CAPTION_PATTERN.test(first[0].text)) captions.unshift(first);
    else main.push(...first);
    flows.push(main, ...captions);
    main = [];
    i = end;
  }
  flows.push(main);
  return flows.filter((lines) => lines.length > 0);
}

/** "Figure 2:" alone: the caption label with (almost) nothing after it. */
function isBareCaptionLabel(text: string): boolean {
  const match = CAPTION_PATTERN.exec(text);
  return match !== null && text.length - match[0].length <= 2;
}

/** Lines of one page in reading order, grouped into flows (a flow never continues across a column switch). */
export function readingOrder(lines: readonly Line[], layout: ColumnLayout): Line[][] {
  return columnFlows(lines, layout).flatMap(unweaveSideBySide);
}

function columnFlows(lines: readonly Line[], layout: ColumnLayout): Line[][] {
  const byRow = [...lines].sort((p, q) => p.row - q.row || p.x0 - q.x0);
  if (!layout.twoColumn) return byRow.length ? [byRow] : [];
  const flows: Line[][] = [];
  let leftFlow: Line[] = [];
  let rightFlow: Line[] = [];
  let fullFlow: Line[] = [];
  const flushColumns = () => {
    if (leftFlow.length) flows.push(leftFlow);
    if (rightFlow.length) flows.push(rightFlow);
    leftFlow = [];
    rightFlow = [];
  };
  const flushFull = () => {
    if (fullFlow.length) flows.push(fullFlow);
    fullFlow = [];
  };
  // The page head (title, authors) is read across: everything above the last full-width band of
  // white space that lies above the first wide column line. Lines beside each other below that
  // (an "Abstract" heading next to a figure) stay in their columns.
  const columnWidth = Math.min(layout.gutter - layout.left, layout.right - layout.gutter);
  const sizeChars = new Map<number, number>();
  for (const l of byRow) sizeChars.set(Math.round(l.size), (sizeChars.get(Math.round(l.size)) ?? 0) + l.text.length);
  const bodySize = [...sizeChars].sort((p, q) => q[1] - p[1])[0]?.[0] ?? 10;
  const columnTop = Math.min(
    ...byRow
      .filter((l) => !crossesGutter(l.x0, l.x1, layout) && l.x1 - l.x0 >= LAYOUT.wideColumnLine * columnWidth && Math.abs(l.size - bodySize) <= 1)
      .map((l) => l.top),
  );
  let headBottom = -Infinity;
  let lowest = -Infinity;
  let previous: Line | undefined;
  for (const line of [...byRow].sort((p, q) => p.top - q.top)) {
    if (line.top > columnTop + 1) break;
    // The space under a section heading ("Abstract") is not the end of the page head.
    const underHeading = previous !== undefined && KNOWN_HEADINGS.test(previous.text);
    if (lowest > -Infinity && line.top - lowest > LAYOUT.headGap * line.size && !underHeading) headBottom = lowest;
    if (line.bottom >= lowest) previous = line;
    lowest = Math.max(lowest, line.bottom);
  }
  let lastFull: Line | undefined;
  for (const line of byRow) {
    const crosses = crossesGutter(line.x0, line.x1, layout) || line.bottom <= headBottom + 0.01;
    // A short last line of a wide caption or paragraph stays with the full-width lines above it.
    const continuesFull =
      !crosses &&
      lastFull !== undefined &&
      line.row - lastFull.row === 1 &&
      line.top - lastFull.bottom < LAYOUT.continuationGap * line.size &&
      Math.abs(line.x0 - lastFull.x0) < 2 &&
      Math.abs(line.size - lastFull.size) < 0.5;
    if (crosses || continuesFull || line.row === lastFull?.row) {
      flushColumns();
      fullFlow.push(line);
      lastFull = line;
      continue;
    }
    if (fullFlow.length) {
      flushFull();
      lastFull = undefined;
    }
    if (line.x1 <= layout.gutter + 1) leftFlow.push(line);
    else rightFlow.push(line);
  }
  flushColumns();
  flushFull();
  return flows;
}

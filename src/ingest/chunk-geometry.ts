/**
 * Where a text chunk sits on its page: the boxes of the lines its sentences come from, merged into
 * as few rectangles as the layout allows (one per column stretch of a paragraph), so the web page
 * can highlight a cited passage on the PDF page.
 *
 * A block's text was repaired after its lines were read (hyphens joined, ligatures expanded,
 * spacing normalised), so character offsets of the text do not match the lines'. Letters and
 * digits survive every repair: a sentence's lines are those whose letters fall inside the sentence's
 * letter range, counted from the start of the block.
 */
import { isLetterOrDigit } from "../util/letters.js";
import type { ParsedBlock } from "./types.js";

export type PageBox = [number, number, number, number];

/** Part of a block's text, by character offsets into `block.text`. */
export interface TextSpan {
  block: ParsedBlock;
  start: number;
  end: number;
}

const prefixes = new WeakMap<ParsedBlock, Uint32Array>();

/** letters[i]: letters and digits in block.text before offset i (computed once per block). */
function letterPrefix(block: ParsedBlock): Uint32Array {
  let prefix = prefixes.get(block);
  if (!prefix) {
    prefix = new Uint32Array(block.text.length + 1);
    for (let i = 0; i < block.text.length; i++) prefix[i + 1] = prefix[i]! + (isLetterOrDigit(block.text, i) ? 1 : 0);
    prefixes.set(block, prefix);
  }
  return prefix;
}

/** The boxes of the lines a span covers, in reading order; the block's box when it has no lines. */
function spanLineBoxes(span: TextSpan): PageBox[] {
  const { block } = span;
  const lines = block.lines;
  if (!lines?.length) return block.bbox ? [block.bbox] : [];
  const prefix = letterPrefix(block);
  const textLetters = prefix[block.text.length]!;
  const lineLetters = lines.reduce((sum, line) => sum + line.chars, 0);
  if (textLetters === 0 || lineLetters === 0) return lines.map((l) => l.box);
  // Scaled, so a small drift between the two counts (a repaired ligature) cannot lose the last line.
  const scale = lineLetters / textLetters;
  const from = prefix[span.start]! * scale;
  const to = from + Math.max(1, prefix[span.end]! - prefix[span.start]!) * scale;
  const boxes: PageBox[] = [];
  let at = 0;
  for (const line of lines) {
    const next = at + line.chars;
    if (next > from && at < to) boxes.push(line.box);
    at = next;
  }
  return boxes;
}

/**
 * Whether a line's box continues a rectangle: the next line of the same column, or another piece of
 * the rectangle's last row (a table's cells, a row of author names). Lines come in reading order, so
 * a row's pieces from the other column never follow each other: that column starts higher up.
 */
function continues(rect: PageBox, line: PageBox): boolean {
  const height = line[3] - line[1];
  const sameRow = line[1] < rect[3] && line[3] > rect[3] - height;
  const below = line[1] >= rect[1] - 1 && line[1] - rect[3] <= 1.6 * height;
  const overlapX = Math.min(rect[2], line[2]) - Math.max(rect[0], line[0]);
  return sameRow || (below && overlapX > 0);
}

/** Merges line boxes (in reading order) into rectangles: a paragraph's lines in one column make one. */
export function mergeLineBoxes(lines: readonly PageBox[]): PageBox[] {
  const rects: PageBox[] = [];
  for (const line of lines) {
    const rect = rects[rects.length - 1];
    if (rect && continues(rect, line)) {
      rects[rects.length - 1] = [Math.min(rect[0], line[0]), Math.min(rect[1], line[1]), Math.max(rect[2], line[2]), Math.max(rect[3], line[3])];
    } else {
      rects.push([...line]);
    }
  }
  return rects;
}

/** The merged boxes of a chunk's spans (all on one page); empty when its blocks have no geometry. */
export function chunkBoxes(spans: readonly TextSpan[]): PageBox[] {
  const lines: PageBox[] = [];
  const seen = new Set<string>();
  for (const span of spans) {
    for (const box of spanLineBoxes(span)) {
      const key = box.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(box);
    }
  }
  return mergeLineBoxes(lines);
}

/**
 * Lines -> blocks: removes running headers, footers, page numbers and line-number columns, then
 * groups each flow's lines into paragraphs, headings and captions.
 */
import type { BlockLine, ParsedBlock } from "../types.js";
import { BLOCKS, MARGINS } from "./heuristics.js";
import type { Line, PageText } from "./layout.js";
import { roundToTenth } from "./matrix.js";
import { countLetters } from "../../util/letters.js";
import { LINE_BREAK_HYPHEN, repairLigatures, repairSpacedSmallCaps } from "./text-repair.js";

export interface RawBlock {
  page: number;
  lines: Line[];
  text: string;
  kind: ParsedBlock["kind"];
  size: number;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  /** Index of the flow (column stretch) on its page. */
  flow: number;
}

/** "Figure 3:", "Fig. 3.", "Figure 3 |", "Table 2:", "Table A1." at the start of a block. */
export const CAPTION_PATTERN = /^(Figure|Fig\.?|FIGURE|FIG\.?|Table|TABLE|Tab\.)\s*([A-Z]?\d{1,3}(?:\.\d{1,2})?|[IVX]{1,5})\s*(?:\((?:[a-z]|left|right|top|bottom|continued|cont\.?)\))?\s*[:.|—–]/;

const NUMBERED_HEADING = /^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[A-H](?:\.\d{1,2}){1,3}\.?|Appendix\s+[A-Z]\d*\.?)\s+\p{Lu}/u;
const LETTERED_HEADING = /^[A-H]\.?\s+\p{Lu}[\p{L}\s-]{2,}/u;
export const KNOWN_HEADINGS =
  /^(?:(?:\d{1,2}\.?|[A-H]\.?)\s+)?(Abstract|References|Bibliography|Acknowledge?ments?|Appendix|Appendices|Introduction|Conclusions?|Related Work|Discussion|Limitations|Broader Impacts?|Ethics Statement|Supplementary Materials?)\.?$/i;
const BULLET = /^[•◦▪‣∙·–-]\s+|^\(?\d{1,2}\)\s+|^\([a-z]\)\s+/;

const numericOnly = (text: string) => /^(?:\d{1,4}|[ivxlc]{1,6})$/i.test(text);
const signature = (text: string) => text.toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ").trim();

/** Drops running headers/footers (repeated margin lines), page numbers and line-number columns. */
export function removeMarginalia(pages: PageText[]): void {
  const pagesWith = new Map<string, number>();
  const inMargin = (line: Line, page: PageText) => line.bottom < page.height * MARGINS.headerZone || line.top > page.height * MARGINS.footerZone;
  for (const page of pages) {
    const seen = new Set<string>();
    for (const line of page.lines) if (inMargin(line, page)) seen.add(signature(line.text));
    for (const sig of seen) pagesWith.set(sig, (pagesWith.get(sig) ?? 0) + 1);
  }
  const minRepeats = Math.max(2, Math.ceil(pages.length * MARGINS.repeatShare));
  for (const page of pages) {
    const long = page.lines.filter((l) => l.text.length >= 30);
    const textLeft = long.length ? Math.min(...long.map((l) => l.x0)) : 0;
    const textRight = long.length ? Math.max(...long.map((l) => l.x1)) : page.width;
    const numberColumns = new Map<number, number>();
    for (const line of page.lines) {
      if (/^\d{1,4}$/.test(line.text)) numberColumns.set(Math.round(line.x1 / 4), (numberColumns.get(Math.round(line.x1 / 4)) ?? 0) + 1);
    }
    // A running header or footer has its row to itself (with a page number at most): a repeated
    // word on a row with other text is a table's column head or a plot's title at the page's top.
    const rowMates = new Map<number, Line[]>();
    for (const line of page.lines) rowMates.set(line.row, [...(rowMates.get(line.row) ?? []), line]);
    const marginRows = new Set<number>();
    for (const [row, lines] of rowMates) if (lines.every((l) => marginCandidate(l))) marginRows.add(row);
    // Only running headers and footers bound the page's content; line numbers run down its side.
    const removedInMargin: Line[] = [];
    page.lines = page.lines.filter((line) => {
      const removal = removalOf(line);
      if (removal === "margin") removedInMargin.push(line);
      return removal === undefined;
    });
    // Numbers alone on their row (page numbers) bound the content too; rows of numbers (a plot's ticks) do not.
    const bounding = removedInMargin.filter((l) => !numericOnly(l.text) || (rowMates.get(l.row)?.length ?? 0) === 1);
    const headers = bounding.filter((l) => l.bottom < page.height / 2);
    const footers = bounding.filter((l) => l.top >= page.height / 2);
    if (headers.length) page.headerBottom = Math.max(...headers.map((l) => l.bottom));
    if (footers.length) page.footerTop = Math.min(...footers.map((l) => l.top));
    function marginCandidate(line: Line): boolean {
      if (!inMargin(line, page)) return false;
      if (pages.length >= 2 && (pagesWith.get(signature(line.text)) ?? 0) >= minRepeats) return true;
      return numericOnly(line.text) || /^page\s+\d+(\s+of\s+\d+)?$/i.test(line.text);
    }
    function removalOf(line: Line): "margin" | "line-number" | undefined {
      if (marginCandidate(line) && marginRows.has(line.row)) return "margin";
      if (/^\d{1,4}$/.test(line.text) && (numberColumns.get(Math.round(line.x1 / 4)) ?? 0) >= MARGINS.lineNumberMinCount) {
        if (line.x1 <= textLeft + 2 || line.x0 >= textRight - 2) return "line-number";
      }
      return undefined;
    }
  }
}

const isNumberedHeadingLine = (line: Line) =>
  line.text.length <= BLOCKS.headingMaxChars && NUMBERED_HEADING.test(line.text) && !/[.,;]$/.test(line.text) && line.text.split(/\s+/).length <= 14;
const isKnownHeadingLine = (line: Line) => KNOWN_HEADINGS.test(line.text.replace(/\s+/g, " "));
/** The second line of a wrapped heading: same font and size, short, close below. */
const continuesHeading = (heading: Line, line: Line) =>
  line.font === heading.font && Math.abs(line.size - heading.size) < 0.3 && line.text.length < 60 && !/[.:]$/.test(line.text) && line.top - heading.bottom < 0.6 * line.size;
const endsSentence = (text: string) => /[.!?:]["')\]]?$/.test(text);

function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Groups a flow's lines into blocks. */
export function blocksOfFlow(lines: Line[], page: number, flow: number): RawBlock[] {
  const blocks: RawBlock[] = [];
  const flowRight = percentile(
    lines.map((l) => l.x1),
    0.9,
  );
  const segmentsPerRow = new Map<number, number>();
  for (const line of lines) segmentsPerRow.set(line.row, (segmentsPerRow.get(line.row) ?? 0) + 1);
  let current: Line[] = [];
  const flush = () => {
    if (current.length) blocks.push(makeBlock(current, page, flow));
    current = [];
  };
  for (const line of lines) {
    const previous = current[current.length - 1];
    if (!previous) {
      current.push(line);
      continue;
    }
    if (line.row === previous.row && !(CAPTION_PATTERN.test(line.text) && line.x0 - previous.x1 > 2 * line.size)) {
      current.push(line);
      continue;
    }
    const size = Math.min(line.size, previous.size);
    const gap = line.top - previous.bottom;
    const startsNew =
      gap > BLOCKS.paragraphGap * size ||
      gap < -size ||
      Math.abs(line.size - previous.size) > BLOCKS.sizeChange * Math.max(line.size, previous.size) ||
      // "Fig. 4. First, ..." at the start of a wrapped line inside a sentence is a reference, not a caption.
      (CAPTION_PATTERN.test(line.text) && (endsSentence(previous.text) || gap > 0.3 * size || Math.abs(line.size - previous.size) > 0.5)) ||
      isNumberedHeadingLine(line) ||
      isKnownHeadingLine(line) ||
      isKnownHeadingLine(previous) ||
      (current.length === 1 && isNumberedHeadingLine(previous) && !continuesHeading(previous, line)) ||
      // "2) may be ..." after "GPT-" continues a hyphenated name, not a list.
      (BULLET.test(line.text) && !/[-\u2010]$/.test(previous.text)) ||
      // A caption ends where a table's rows (several cells on one row) begin.
      (CAPTION_PATTERN.test(current[0]?.text ?? "") && (segmentsPerRow.get(line.row) ?? 1) > 1) ||
      (previous.x1 < flowRight - BLOCKS.shortLineSlack * size && endsSentence(previous.text) && /^[\p{Lu}\d[(]/u.test(line.text) && line.x0 - lines[0]!.x0 > -1);
    if (startsNew) flush();
    current.push(line);
  }
  flush();
  return blocks;
}

/** Joins a block's lines: same-row pieces with a space, hyphenated line breaks marked for the vocabulary pass. */
export function joinLines(lines: readonly Line[]): string {
  let text = "";
  let previous: Line | undefined;
  for (const line of lines) {
    const piece = line.text;
    if (!previous) text = piece;
    else if (/\p{L}[-\u2010]$/u.test(text) && /^\p{Ll}/u.test(piece) && line.row !== previous.row) text = text.slice(0, -1) + LINE_BREAK_HYPHEN + piece;
    else if (/\p{L}[-\u2010]$/u.test(text) && /^\p{Lu}/u.test(piece) && line.row !== previous.row) text += piece;
    else text += " " + piece;
    previous = line;
  }
  return repairLigatures(text.replace(/\s+/g, " ").trim());
}

/** A block's lines as the chunker needs them: box (to 0.1 pt) and letter count. */
export function blockLines(lines: readonly Line[]): BlockLine[] {
  return lines.map((l) => ({ box: [roundToTenth(l.x0), roundToTenth(l.top), roundToTenth(l.x1), roundToTenth(l.bottom)], chars: countLetters(repairLigatures(l.text)) }));
}

function makeBlock(lines: Line[], page: number, flow: number): RawBlock {
  const sizes = new Map<number, number>();
  for (const l of lines) sizes.set(Math.round(l.size * 2) / 2, (sizes.get(Math.round(l.size * 2) / 2) ?? 0) + l.text.length);
  const size = [...sizes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  return {
    page,
    lines,
    text: joinLines(lines),
    kind: "paragraph",
    size,
    x0: Math.min(...lines.map((l) => l.x0)),
    x1: Math.max(...lines.map((l) => l.x1)),
    top: Math.min(...lines.map((l) => l.top)),
    bottom: Math.max(...lines.map((l) => l.bottom)),
    flow,
  };
}

const MATH_CHARS = /[=+\u2212×÷±∑∏∫√∞≤≥≈≠∈∉⊂⊆∪∩∀∃∂∇→←↔⇒⇔·∗′‖|^_{}()[\]\p{Script=Greek}\u{1D400}-\u{1D7FF}]/gu;

function looksLikeEquation(text: string): boolean {
  const compact = text.replace(/\s+/g, "");
  if (compact.length < 3 || text.length > 400) return false;
  const words = text.match(/\p{L}{3,}/gu) ?? [];
  const wordChars = words.reduce((n, w) => n + w.length, 0);
  const mathChars = compact.match(MATH_CHARS)?.length ?? 0;
  if (mathChars < 2 || !/[=≤≥≈∈∑∏∫]/u.test(text)) return false;
  // A numbered display equation ends with its number: "... (3)".
  return wordChars / compact.length < 0.4 || (/\(\d{1,3}\)\s*\S{0,6}$/.test(text) && text.length < 200 && wordChars / compact.length < 0.6);
}

function looksLikeTable(block: RawBlock): boolean {
  const tokens = block.text.split(/\s+/);
  if (tokens.length < 8) return false;
  const numeric = tokens.filter((t) => /^[-+±(]?\d+([.,]\d+)?%?[)*†]?$/.test(t)).length;
  const rows = new Set(block.lines.map((l) => l.row)).size;
  return numeric / tokens.length >= 0.45 && block.lines.length > rows;
}

/** Sets each block's kind from its text and size relative to the document's body text. */
export function classifyBlock(block: RawBlock, bodySize: number): void {
  const text = block.text;
  if (CAPTION_PATTERN.test(text)) {
    block.kind = "caption";
    return;
  }
  const singleLine = new Set(block.lines.map((l) => l.row)).size <= 2;
  const shortText = text.length <= BLOCKS.headingMaxChars && /\p{L}{2,}/u.test(text) && !/[.,;]$/.test(text);
  if (singleLine && shortText) {
    const candidate = repairSpacedSmallCaps(text);
    const larger = block.size >= bodySize * BLOCKS.headingSizeRatio;
    if (KNOWN_HEADINGS.test(candidate) || (NUMBERED_HEADING.test(candidate) && candidate.split(/\s+/).length <= 14) || (larger && LETTERED_HEADING.test(candidate)) || (larger && /^\p{Lu}/u.test(candidate) && candidate.split(/\s+/).length <= 12)) {
      block.text = candidate;
      block.kind = "heading";
      return;
    }
  }
  if (BULLET.test(text) && !/^\(?\d{1,2}\)\s/.test(text)) block.kind = "list";
  else if (looksLikeEquation(text)) block.kind = "equation";
  else if (looksLikeTable(block)) block.kind = "table";
}

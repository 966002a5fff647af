/**
 * Document structure from blocks in reading order: title, authors, abstract, sections, the
 * references section, arXiv id, year and DOI.
 */
import type { RawBlock } from "./blocks.js";
import { KNOWN_HEADINGS } from "./blocks.js";
import { repairSpacedSmallCaps } from "./text-repair.js";

export interface StructuredBlock extends RawBlock {
  section?: string;
  references: boolean;
}

export interface DocumentInfo {
  title?: string;
  authors: string[];
  abstract?: string;
  arxivId?: string;
  year?: number;
  doi?: string;
}

/** The most common font size, weighted by characters. */
export function bodyFontSize(blocks: readonly RawBlock[]): number {
  const weights = new Map<number, number>();
  for (const block of blocks) for (const line of block.lines) {
    const size = Math.round(line.size * 2) / 2;
    weights.set(size, (weights.get(size) ?? 0) + line.text.length);
  }
  return [...weights].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 10;
}

const REFERENCES_HEADING = /^(?:\d{1,2}\.?\s+)?(References|Bibliography|References and Notes|Literature Cited|Works Cited)$/i;
/** Headings that end the bibliography: appendices, lettered or numbered sections. */
const APPENDIX_HEADING = /^(?:(?:\d{1,2}\.?\s+)?(?:appendix|appendices|supplementary)|[A-H](?:\.\d{1,2})*\.?\s+\p{Lu}|\d{1,2}(?:\.\d{1,2})*\.?\s+\p{Lu}[\p{L}\s-]{2,60}$)/iu;
const ABSTRACT_HEADING = /^abstract$/i;
const INLINE_ABSTRACT = /^abstract\s*[.:—–-]\s*/i;

/** Marks the title, the abstract, sections and references. */
export function structure(blocks: RawBlock[], pageHeights: Map<number, number>, bodySize: number, metadataTitle?: string): { blocks: StructuredBlock[]; info: DocumentInfo } {
  const out = blocks as StructuredBlock[];
  const info: DocumentInfo = { authors: [] };

  // Title: the largest text in the upper half of page 1.
  const firstPage = out.filter((b) => b.page === 1);
  const height = pageHeights.get(1) ?? 792;
  // Prefer titles of three words or more: a large two-word label in a figure is not the title.
  let titleBlock: StructuredBlock | undefined;
  let largest: StructuredBlock | undefined;
  for (const block of firstPage) {
    if (block.top > height * 0.5 || block.kind === "caption" || (block.text.match(/\p{L}/gu)?.length ?? 0) < 4 || block.text.length > 300) continue;
    if (!largest || block.size > largest.size + 0.2) largest = block;
    if (block.text.split(/\s+/).length >= 3 && (!titleBlock || block.size > titleBlock.size + 0.2)) titleBlock = block;
  }
  titleBlock ??= largest;
  if (titleBlock && titleBlock.size >= bodySize * 1.15) {
    titleBlock.kind = "title";
    // A title wrapped over lines of slightly different sizes (small caps) arrives as several blocks.
    const at = out.indexOf(titleBlock);
    for (let next = out[at + 1]; next && next.page === 1 && next.kind !== "caption"; next = out[at + 1]) {
      const close = next.top - titleBlock.bottom < 0.8 * titleBlock.size && next.top > titleBlock.top;
      const sameFont = next.lines[0]?.font === titleBlock.lines[0]?.font;
      const smallCaps = next.text === next.text.toUpperCase();
      if (!close || !sameFont || next.size < (smallCaps ? 0.75 : 0.95) * titleBlock.size || next.text.length > 200 || titleBlock.text.length + next.text.length > 300) break;
      titleBlock.text = `${titleBlock.text} ${next.text}`;
      titleBlock.lines.push(...next.lines);
      titleBlock.bottom = Math.max(titleBlock.bottom, next.bottom);
      out.splice(at + 1, 1);
    }
    titleBlock.text = repairSpacedSmallCaps(titleBlock.text);
    info.title = titleBlock.text;
  } else if (metadataTitle && isMeaningfulTitle(metadataTitle)) {
    info.title = metadataTitle.trim();
  }

  // Abstract: blocks after an "Abstract" heading up to the next heading, or a block starting "Abstract—".
  let abstractIndex = -1;
  const abstractParts: string[] = [];
  for (let i = 0; i < out.length; i++) {
    const block = out[i] as StructuredBlock;
    if (block.page > 2) break;
    if (block.kind === "heading" && ABSTRACT_HEADING.test(block.text)) {
      abstractIndex = i;
      for (let j = i + 1; j < out.length; j++) {
        const next = out[j] as StructuredBlock;
        if (next.kind === "heading" || next.kind === "caption" || next.kind === "title" || next.page > block.page + 1) break;
        // Footnotes and venue lines under the abstract are set in another size: stop there.
        const first = out[i + 1] as StructuredBlock;
        if (abstractParts.length && Math.abs(next.size - first.size) > 0.4) break;
        next.kind = "abstract";
        abstractParts.push(next.text);
      }
      break;
    }
    if (INLINE_ABSTRACT.test(block.text) && block.text.length > 100) {
      abstractIndex = i;
      block.kind = "abstract";
      abstractParts.push(block.text.replace(INLINE_ABSTRACT, ""));
      break;
    }
  }
  if (abstractParts.length) info.abstract = abstractParts.join("\n\n");

  // Authors: what lies between the title and the abstract on page 1.
  const titleIndex = titleBlock ? out.indexOf(titleBlock) : -1;
  if (titleIndex >= 0) {
    const end = abstractIndex > titleIndex ? abstractIndex : Math.min(out.length, titleIndex + 12);
    const candidates = out.slice(titleIndex + 1, end).filter((b) => b.page === 1 && b.kind !== "caption");
    // Names set a little larger than body text are not section headings.
    for (const block of candidates) if (block.kind === "heading" && !KNOWN_HEADINGS.test(block.text)) block.kind = "paragraph";
    info.authors = authorNames(candidates.flatMap((b) => b.lines.map((l) => l.text)));
  }

  // Sections and the references section.
  let section: string | undefined;
  let inReferences = false;
  for (const block of out) {
    if (block.kind === "heading") {
      const heading = block.text.replace(/\s+/g, " ");
      if (REFERENCES_HEADING.test(heading)) inReferences = true;
      else if (inReferences && (APPENDIX_HEADING.test(heading) || block.size > bodySize * 1.1)) inReferences = false;
      else if (inReferences) {
        // Inside the bibliography, a short line is a reference fragment, not a heading.
        block.kind = "paragraph";
      }
      if (block.kind === "heading") section = heading;
    }
    block.section = section;
    block.references = inReferences && block.kind !== "heading";
    if (block.references && block.kind === "heading") block.references = false;
  }
  for (const block of out) if (block.kind === "heading" && REFERENCES_HEADING.test(block.text)) block.references = false;
  return { blocks: out, info };
}

function isMeaningfulTitle(title: string): boolean {
  const t = title.trim();
  return t.length >= 8 && /\s/.test(t) && !/^(untitled|microsoft (word|powerpoint)|document\d*$|arxiv:)/i.test(t) && !/\.(pdf|docx?|tex|dvi|ps)$/i.test(t);
}

const AFFILIATION = /(universit|institut|college|school|department|dept\.|laborator|\blab\b|research|google|microsoft|facebook|meta|openai|deepmind|nvidia|amazon|apple|ibm|inc\.?$|corp|center|centre|academy|brain|\bai\b|@|http|www\.|\.com|\.edu|\.org|\d{3,}|street|road|usa|china|canada|germany|france|uk$|equal contribution|work done|correspond)/i;
// Letters, with the spacing accents some PDFs extract next to them ("O˘guz", "C´eline").
const NAME = /^\p{Lu}[\p{L}\p{M}'’.\u00B4\u02D8-\u02DD\u00A8`-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.\u00B4\u02D8-\u02DD\u00A8`-]*|de|van|von|der|da|di|la|le)){1,4}$/u;

/** Best-effort author names from the lines between title and abstract. */
export function authorNames(lines: string[]): string[] {
  const names: string[] = [];
  for (const raw of lines) {
    if (/@|https?:/.test(raw) && !/,/.test(raw)) continue;
    const cleaned = raw.replace(/(\p{L})\d[\d,]*(?=[\s,]|$)/gu, "$1").replace(/[∗*†‡§¶♯♮♭⋆#]+|\b\d\b|\(\s*\)|[\u00B9\u00B2\u00B3\u2070-\u2079]/gu, " ");
    for (const part of cleaned.split(/,|;|\band\b|&|\s{2,}/)) {
      const name = part.replace(/\s+/g, " ").trim().replace(/^[,.\s]+|[,.\s]+$/g, "");
      if (NAME.test(name) && !AFFILIATION.test(name) && !KNOWN_HEADINGS.test(name) && name.length <= 40 && !names.includes(name)) names.push(name);
    }
  }
  return names.slice(0, 50);
}

const ARXIV_STAMP = /arXiv:\s*(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(v\d+)?/;

/** arXiv id from the stamp in the margin (rotated text) or the first page's margin lines; year from its yymm. */
export function arxivFromStamp(texts: readonly string[]): { arxivId: string; year: number } | undefined {
  for (const text of texts) {
    const match = ARXIV_STAMP.exec(text);
    if (!match?.[1]) continue;
    const id = match[1];
    const yy = Number(/^\d{4}\./.test(id) ? id.slice(0, 2) : id.split("/")[1]?.slice(0, 2));
    if (!Number.isFinite(yy)) continue;
    return { arxivId: id, year: yy >= 91 ? 1900 + yy : 2000 + yy };
  }
  return undefined;
}

export function findDoi(text: string): string | undefined {
  const match = /\b(?:doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/[-._;()/:A-Za-z0-9]+)/i.exec(text);
  return match?.[1]?.replace(/[.,;)]+$/, "");
}

/** A year near a venue or copyright line on the first page ("ICLR 2015", "© 2020"). */
export function findVenueYear(text: string): number | undefined {
  const match = /(?:©|\(c\)|copyright|conference|proceedings|workshop|journal|ICLR|NeurIPS|NIPS|ICML|ACL|EMNLP|NAACL|CVPR|ICCV|ECCV|AAAI|IJCAI|KDD|SIGIR|WWW|TACL|JMLR)[^\n]{0,60}?\b((?:19|20)\d{2})\b/i.exec(text);
  const year = match?.[1] ? Number(match[1]) : undefined;
  return year && year >= 1950 && year <= new Date().getFullYear() + 1 ? year : undefined;
}

export function yearFromPdfDate(date: unknown): number | undefined {
  if (typeof date !== "string") return undefined;
  const match = /^(?:D:)?((?:19|20)\d{2})/.exec(date);
  return match?.[1] ? Number(match[1]) : undefined;
}

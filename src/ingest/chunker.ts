/**
 * Turns a ParsedDocument into chunks for the store.
 *
 * Text chunks follow sections and sentences, are sized in estimated tokens (chunkTokens, with
 * chunkOverlapTokens of whole trailing sentences repeated at the start of the next chunk), and never
 * cross a page, section or references boundary, so every chunk cites exactly one page and section.
 * Figures become `figure` chunks (caption plus the paragraphs that mention them) and rendered pages
 * become `page` chunks.
 *
 * Token estimate: ceil(characters / 4). Jina v4's tokenizer (Qwen2.5 BPE) averages about four
 * characters per token on English prose; an estimate keeps chunking free of a tokenizer's cost and
 * is only used for sizing, never for limits the API enforces.
 */
import { ChunkMetadataSchema, type ChunkInput, type ChunkMetadata } from "../store/types.js";
import { chunkBoxes, type TextSpan } from "./chunk-geometry.js";
import type { ParsedBlock, ParsedDocument } from "./types.js";

/** Characters of scripts written without spaces: about one token each, not a quarter. */
const UNSPACED_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/gu;

export function estimateTokens(text: string): number {
  const unspaced = text.match(UNSPACED_CHAR)?.length ?? 0;
  return Math.ceil((text.length - unspaced) / 4) + unspaced;
}

export interface ChunkOptions {
  chunkTokens: number;
  chunkOverlapTokens: number;
}

/** Document-level metadata every chunk carries. */
export type DocumentMeta = Pick<ChunkMetadata, "docId" | "title" | "authors" | "year" | "doi" | "arxivId" | "source" | "citationKey">;

// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS = new Set([
  "al", "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "e.g", "i.e", "vs", "cf", "etc", "resp", "approx", "no", "nos", "vol", "pp", "dr", "mr", "ms", "prof", "st", "ref", "refs", "ch", "app", "alg", "def", "thm", "lem", "prop", "est",
]);

/** Splits text into sentences at . ! ? followed by space and an upper-case letter, digit or bracket. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  // Latin-style ends need a space and a capital after them; 。！？ end a sentence as they are.
  const boundary = /([.!?]["')\]]*)\s+(?=[A-Z0-9(["'])|([。！？]["'」』）)]*)\s*/gu;
  let start = 0;
  let match: RegExpExecArray | null;
  while ((match = boundary.exec(text)) !== null) {
    const end = match.index + (match[1] ?? match[2] ?? ".").length;
    const before = text.slice(Math.max(start, match.index - 12), match.index);
    const lastWord = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase().replace(/^\.+/, "") ?? "";
    // "et al.", "Fig. 3", single initials ("J. Smith") do not end sentences.
    if (match[1]?.startsWith(".") && (ABBREVIATIONS.has(lastWord) || /^[a-z]$/.test(lastWord))) continue;
    const sentence = text.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = match.index + match[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Splits an over-long sentence into word windows of at most maxTokens. */
function splitLong(sentence: string, maxTokens: number): string[] {
  const words = sentence.split(/\s+/);
  const out: string[] = [];
  let current: string[] = [];
  let tokens = 0;
  for (const word of words) {
    const t = estimateTokens(word) + 0.25;
    if (tokens + t > maxTokens && current.length > 0) {
      out.push(current.join(" "));
      current = [];
      tokens = 0;
    }
    current.push(word);
    tokens += t;
  }
  if (current.length > 0) out.push(current.join(" "));
  // A single "word" longer than the limit (a URL, a table dump) is cut by characters.
  return out.flatMap((piece) => {
    if (estimateTokens(piece) <= maxTokens) return [piece];
    const size = UNSPACED_CHAR.test(piece) ? maxTokens : maxTokens * 4;
    UNSPACED_CHAR.lastIndex = 0;
    const parts: string[] = [];
    for (let i = 0; i < piece.length; i += size) parts.push(piece.slice(i, i + size));
    return parts;
  });
}

interface Piece {
  text: string;
  tokens: number;
  /** First piece of a block: joined to the previous one with a blank line. */
  blockStart: boolean;
  /** Where the piece is in its block, for the chunk's boxes on the page. */
  span: TextSpan;
}

interface GroupKey {
  page?: number;
  section?: string;
  references: boolean;
}

function sameKey(a: GroupKey, b: GroupKey): boolean {
  return a.page === b.page && a.section === b.section && a.references === b.references;
}

export function chunkDocument(doc: ParsedDocument, meta: DocumentMeta, options: ChunkOptions): ChunkInput[] {
  const chunks: ChunkInput[] = [];
  const maxTokens = Math.max(8, options.chunkTokens);
  const overlapTokens = Math.min(options.chunkOverlapTokens, Math.floor(maxTokens / 2));
  const base = { ...meta, authors: meta.authors ?? [] };
  let textIndex = 0;

  let pieces: Piece[] = [];
  let pieceTokens = 0;
  /** How many leading pieces are overlap carried from the previous chunk. */
  let carriedCount = 0;
  let key: GroupKey | undefined;

  const emit = () => {
    // A chunk made only of carried overlap repeats text already stored.
    if (pieces.length <= carriedCount || !key) return;
    const text = pieces.map((p, i) => (i === 0 ? p.text : p.blockStart ? `\n\n${p.text}` : ` ${p.text}`)).join("");
    const boxes = key.page === undefined ? [] : chunkBoxes(pieces.map((p) => p.span));
    chunks.push({
      text,
      metadata: ChunkMetadataSchema.parse({ ...base, kind: "text", page: key.page, section: key.section, chunkIndex: textIndex++, references: key.references, ...(boxes.length ? { boxes } : {}) }),
    });
  };

  /** Emits the current chunk and starts the next with trailing sentences as overlap. */
  const flush = (withOverlap: boolean) => {
    emit();
    const carried: Piece[] = [];
    if (withOverlap && overlapTokens > 0) {
      let t = 0;
      for (let i = pieces.length - 1; i >= 0; i--) {
        const p = pieces[i];
        if (!p || t + p.tokens > overlapTokens) break;
        carried.unshift({ ...p, blockStart: false });
        t += p.tokens;
      }
    }
    pieces = carried;
    carriedCount = carried.length;
    pieceTokens = carried.reduce((s, p) => s + p.tokens, 0);
  };

  const addBlock = (block: ParsedBlock) => {
    const blockKey: GroupKey = { page: block.page, section: block.section, references: block.references };
    if (!key || !sameKey(key, blockKey)) {
      flush(false);
      key = blockKey;
    } else if (block.kind === "heading" && pieces.length > 0) {
      flush(false);
    }
    let first = true;
    let cursor = 0;
    const sentences = block.kind === "table" || block.kind === "equation" ? [block.text] : splitSentences(block.text);
    for (const sentence of sentences) {
      for (const part of estimateTokens(sentence) > maxTokens ? splitLong(sentence, maxTokens) : [sentence]) {
        const tokens = estimateTokens(part);
        const found = block.text.indexOf(part, cursor);
        const start = found === -1 ? cursor : found;
        cursor = Math.min(block.text.length, start + part.length);
        const span: TextSpan = { block, start, end: cursor };
        // Only overlap pieces left: a carried tail never makes a chunk on its own.
        if (pieceTokens + tokens > maxTokens && pieces.length > carriedCount) flush(true);
        // The overlap must leave room for the new sentence.
        while (carriedCount > 0 && pieceTokens + tokens > maxTokens) {
          const dropped = pieces.shift();
          pieceTokens -= dropped?.tokens ?? 0;
          carriedCount--;
        }
        pieces.push({ text: part, tokens, blockStart: first, span });
        pieceTokens += tokens;
        first = false;
      }
    }
  };

  // Captions live in their figure chunks; repeating them in text chunks would return each twice.
  const captionKey = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 60);
  const figureCaptions = new Set(doc.figures.map((f) => captionKey(f.caption)));
  for (const block of doc.blocks) {
    if (!block.text.trim()) continue;
    if (block.kind === "caption" && figureCaptions.has(captionKey(block.text))) continue;
    addBlock(block);
  }
  emit();

  let figureIndex = 0;
  const mentionBudget = maxTokens * 2;
  for (const figure of doc.figures) {
    const parts = [figure.caption.trim()];
    let budget = mentionBudget - estimateTokens(figure.caption);
    const seen = new Set<string>();
    for (const mention of figure.mentions) {
      const text = mention.text.trim();
      if (!text || seen.has(text) || text === figure.caption.trim()) continue;
      seen.add(text);
      const tokens = estimateTokens(text);
      if (tokens > budget) continue;
      parts.push(text);
      budget -= tokens;
    }
    chunks.push({
      text: parts.join("\n\n"),
      metadata: ChunkMetadataSchema.parse({
        ...base,
        kind: "figure",
        page: figure.page,
        figureLabel: figure.label || undefined,
        caption: figure.caption,
        imageId: figure.imageId,
        bbox: figure.bbox,
        chunkIndex: figureIndex++,
        references: false,
      }),
    });
  }

  let pageIndex = 0;
  for (const page of doc.pages) {
    if (!page.imageId) continue;
    chunks.push({
      // A page without a text layer is still findable by its image; its text names it.
      text: page.text.trim() || `${meta.title}, page ${page.page}`,
      metadata: ChunkMetadataSchema.parse({ ...base, kind: "page", page: page.page, imageId: page.imageId, chunkIndex: pageIndex++, references: false }),
    });
  }
  return chunks;
}

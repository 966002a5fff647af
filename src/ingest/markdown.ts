/**
 * Markdown to ParsedDocument: headings become sections, a "References" heading starts the
 * references, and image links to local files become figures (caption from the alt text or title).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Lexer, type Token, type Tokens } from "marked";
import type { ParsedBlock, ParsedDocument, ParsedFigure } from "./types.js";
import { parseFigureLabel, readImageSize, toPng } from "./image.js";
import type { ImageSink } from "../store/types.js";
import { attachMentions } from "./mentions.js";
import { errorMessage } from "../errors.js";

export interface MarkdownOptions {
  filePath: string;
  /** where the linked images go, as PNGs */
  images: ImageSink;
  maxImagePixels: number;
  /** Largest image file read (bytes). */
  maxImageBytes: number;
}

const REFERENCES_HEADING = /^(?:[0-9.]+\s+|[IVX]+\.\s+)?(references|bibliography|works cited|literature cited|citations)$/i;
const ABSTRACT_HEADING = /^abstract$/i;

/** Plain text of inline tokens; images are left out (they become figures). */
function inlineText(tokens: Token[] | undefined): string {
  if (!tokens) return "";
  let out = "";
  for (const token of tokens) {
    switch (token.type) {
      case "image":
        break;
      case "br":
        out += "\n";
        break;
      case "codespan":
      case "escape":
        out += (token as Tokens.Codespan).text;
        break;
      default: {
        const withTokens = token as { tokens?: Token[]; text?: string };
        if (withTokens.tokens && withTokens.tokens.length > 0) out += inlineText(withTokens.tokens);
        else if (typeof withTokens.text === "string") out += withTokens.text;
      }
    }
  }
  return out;
}

function collectImages(tokens: Token[] | undefined, into: Tokens.Image[]): void {
  if (!tokens) return;
  for (const token of tokens) {
    if (token.type === "image") into.push(token as Tokens.Image);
    else {
      const nested = (token as { tokens?: Token[] }).tokens;
      if (nested) collectImages(nested, into);
    }
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function splitFrontMatter(source: string): { body: string; fields: Record<string, string> } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(source);
  if (!m || !m[1]) return { body: source, fields: {} };
  const fields: Record<string, string> = {};
  for (const line of m[1].split(/\r?\n/)) {
    const kv = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    if (kv && kv[1] && kv[2] !== undefined) fields[kv[1].toLowerCase()] = kv[2].trim().replace(/^["']|["']$/g, "");
  }
  return { body: source.slice(m[0].length), fields };
}

export async function parseMarkdown(source: string, options: MarkdownOptions): Promise<ParsedDocument> {
  const { body, fields } = splitFrontMatter(source.replace(/^\uFEFF/, ""));
  const tokens = new Lexer({ gfm: true }).lex(body);
  const blocks: ParsedBlock[] = [];
  const figures: ParsedFigure[] = [];
  const warnings: string[] = [];
  let title = fields.title;
  let section: string | undefined;
  let references = false;
  let referencesDepth = 0;
  let inAbstract = false;
  let abstract: string | undefined;

  // A bad image link costs that figure (with a warning), never the whole document.
  const addFigure = async (image: Tokens.Image) => {
    let href: string;
    try {
      href = decodeURI(image.href.trim());
    } catch {
      warnings.push(`image ${image.href}: malformed link; skipped`);
      return;
    }
    const caption = decodeEntities((image.text || image.title || "").trim());
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      warnings.push(`image ${href}: remote images are not fetched; kept as text only`);
      return;
    }
    const imagePath = path.resolve(path.dirname(options.filePath), href.split("#")[0] ?? href);
    let data: Buffer;
    try {
      data = await readFile(imagePath);
    } catch {
      warnings.push(`image ${href}: file not found`);
      return;
    }
    if (data.length > options.maxImageBytes) {
      warnings.push(`image ${href}: larger than the file size limit; skipped`);
      return;
    }
    const size = readImageSize(data);
    if (!size) {
      warnings.push(`image ${href}: not a PNG, JPEG or WebP image; skipped`);
      return;
    }
    if (size.width * size.height > options.maxImagePixels) {
      warnings.push(`image ${href}: ${size.width}x${size.height} exceeds the image size limit; skipped`);
      return;
    }
    let imageId: string;
    try {
      imageId = await options.images.put(await toPng(data, size.format));
    } catch (error) {
      warnings.push(`image ${href}: could not be decoded (${errorMessage(error)}); skipped`);
      return;
    }
    const parsed = parseFigureLabel(caption);
    figures.push({
      label: parsed?.label ?? "",
      kind: parsed?.kind ?? "figure",
      caption: caption || path.basename(imagePath),
      imageId,
      mentions: [],
    });
  };

  const push = (text: string, kind: ParsedBlock["kind"]) => {
    const clean = decodeEntities(text).replace(/[ \t]+/g, " ").trim();
    if (!clean) return;
    blocks.push({ text: clean, kind, section, references });
  };

  for (const token of tokens) {
    switch (token.type) {
      case "heading": {
        const heading = token as Tokens.Heading;
        const text = decodeEntities(inlineText(heading.tokens)).trim();
        if (references && heading.depth <= referencesDepth) references = false;
        inAbstract = false;
        if (!title && heading.depth === 1) {
          title = text;
          blocks.push({ text, kind: "title", references: false });
          break;
        }
        if (REFERENCES_HEADING.test(text)) {
          references = true;
          referencesDepth = heading.depth;
        }
        if (ABSTRACT_HEADING.test(text)) inAbstract = true;
        section = text;
        push(text, "heading");
        break;
      }
      case "paragraph": {
        const paragraph = token as Tokens.Paragraph;
        const images: Tokens.Image[] = [];
        collectImages(paragraph.tokens, images);
        for (const image of images) await addFigure(image);
        const text = inlineText(paragraph.tokens);
        if (inAbstract && text.trim()) abstract = abstract ? `${abstract}\n\n${text.trim()}` : text.trim();
        push(text, inAbstract ? "abstract" : parseFigureLabel(text.slice(0, 20)) && /^\s*(fig|table)/i.test(text) ? "caption" : "paragraph");
        break;
      }
      case "list": {
        const list = token as Tokens.List;
        const images: Tokens.Image[] = [];
        for (const item of list.items) collectImages(item.tokens, images);
        for (const image of images) await addFigure(image);
        push(list.items.map((item) => `- ${inlineText(item.tokens).trim()}`).join("\n"), "list");
        break;
      }
      case "table": {
        const table = token as Tokens.Table;
        const row = (cells: Tokens.TableCell[]) => cells.map((c) => inlineText(c.tokens).trim()).join(" | ");
        push([row(table.header), ...table.rows.map(row)].join("\n"), "table");
        break;
      }
      case "blockquote":
      case "code":
      case "html":
      case "text": {
        const t = token as { text?: string; tokens?: Token[] };
        const images: Tokens.Image[] = [];
        collectImages(t.tokens, images);
        for (const image of images) await addFigure(image);
        const text = token.type === "html" ? (t.text ?? "").replace(/<[^>]+>/g, " ") : t.tokens ? inlineText(t.tokens) : (t.text ?? "");
        push(text, "paragraph");
        break;
      }
      default:
        break;
    }
  }

  attachMentions(blocks, figures);
  const year = fields.year && /^\d{4}$/.test(fields.year) ? Number(fields.year) : undefined;
  return {
    title: title || path.basename(options.filePath, path.extname(options.filePath)),
    authors: fields.authors ? fields.authors.split(/\s*[;,]\s*|\s+and\s+/).filter(Boolean) : [],
    abstract,
    year,
    doi: fields.doi || undefined,
    arxivId: fields.arxiv || fields.arxiv_id || undefined,
    pageCount: 0,
    pages: [],
    blocks,
    figures,
    warnings,
  };
}

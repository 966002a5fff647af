/** Plain text to ParsedDocument: paragraphs split at blank lines; a short first line is the title. */
import path from "node:path";
import type { ParsedBlock, ParsedDocument } from "./types.js";

const REFERENCES_LINE = /^(?:[0-9.]+\s+)?(references|bibliography)\s*:?$/i;
const NUMBERED_HEADING = /^(\d+(?:\.\d+)*\.?)\s+[A-Z][^.!?]{1,80}$/;

export function parseText(source: string, filePath: string): ParsedDocument {
  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/[ \t]+/g, " ").trim())
    .filter(Boolean);
  const blocks: ParsedBlock[] = [];
  let title = path.basename(filePath, path.extname(filePath));
  let section: string | undefined;
  let references = false;
  paragraphs.forEach((paragraph, index) => {
    const singleLine = !paragraph.includes("\n");
    if (index === 0 && singleLine && paragraph.length <= 200) {
      title = paragraph;
      blocks.push({ text: paragraph, kind: "title", references: false });
      return;
    }
    if (singleLine && REFERENCES_LINE.test(paragraph)) {
      references = true;
      section = paragraph.replace(/:$/, "");
      blocks.push({ text: paragraph, kind: "heading", section, references });
      return;
    }
    if (singleLine && NUMBERED_HEADING.test(paragraph)) {
      section = paragraph;
      references = false;
      blocks.push({ text: paragraph, kind: "heading", section, references });
      return;
    }
    blocks.push({ text: paragraph.replace(/\s*\n\s*/g, " "), kind: "paragraph", section, references });
  });
  return { title, authors: [], pageCount: 0, pages: [], blocks, figures: [], warnings: [] };
}

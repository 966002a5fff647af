/**
 * Figures and tables: one record per caption label and the paragraphs that mention it. Their
 * regions on the page are found in ./regions.ts from what the page draws (./graphics.ts).
 */
import type { ParsedFigure } from "../types.js";
import { CAPTION_PATTERN, type RawBlock } from "./blocks.js";
import { FIGURES } from "./heuristics.js";

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

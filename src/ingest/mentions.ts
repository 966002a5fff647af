/** Links figures to the paragraphs that mention them ("as shown in Figure 3", "Fig. 3", "Table 2"). */
import type { ParsedBlock, ParsedFigure } from "./types.js";

function mentionPattern(label: string): RegExp | undefined {
  const m = /^(Figure|Table)\s+(\S+)$/.exec(label);
  if (!m || !m[1] || !m[2]) return undefined;
  const number = m[2].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const word = m[1] === "Table" ? "(?:Table|Tab\\.)" : "(?:Figure|Fig\\.|Figs?\\.)";
  return new RegExp(`\\b${word}\\s*${number}(?![0-9])`, "i");
}

/** Fills `mentions` of figures that have none, from paragraphs and lists (not captions). */
export function attachMentions(blocks: ParsedBlock[], figures: ParsedFigure[], maxPerFigure = 4): void {
  for (const figure of figures) {
    if (figure.mentions.length > 0 || !figure.label) continue;
    const pattern = mentionPattern(figure.label);
    if (!pattern) continue;
    for (const block of blocks) {
      if (block.kind === "caption" || block.kind === "heading" || block.references) continue;
      if (block.text.startsWith(figure.caption.slice(0, 40))) continue;
      if (pattern.test(block.text)) {
        figure.mentions.push({ page: block.page, text: block.text });
        if (figure.mentions.length >= maxPerFigure) break;
      }
    }
  }
}

/** Similarity of two parses' block texts, whitespace-insensitive. */
import type { ParsedDocument } from "../../../src/ingest/types.js";

const squash = (text: string) => text.replace(/\s+/g, "");

/** Length of the longest common subsequence of two sequences. */
function lcs<T>(a: readonly T[], b: readonly T[]): number {
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) current[j] = a[i - 1] === b[j - 1] ? (previous[j - 1] ?? 0) + 1 : Math.max(previous[j] ?? 0, current[j - 1] ?? 0);
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

export interface Parity {
  /** Share of blocks, in order, with the same text (spaces ignored): 2 * LCS / (|a| + |b|). */
  blocks: number;
  /** The same over the words of the whole text (block boundaries ignored). */
  words: number;
  /** The same over block kinds and sections, in order. */
  kinds: number;
}

export function parity(a: ParsedDocument, b: ParsedDocument): Parity {
  const ratio = <T>(x: readonly T[], y: readonly T[]) => (x.length + y.length === 0 ? 1 : (2 * lcs(x, y)) / (x.length + y.length));
  const words = (d: ParsedDocument) => d.blocks.flatMap((block) => block.text.split(/\s+/).filter(Boolean));
  return {
    blocks: ratio(
      a.blocks.map((x) => squash(x.text)),
      b.blocks.map((x) => squash(x.text)),
    ),
    words: ratio(words(a), words(b)),
    kinds: ratio(
      a.blocks.map((x) => `${x.kind}|${x.section ?? ""}`),
      b.blocks.map((x) => `${x.kind}|${x.section ?? ""}`),
    ),
  };
}

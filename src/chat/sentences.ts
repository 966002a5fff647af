/** Sentence splitting for quoting: aware of abbreviations ("Fig. 3", "e.g.", "et al."), initials and decimals. */

const ABBREVIATIONS = new Set(
  [
    "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "tabs", "ref", "refs", "no", "nos", "vol", "vols", "pp", "p", "ch", "chap",
    "e.g", "i.e", "cf", "vs", "etc", "al", "approx", "resp", "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "inc", "ltd", "co",
    "corp", "dept", "univ", "est", "min", "max", "avg", "std", "var", "wrt", "viz", "ca", "appx", "app", "thm", "def", "lem", "prop",
    "alg", "algo", "e", "i", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
  ],
);

/** True when the word that ends with "." at `end` (exclusive) is an abbreviation or an initial, not a sentence end. */
function isAbbreviation(text: string, dot: number): boolean {
  let start = dot;
  while (start > 0 && /[\p{L}\p{N}.]/u.test(text[start - 1]!)) start--;
  const word = text.slice(start, dot).toLowerCase();
  if (!word) return false;
  if (ABBREVIATIONS.has(word) || ABBREVIATIONS.has(word.replace(/\.$/, ""))) return true;
  // Single capital initials ("A. Vaswani") and dotted abbreviations ("U.S.").
  if (/^\p{Lu}$/u.test(text.slice(start, dot))) return true;
  if (/^(?:\p{L}\.)+\p{L}$/u.test(text.slice(start, dot))) return true;
  return false;
}

/** Splits text into sentences. A boundary is ., ! or ? (plus closing quotes/brackets) followed by space and a sentence start. */
export function splitSentences(text: string): string[] {
  const flat = text.replace(/\s+/g, " ").trim();
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < flat.length; i++) {
    const ch = flat[i]!;
    // 。！？ end a sentence with no space after them (Chinese, Japanese).
    if (ch === "。" || ch === "！" || ch === "？") {
      let end = i + 1;
      while (end < flat.length && /["'」』）)]/.test(flat[end]!)) end++;
      const sentence = flat.slice(start, end).trim();
      if (sentence) out.push(sentence);
      start = end;
      i = end - 1;
      continue;
    }
    if (ch !== "." && ch !== "!" && ch !== "?") continue;
    let end = i + 1;
    while (end < flat.length && /["'”’)\]]/.test(flat[end]!)) end++;
    if (end >= flat.length) break;
    if (flat[end] !== " ") continue; // "3.5", "e.g.," "arXiv:1706.03762"
    const next = flat[end + 1] ?? "";
    if (!/[\p{Lu}\p{N}"“'([]/u.test(next)) continue; // a lower-case continuation is not a new sentence
    if (ch === "." && isAbbreviation(flat, i)) continue;
    const sentence = flat.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = end + 1;
    i = end;
  }
  const rest = flat.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/**
 * Text repairs that extraction needs: ligatures, hyphenated line breaks (decided against the
 * document's own vocabulary), small caps split into two font sizes, stray whitespace.
 */

/** Marks a hyphen at a line break until the whole document's vocabulary can decide it. */
export const LINE_BREAK_HYPHEN = "\uE000";

const LIGATURES: Record<string, string> = {
  "\uFB00": "ff",
  "\uFB01": "fi",
  "\uFB02": "fl",
  "\uFB03": "ffi",
  "\uFB04": "ffl",
  "\uFB05": "st",
  "\uFB06": "st",
};

/** Short words that stand alone before a ligature-initial word ("to ﬁ nd" is "to find", "de ﬁ ne" is "define"). */
const STANDALONE_WORDS = new Set(["a", "an", "the", "to", "of", "in", "on", "at", "by", "for", "and", "or", "we", "is", "are", "be", "as", "it", "its", "no", "not", "so", "can", "more", "most", "very", "less", "their", "our", "this", "that", "with", "first", "high", "low"]);

/** Replaces ligature characters, also when extraction put spaces around them ("de ﬁ ne"). */
export function repairLigatures(text: string): string {
  if (!/[\uFB00-\uFB06]/.test(text)) return text;
  return text
    // Spaces on both sides are an extraction artefact ("de ﬁ ne"); after fi/fl/ffi/ffl alone too ("ﬁ nd"),
    // while ff often ends a word ("oﬀ the") and a space before a ligature is usually real ("the ﬂow").
    .replace(/(\p{Ll}+) ([\uFB00-\uFB06]) (?=\p{Ll})/gu, (_all, before: string, ligature: string) => (STANDALONE_WORDS.has(before) ? `${before} ${ligature}` : `${before}${ligature}`))
    .replace(/([\uFB01-\uFB04]) (?=\p{Ll})/gu, "$1")
    .replace(/[\uFB00-\uFB06]/g, (c) => LIGATURES[c] ?? c);
}

/** Short prefixes that keep their hyphen when what follows is a word ("self-\nattention" -> "self-attention"). */
const HYPHEN_KEEPING_PREFIXES = new Set(["self", "non", "cross", "well", "semi", "multi", "co", "anti", "inter", "intra", "post", "pre", "sub"]);

export type Vocabulary = Map<string, number>;

const WORD = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;

export function addToVocabulary(vocabulary: Vocabulary, text: string): void {
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    vocabulary.set(word, (vocabulary.get(word) ?? 0) + 1);
  }
}

/**
 * Resolves line-break hyphens: join when the joined word occurs elsewhere in the document, keep
 * the hyphen when the hyphenated form does, when the part before is itself a compound
 * ("state-of-the-\nart") or a prefix that usually keeps it; otherwise join ("repre-\nsentation").
 */
export function resolveLineBreakHyphens(text: string, vocabulary: Vocabulary): string {
  if (!text.includes(LINE_BREAK_HYPHEN)) return text;
  return text.replace(/([\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*)\uE000([\p{L}\p{N}]+)/gu, (_all, before: string, after: string) => {
    const lastPart = before.slice(before.lastIndexOf("-") + 1);
    const joined = `${lastPart}${after}`.toLowerCase();
    const hyphenated = `${lastPart}-${after}`.toLowerCase();
    const prefix = before.slice(0, before.length - lastPart.length);
    const joinedCount = vocabulary.get(joined) ?? 0;
    const hyphenatedCount = vocabulary.get(hyphenated) ?? 0;
    if (joinedCount > 0 && joinedCount >= hyphenatedCount) return `${prefix}${lastPart}${after}`;
    if (hyphenatedCount > 0) return `${prefix}${lastPart}-${after}`;
    // Both halves are words of this document ("sequence-\naligned"), or a compound goes on ("state-of-the-\nart").
    const bothWords = (vocabulary.get(lastPart.toLowerCase()) ?? 0) > 0 && (vocabulary.get(after.toLowerCase()) ?? 0) > 0;
    const keepsHyphen = prefix.length > 0 || (bothWords && (lastPart.length >= 4 || HYPHEN_KEEPING_PREFIXES.has(lastPart.toLowerCase())));
    return keepsHyphen ? `${prefix}${lastPart}-${after}` : `${prefix}${lastPart}${after}`;
  }).replace(/\uE000/g, "-");
}

/**
 * Repairs small caps that reached us as separate words ("A DAM : A M ETHOD" -> "ADAM: A METHOD").
 * Only used on short all-capitals lines (titles, headings), where a lone capital followed by a
 * capital run is far more likely to be one word than two.
 */
export function repairSpacedSmallCaps(text: string): string {
  const letters = text.replace(/[^\p{L}]/gu, "");
  if (letters.length < 4 || letters !== letters.toUpperCase() || text.length > 200) return text;
  const splitWords = /\b([A-Z]) ([A-Z]{2,})\b/g;
  // One match may be a real article ("A MODEL"); two or more mean the line is split small caps.
  if ((text.match(splitWords)?.length ?? 0) < 2) return text;
  return text.replace(splitWords, "$1$2").replace(/\s+([:;,.!?])/g, "$1");
}

export function normalizeWhitespace(text: string): string {
  return text.replace(/[ \t\u00A0]+/g, " ").replace(/ ?\n ?/g, "\n").trim();
}

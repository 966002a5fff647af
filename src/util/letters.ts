/**
 * Letters and digits: what survives every repair of a PDF's text (joined hyphens, expanded
 * ligatures, normalised spacing), so counting them matches a line's text to a repaired sentence.
 */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/gu;
const IS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function countLetters(text: string): number {
  return text.match(LETTER_OR_DIGIT)?.length ?? 0;
}

/** ASCII by its code (most of a paper), the rest by Unicode class; a surrogate pair counts once, at its first half. */
export function isLetterOrDigit(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  if (code >= 0xdc00 && code <= 0xdfff) return false;
  return IS_LETTER_OR_DIGIT.test(String.fromCodePoint(text.codePointAt(i)!));
}

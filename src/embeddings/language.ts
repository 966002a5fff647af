/**
 * The language of a text, for the analyser: the script first (Han with kana is Japanese, Han alone
 * Chinese, Hangul Korean, Thai, Cyrillic), then, for Latin script, tinyld's detector, trusted only
 * when it is sure: a Latin text it cannot place is analysed as English, as before languages existed.
 */
import { createRequire } from "node:module";
import stopwordsIso from "stopwords-iso/stopwords-iso.json" with { type: "json" };
import type { detectAll as DetectAll } from "tinyld/light";

/** Languages with their own analysis (stemmer and stop words, or word segmentation). */
export const ANALYSED_LANGUAGES = ["en", "de", "fr", "es", "pt", "it", "nl", "sv", "da", "no", "fi", "ru", "uk", "zh", "ja", "ko", "th"] as const;
export type AnalysedLanguage = (typeof ANALYSED_LANGUAGES)[number];

/**
 * tinyld's score below which a Latin-script text stays English, and how far its best language must
 * lead the second (its scores are not calibrated: a correct top-1 for a short sentence can be 0.13).
 */
const MIN_DETECTOR_ACCURACY = 0.1;
const MIN_DETECTOR_LEAD = 1.5;
/** The commonest English function words: prose where they are this share of the words is English. */
const ENGLISH_FUNCTION_WORDS = new Set(["the", "of", "and", "to", "in", "is", "that", "for", "with", "on", "as", "are", "this", "by", "we", "be", "it", "an", "from", "which", "or", "our", "can", "than", "not", "these", "at", "was", "were", "has", "have"]);
const ENGLISH_SHARE = 0.2;
/** A detection stands when the text has this share of the language's own stop words, and two different ones. */
const FUNCTION_WORD_SHARE = 0.15;
const MIN_DISTINCT_FUNCTION_WORDS = 2;
/** Without the detector's agreement, more different function words are needed. */
const UNSURE_DISTINCT_FUNCTION_WORDS = 3;
const stopLists = stopwordsIso as Record<string, string[] | undefined>;
const functionWords = new Map<string, ReadonlySet<string>>();

function hasFunctionWords(text: string, lang: string): boolean {
  return functionWordShare(text, lang, MIN_DISTINCT_FUNCTION_WORDS) !== null;
}

/** The share of the text's words that are the language's own function words, or null when too few (or too few different ones). */
function functionWordShare(text: string, lang: string, distinct: number): number | null {
  let set = functionWords.get(lang);
  if (!set) {
    // Words the language shares with English ("in", "and" in some lists) prove nothing; nor does "et al.".
    const english = new Set([...(stopLists.en ?? []), "et", "al"]);
    set = new Set((stopLists[lang] ?? []).filter((w) => w.length >= 2 && !english.has(w)));
    functionWords.set(lang, set);
  }
  const words = text.toLowerCase().match(/\p{L}{2,}/gu) ?? [];
  if (words.length < MIN_WORDS_FOR_SHARE) return null;
  const found = words.filter((w) => set.has(w));
  const share = found.length / words.length;
  return share >= FUNCTION_WORD_SHARE && new Set(found).size >= distinct ? share : null;
}
const MIN_WORDS_FOR_SHARE = 3;
const MIN_ASCII_WORDS_TO_DETECT = 8;
/** Letters a text needs before the detector is asked at all. */
const MIN_LETTERS_TO_DETECT = 12;
/** A script that covers this share of a text's letters decides its language. */
const SCRIPT_SHARE = 0.3;

const SCRIPTS: Array<{ lang: AnalysedLanguage | "cjk"; pattern: RegExp }> = [
  { lang: "cjk", pattern: /\p{Script=Han}/gu },
  { lang: "ko", pattern: /\p{Script=Hangul}/gu },
  { lang: "th", pattern: /\p{Script=Thai}/gu },
  { lang: "ru", pattern: /\p{Script=Cyrillic}/gu },
];
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/gu;
const LETTER = /\p{L}/gu;
/** Ukrainian letters Russian does not use. */
const UKRAINIAN = /[іїєґІЇЄҐ]/u;

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

function isAnalysed(lang: string): lang is AnalysedLanguage {
  return (ANALYSED_LANGUAGES as readonly string[]).includes(lang);
}

/** English prose, told by its function words before the detector is asked (and faster). */
function looksEnglish(text: string): boolean {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < MIN_WORDS_FOR_SHARE) return false;
  return words.filter((w) => ENGLISH_FUNCTION_WORDS.has(w)).length / words.length >= ENGLISH_SHARE;
}

/** The text's language as the analyser treats it. */
export function detectLanguage(text: string): AnalysedLanguage {
  const letters = count(text, LETTER);
  if (letters === 0) return "en";
  const kana = count(text, KANA);
  for (const { lang, pattern } of SCRIPTS) {
    const n = count(text, pattern);
    if (lang === "cjk" ? (n + kana) / letters >= SCRIPT_SHARE : n / letters >= SCRIPT_SHARE) {
      if (lang === "cjk") return kana > 0 ? "ja" : "zh";
      if (lang === "ru" && UKRAINIAN.test(text)) return "uk";
      return lang;
    }
  }
  if (kana / letters >= SCRIPT_SHARE) return "ja";
  if (letters < MIN_LETTERS_TO_DETECT || looksEnglish(text)) return "en";
  // A short run of plain ASCII (a table row, a formula, a name list) has too little to detect from.
  // Or a short question whose function words say its language ("Wie viele Proben wurden gesammelt?").
  if (!/[^\p{ASCII}]/u.test(text) && (text.match(/\p{L}{2,}/gu)?.length ?? 0) < MIN_ASCII_WORDS_TO_DETECT) return byFunctionWords(text);
  return memoDetect(text);
}

/** Latin-script languages told apart by their function words alone. */
const LATIN_LANGUAGES: AnalysedLanguage[] = ["de", "fr", "es", "pt", "it", "nl", "sv", "da", "no", "fi"];

/** The Latin-script language whose own function words are the largest share of the text, if any qualifies. */
function byFunctionWords(text: string, distinct = MIN_DISTINCT_FUNCTION_WORDS): AnalysedLanguage {
  let best: { lang: AnalysedLanguage; share: number } | undefined;
  for (const lang of LATIN_LANGUAGES) {
    const share = functionWordShare(text, lang, distinct);
    if (share !== null && (!best || share > best.share)) best = { lang, share };
  }
  return best?.lang ?? "en";
}

const detected = new Map<string, AnalysedLanguage>();
const DETECT_MEMO_LIMIT = 10_000;

/** The detector's verdict, memoised: the same sentences are analysed again for every question. */
function memoDetect(text: string): AnalysedLanguage {
  const known = detected.get(text);
  if (known) return known;
  const lang = detectLatin(text);
  if (detected.size >= DETECT_MEMO_LIMIT) detected.clear();
  detected.set(text, lang);
  return lang;
}

const requireCommonJs = createRequire(import.meta.url);
let detector: typeof DetectAll | undefined;
/**
 * tinyld's detector, loaded the first time a text needs it (most queries and English prose are told
 * before): detection is synchronous, so the package's CommonJS build is required (the same code as its ES module).
 */
function detectAll(text: string): ReturnType<typeof DetectAll> {
  detector ??= (requireCommonJs("tinyld/light") as { detectAll: typeof DetectAll }).detectAll;
  return detector(text);
}

function detectLatin(text: string): AnalysedLanguage {
  const [best, second] = detectAll(text);
  const lang = best?.lang;
  const confident = lang !== undefined && isAnalysed(lang) && best!.accuracy >= MIN_DETECTOR_ACCURACY && !(second && best!.accuracy < second.accuracy * MIN_DETECTOR_LEAD);
  // Formulas, tables and reference lists fool the detector; prose has the language's function words.
  if (confident && hasFunctionWords(text, lang)) return lang;
  // A short question the detector is unsure of: its function words may still say ("¿Qué tipo de ...?").
  return byFunctionWords(text, UNSURE_DISTINCT_FUNCTION_WORDS);
}

/** Words of spaced scripts plus one per two characters of unspaced ones: a length fair to both. */
function wordWeight(text: string): number {
  const unspaced = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/gu)?.length ?? 0;
  return (text.match(/\S+/g)?.length ?? 0) + unspaced / 2;
}

/** The most common language among a document's chunks, weighted by their length in words. */
export function dominantLanguage(texts: readonly string[]): AnalysedLanguage {
  const weight = new Map<AnalysedLanguage, number>();
  for (const text of texts) {
    const lang = detectLanguage(text);
    weight.set(lang, (weight.get(lang) ?? 0) + wordWeight(text));
  }
  return [...weight].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "en";
}

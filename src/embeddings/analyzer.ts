/**
 * The multilingual analyser behind BM25: text to the terms that are indexed and searched.
 *   - English (and Latin text no detector is sure of): exactly the English analysis of bm25.ts
 *     (its stop words and Porter stemming), so English results do not change;
 *   - other Latin-script and Cyrillic languages: that language's stop words (stopwords-iso) and its
 *     Snowball stemmer (@orama/stemmers), French and Italian elisions ("l'attention") split off;
 *   - Chinese, Japanese, Korean and Thai runs: the words of the runtime's ICU segmenter
 *     (Intl.Segmenter), without stop words, plus overlapping character bigrams, which find what the
 *     segmenter's dictionary splits differently (Lucene's CJK analyser indexes bigrams too).
 * A query is analysed the same way in its own language; names, numbers and formulas are shared
 * across languages, so a query in one language still matches them in another.
 */
import { createRequire } from "node:module";
import stopwordsIso from "stopwords-iso/stopwords-iso.json" with { type: "json" };
import { detectLanguage, type AnalysedLanguage } from "./language.js";

/** Part of the embedding signature: a change here means stored sparse vectors must be re-made. */
export const ANALYZER_VERSION = 2;

type Stemmer = (word: string) => string;
/** The @orama/stemmers module of each language with a Snowball stemmer. */
const STEMMER_MODULES: Partial<Record<AnalysedLanguage, string>> = { de: "german", fr: "french", es: "spanish", pt: "portuguese", it: "italian", nl: "dutch", sv: "swedish", da: "danish", no: "norwegian", fi: "finnish", ru: "russian", uk: "ukrainian" };
const stemmers = new Map<AnalysedLanguage, Stemmer>();
const requireCommonJs = createRequire(import.meta.url);
/**
 * A language's stemmer, loaded the first time a word of it is analysed: an English search loads
 * none of them. Analysis is synchronous, so the package's CommonJS build is required (the same
 * stemmers as its ES modules).
 */
function stemmerOf(lang: AnalysedLanguage): Stemmer | undefined {
  const name = STEMMER_MODULES[lang];
  if (!name) return undefined;
  let stemmer = stemmers.get(lang);
  if (!stemmer) {
    stemmer = (requireCommonJs(`@orama/stemmers/${name}`) as { stemmer: Stemmer }).stemmer;
    stemmers.set(lang, stemmer);
  }
  return stemmer;
}
const SEGMENTED = new Set<AnalysedLanguage>(["zh", "ja", "ko", "th"]);
/** Runs of scripts written without spaces between words (Korean has spaces, but particles cling to words). */
const UNSPACED_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}ー]+/gu;
const LINE_JOIN_IN_HAN = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー])\s(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー])/gu;
const HAS_UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const WORD = /[\p{L}\p{N}]+(?:[-_.'’][\p{L}\p{N}]+)*/gu;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const ELISION = /^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|dell|dall|nell|sull|all|un)['’]/u;

const stopLists = stopwordsIso as Record<string, string[] | undefined>;
const stopSets = new Map<string, ReadonlySet<string>>();
function stopWordsOf(lang: AnalysedLanguage): ReadonlySet<string> {
  let set = stopSets.get(lang);
  if (!set) {
    set = new Set(stopLists[lang] ?? []);
    stopSets.set(lang, set);
  }
  return set;
}

const segmenters = new Map<string, Intl.Segmenter | null>();
function segmenterFor(lang: AnalysedLanguage): Intl.Segmenter | null {
  if (!segmenters.has(lang)) segmenters.set(lang, typeof Intl.Segmenter === "function" ? new Intl.Segmenter(lang, { granularity: "word" }) : null);
  return segmenters.get(lang) ?? null;
}

/** Overlapping pairs of characters of a run ("神经网络" -> 神经 经网 网络); a single character stands alone. */
export function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** The language a run of unspaced script is segmented as, given the text's language. */
function segmentLanguage(run: string, lang: AnalysedLanguage): AnalysedLanguage {
  if (SEGMENTED.has(lang)) return lang;
  if (/\p{Script=Hangul}/u.test(run)) return "ko";
  if (/\p{Script=Thai}/u.test(run)) return "th";
  return /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(run) ? "ja" : "zh";
}

function analyzeUnspaced(run: string, lang: AnalysedLanguage): string[] {
  const segLang = segmentLanguage(run, lang);
  const stop = stopWordsOf(segLang);
  const segmenter = segmenterFor(segLang);
  const words = segmenter ? [...segmenter.segment(run)].filter((s) => s.isWordLike && !stop.has(s.segment)).map((s) => s.segment) : [];
  return [...words, ...bigrams(run)];
}

function analyzeWord(token: string, lang: AnalysedLanguage): string | undefined {
  const stemmer = stemmerOf(lang);
  const word = token.replace(/’/g, "'").replace(ELISION, "");
  if (!word || stopWordsOf(lang).has(word)) return undefined;
  if (word.length < 2 && !/\p{N}/u.test(word)) return undefined;
  // Compounds and numbers keep their form ("covid-19", "3.5"); plain words are stemmed.
  return stemmer && /^\p{L}+$/u.test(word) && word.length > 2 ? stemmer(word) : word;
}

/** Words of a spaced script in a language other than English. */
function analyzeSpaced(text: string, lang: AnalysedLanguage, english: (text: string) => string[]): string[] {
  const out: string[] = [];
  for (const match of text.normalize("NFKC").toLowerCase().matchAll(WORD)) {
    const token = match[0];
    // A Latin word in a Cyrillic text, or a Cyrillic one in a Latin text, is analysed in its own script's language.
    const tokenLang: AnalysedLanguage = CYRILLIC.test(token) ? (lang === "uk" ? "uk" : "ru") : STEMMER_MODULES[lang] && !CYRILLIC.test(token) && lang !== "ru" && lang !== "uk" ? lang : "en";
    if (tokenLang === "en") out.push(...english(token));
    else {
      const term = analyzeWord(token, tokenLang);
      if (term) out.push(term);
    }
  }
  return out;
}

/**
 * The terms of `text` in `lang` (default: detected). `english` is the English analysis, used as is
 * for English text and for Latin words no other language claims.
 */
export function analyzeIn(source: string, english: (text: string) => string[], lang: AnalysedLanguage = detectLanguage(source)): string[] {
  if (!HAS_UNSPACED.test(source)) return lang === "en" ? english(source) : analyzeSpaced(source, lang, english);
  // PDF text joins wrapped lines with a space, which inside Chinese or Japanese falls mid-word ("然 而").
  const text = source.replace(LINE_JOIN_IN_HAN, "$1");
  const out: string[] = [];
  let last = 0;
  for (const match of text.matchAll(UNSPACED_RUN)) {
    const between = text.slice(last, match.index);
    if (between.trim()) out.push(...(lang === "en" || SEGMENTED.has(lang) ? english(between) : analyzeSpaced(between, lang, english)));
    out.push(...analyzeUnspaced(match[0], lang));
    last = match.index + match[0].length;
  }
  const rest = text.slice(last);
  if (rest.trim()) out.push(...(lang === "en" || SEGMENTED.has(lang) ? english(rest) : analyzeSpaced(rest, lang, english)));
  return out;
}

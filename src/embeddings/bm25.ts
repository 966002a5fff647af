/**
 * Folio's BM25 sparse encoder. Qdrant applies the IDF (`modifier: "idf"` on the sparse vector), so
 * the client only computes the document-side term-frequency saturation and a flat query side.
 * Term ids are a 32-bit FNV-1a hash of the stemmed term: stable across runs and machines, no vocabulary.
 */
import { DEFAULTS } from "../config.js";
import { stemmer } from "stemmer";
import type { SparseVector } from "./types.js";
import { analyzeIn } from "./analyzer.js";
import type { AnalysedLanguage } from "./language.js";

export interface Bm25Options {
  /** Term-frequency saturation (FOLIO_BM25_K1). */
  k1?: number;
  /** Length normalisation, 0..1 (FOLIO_BM25_B). */
  b?: number;
  /** Average document length in terms after stop-word removal (FOLIO_BM25_AVGDL). */
  avgdl?: number;
}

export const BM25_DEFAULTS = { k1: DEFAULTS.FOLIO_BM25_K1, b: DEFAULTS.FOLIO_BM25_B, avgdl: DEFAULTS.FOLIO_BM25_AVGDL } as const;

/** A common English stop-word list (Lucene's and NLTK's, merged and trimmed of content-bearing words). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are aren't as at be because been before being below between both but by " +
    "can cannot could couldn't did didn't do does doesn't doing don't down during each few for from further had hadn't has hasn't have " +
    "haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it " +
    "it's its itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own " +
    "same shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then there " +
    "there's these they they'd they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're " +
    "we've were weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't you you'd " +
    "you'll you're you've your yours yourself yourselves also however thus via et al e.g i.e etc may might must shall will s t"
  )
    .split(/\s+/)
    .filter(Boolean),
);

/** Words: letters and digits, joined by inner hyphens, underscores, dots or apostrophes ("bert-base", "3.5", "gpt-4", "don't"). */
const TOKEN_PATTERN = /[\p{L}\p{N}]+(?:[-_.'’][\p{L}\p{N}]+)*/gu;
const JOINERS = /[-_.]/;
const DOTTED_NUMBER = /^\p{N}+(?:\.\p{N}+)+$/u;
const ASCII_LETTERS = /^[a-z]+$/;

/** 32-bit FNV-1a of the UTF-8 bytes; an unsigned integer Qdrant accepts as a sparse index. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Memo for analysed tokens and term ids: a corpus repeats a small vocabulary, and Porter stemming and
 * UTF-8 hashing dominated BM25 encoding before it (about 40% of store time at ingest). Cleared when full.
 */
const MEMO_LIMIT = 100_000;
const stemMemo = new Map<string, string>();
const termIdMemo = new Map<string, number>();
function memo<V>(cache: Map<string, V>, key: string, compute: (key: string) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute(key);
    if (cache.size >= MEMO_LIMIT) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/** Porter stemming for plain English words; numbers, mixed and non-Latin tokens stay as they are. */
function stemWord(word: string): string {
  return ASCII_LETTERS.test(word) && word.length > 2 ? stemmer(word) : word;
}

/** A token's analysed form: stemmed, compounds with stemmed parts. */
function analyzeToken(token: string): string {
  return JOINERS.test(token) ? token.split(/([-_.])/).map(stemWord).join("") : stemWord(token);
}

function isUsefulPart(part: string): boolean {
  return part.length > 0 && !ENGLISH_STOP_WORDS.has(part) && (part.length > 1 || /\p{N}/u.test(part));
}

/**
 * Lower-cased, NFKC-normalised words. A compound such as "bert-base" yields itself and its parts
 * ("bert-base", "bert", "base"), so both "BERT-base" and "bert base" find it.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const normalised = text.normalize("NFKC").toLowerCase();
  for (const match of normalised.matchAll(TOKEN_PATTERN)) {
    let token = match[0].replace(/’/g, "'");
    if (token.includes("'")) {
      if (ENGLISH_STOP_WORDS.has(token)) continue;
      // Possessives and contractions: "model's" -> "model", "o'neil" -> "oneil".
      token = token.replace(/'s$/, "").replace(/'/g, "");
    }
    if (JOINERS.test(token)) {
      const parts = token.split(JOINERS);
      // A dotted abbreviation like "e.g" or "i.e" is one stop word, not a compound.
      if (ENGLISH_STOP_WORDS.has(token)) continue;
      out.push(token);
      if (DOTTED_NUMBER.test(token)) continue; // "3.5" is one number, not "3" and "5"
      for (const part of parts) if (isUsefulPart(part)) out.push(part);
      continue;
    }
    if (isUsefulPart(token)) out.push(token);
  }
  return out;
}

/** English: stop words removed and each word stemmed; compounds keep their joiners with stemmed parts ("pre-trained" -> "pre-train"). */
export function analyzeEnglish(text: string): string[] {
  return tokenize(text).map((token) => memo(stemMemo, token, analyzeToken));
}

/**
 * The indexed terms of a text, in its language (detected when not given): English as
 * analyzeEnglish, other languages as src/embeddings/analyzer.ts says.
 */
export function analyze(text: string, lang?: AnalysedLanguage): string[] {
  return analyzeIn(text, analyzeEnglish, lang);
}

export class Bm25Encoder {
  readonly k1: number;
  readonly b: number;
  readonly avgdl: number;

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? BM25_DEFAULTS.k1;
    this.b = options.b ?? BM25_DEFAULTS.b;
    this.avgdl = options.avgdl ?? BM25_DEFAULTS.avgdl;
    if (!(this.k1 >= 0) || !(this.b >= 0 && this.b <= 1) || !(this.avgdl > 0)) {
      throw new RangeError(`BM25 parameters out of range: k1=${this.k1}, b=${this.b}, avgdl=${this.avgdl}`);
    }
  }

  /** The sparse index of a term (already analysed). */
  termId(term: string): number {
    return memo(termIdMemo, term, fnv1a32);
  }

  /** Document side: tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)) per term. */
  embedDocument(text: string): SparseVector {
    const terms = analyze(text);
    const counts = new Map<number, number>();
    for (const term of terms) {
      const id = this.termId(term);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const norm = this.k1 * (1 - this.b + (this.b * terms.length) / this.avgdl);
    return toSparse(counts, (tf) => (tf * (this.k1 + 1)) / (tf + norm));
  }

  embedDocuments(texts: string[]): SparseVector[] {
    return texts.map((text) => this.embedDocument(text));
  }

  /** Query side: weight 1 per unique term; Qdrant multiplies by the IDF. */
  embedQuery(text: string): SparseVector {
    const counts = new Map<number, number>();
    for (const term of analyze(text)) counts.set(this.termId(term), 1);
    return toSparse(counts, () => 1);
  }
}

function toSparse(counts: Map<number, number>, weight: (tf: number) => number): SparseVector {
  const indices = [...counts.keys()].sort((x, y) => x - y);
  return { indices, values: indices.map((index) => weight(counts.get(index) ?? 0)) };
}

/**
 * Sentence selection for the extractive answerer: which sentences of the numbered sources answer
 * the question, and whether any does. Rules from the question's form, not from known questions:
 *   - what the question asks for: a number or quantity ("how many", "what value", "what accuracy"),
 *     a definition ("what is", "what does ... mean"), or anything else; sentences of that form rank higher;
 *   - matching is BM25 over the sentences, with coverage measured on a window (the sentence and its
 *     neighbours), since the subject of a sentence is often named in the one before;
 *   - the question's specific names (capitalised or with digits: "TriviaQA", "BN-x30", "CO2") must
 *     be found in the sources: sources about something else do not answer;
 *   - a sentence that does not stand alone ("This ...", "It ...") is quoted with the one before it.
 */
import { analyze, detectLanguage } from "../store/index.js";
import type { NamedPapers, ParsedSource } from "./context.js";
import { elementRefs } from "./papers.js";
import { splitSentences } from "./sentences.js";

export interface SelectionOptions {
  maxSentences: number;
  /** Share of the question's term weight the window around a sentence must cover (0..1). */
  minCoverage: number;
  /** A sentence is quoted only when it scores at least this share of the best one. */
  relativeScore: number;
}

export const DEFAULT_SELECTION: SelectionOptions = { maxSentences: 3, minCoverage: 0.3, relativeScore: 0.45 };

export type Intent = "number" | "definition" | "other";

/** A question about a figure or a table it describes rather than numbers ("In the plot of ..."). */
const VISUAL_QUESTION = /\b(?:figure|fig\.|plot|plots|diagram|chart|heatmap|graph|curve|curves|illustrat\w*|visuali[sz]ation|table)\b/i;

/** Words that say what kind of answer is wanted, not what it is about. */
const QUESTION_WORDS = new Set(["show", "explain", "describ", "work", "mean", "tell", "give", "list", "find", "happen", "doe", "paper", "corpu", "say", "talk", "author", "use", "report"]);
const NUMBER_QUESTION = /\b(?:how\s+(?:many|much|long|large|big|fast|often|deep|wide)|what\s+(?:is\s+the\s+)?(?:value|number|percentage|share|score|accuracy|error|rate|size|dimension|amount|f1|bleu|auroc|recall|precision|top-\d|exact[- ]match)|what\s+(?:\w+\s+){0,4}(?:value|values|score|accuracy|error|rate|size|number|percentage)\b|which\s+(?:value|values|number|learning rate|batch size))/i;
const DEFINITION_QUESTION = /^\s*(?:what\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?[\w-]+(?:\s+[\w-]+){0,3}\s*(?:\?|,|$)|what\s+does\s+.+\s+(?:mean|stand for|refer to)|define\b|what\s+do\s+.+\s+mean\s+by|how\s+(?:does|do|is|are)\s+.+\s+(?:defined|computed|calculated|work|scored?))/i;
const HAS_QUANTITY = /(?:^|[^\p{L}\d([])(?:\d+(?:[.,]\d+)*\s*(?:%|[kKMBGT]\b|x\b|×)?|\d*\.\d+)/u;
/** Years and reference numbers are not the quantities asked for. */
const NOT_QUANTITY = /\((?:[^()]*\b(?:19|20)\d{2}[a-z]?)\)|\[\d+(?:,\s*\d+)*\]/g;
const DEFINES = /\b(?:is|are|refers? to|denotes?|means?|called|known as|defined as|we define|which we call|stands for|sometimes called)\b/i;
const NEEDS_CONTEXT = /^(?:This|These|That|Those|It|Its|They|Their|Such|Here|Thus|Hence|Therefore|However|In contrast|Instead|Similarly|Moreover|Furthermore|Also|But)\b/;
const MIN_STANDALONE_WORDS = 8;
/** Questions longer than this are judged by their opening. */
const MAX_INTENT_CHARS = 500;
/** Decline when this share of the question's topic terms is in no source (and there are a few to judge by). */
const UNSEEN_SHARE = 0.5;
const UNSEEN_MIN_TERMS = 3;
/** Share of the usual coverage each side of a comparison needs. */
const COMPARISON_COVERAGE = 0.5;
const MIN_SENTENCE_WORDS = 5;
const CAPTION = /^(?:Figure|Fig\.|Table|Algorithm|Chart)\s*\d+/i;
const BM25 = { k1: 1.2, b: 0.75 } as const;
/** Score multipliers for a sentence of the asked-for form, and against one that is not. */
const FORM = { match: 1.5, mismatch: 0.6, fragment: 0.8, visual: 1.4 } as const;
/** A table row: the row's label, at most this many words before its numbers, and at most this many cells. */
const ROW = { gap: 6, cells: 10, minNumbers: 2 } as const;
const CELL = /^(?:[-+]?\d[\d.,]*%?|[·×x±/()–-]|\d+(?:\.\d+)?[kKmMbB])$/;
/** Spelled-out Greek letters, as questions write them ("beta2") and papers print them ("β2"). */
const GREEK: Record<string, string> = { alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", eta: "η", theta: "θ", lambda: "λ", mu: "μ", sigma: "σ", tau: "τ", rho: "ρ", omega: "ω" };

export function intentOf(raw: string): Intent {
  // One space between words: the patterns below then cannot backtrack over runs of whitespace.
  const question = raw.replace(/\s+/g, " ").slice(0, MAX_INTENT_CHARS);
  if (NUMBER_QUESTION.test(question) || MULTILINGUAL_NUMBER_QUESTION.test(question)) return "number";
  if (DEFINITION_QUESTION.test(question)) return "definition";
  return "other";
}

/** "beta2" -> also "β2"; "β2" -> also "beta2". */
export function withGreekVariants(text: string): string {
  const extra: string[] = [];
  for (const m of text.matchAll(/\b(alpha|beta|gamma|delta|epsilon|eta|theta|lambda|mu|sigma|tau|rho|omega)(\d*)\b/gi)) extra.push(`${GREEK[m[1]!.toLowerCase()]}${m[2]}`);
  for (const [name, letter] of Object.entries(GREEK)) for (const m of text.matchAll(new RegExp(`${letter}(\\d*)`, "g"))) extra.push(`${name}${m[1]}`);
  return extra.length ? `${text} ${extra.join(" ")}` : text;
}

/**
 * Interrogatives of other languages, which say what kind of answer is wanted: removed before the
 * question is analysed, so that in Chinese or Japanese no character bigram straddles them.
 */
const INTERROGATIVES = /多少|几|什么|哪些|哪个|哪里|为什么|怎么|如何|是否|吗|呢|何|いくつ|いくら|どの|どれ|なに|なぜ|どう|ですか|か？|몇|얼마나|얼마|무엇|어떤|어느|왜|어떻게|\b(?:wie viele|wie viel|welche[rsnm]?|was|warum|wann|wo|combien|quel(?:le)?s?|pourquoi|comment|cuánt[oa]s?|cuál(?:es)?|qué|por qué|cómo|quant[oa]s?|qual|quais|сколько|какой|какая|какие|каков|почему|как)\b/giu;
const MULTILINGUAL_NUMBER_QUESTION = /多少|几|いくつ|いくら|何[人個回年日%％]|몇|얼마|\b(?:wie viele|wie viel|combien|cuánt[oa]s|quant[oa]s|сколько)\b/iu;

export function questionTerms(question: string): string[] {
  // The language is the whole question's: without its interrogatives a short question may not show it.
  const lang = detectLanguage(question);
  return [...new Set(analyze(withGreekVariants(question.replace(INTERROGATIVES, " ")), lang))].filter((t) => !QUESTION_WORDS.has(t));
}

/** Author lists ("Kingma and Ba", "Vaswani et al.", "by He et al."), element labels: not what a question asks about. */
const NOT_NAMES = [
  /\b\p{Lu}[\p{L}-]+(?:(?:\s*[,&]\s*|\s+and\s+)\p{Lu}[\p{L}-]+)*\s+et\s+al\.?/gu,
  /\b\p{Lu}[\p{L}-]+\s+(?:and|&)\s+\p{Lu}[\p{L}-]+(?=\s+(?:recommend|propose|use|report|show|introduce|find|describe|train|define)|'s|\s*[?.,)])/gu,
  /\b(?:Figure|Fig\.|Table|Section|Algorithm|Equation|Eq\.)\s*\d+(?:\.\d+)*/g,
];

/** The question's specific names: capitalised words not opening a sentence, all-caps words, words with digits. */
export function specificNames(question: string): string[] {
  const cleaned = NOT_NAMES.reduce((text, pattern) => text.replace(pattern, " . "), question);
  // German capitalises every noun: there, only all-caps, mixed-case or digit-bearing words are names.
  const nounsCapitalised = detectLanguage(question) === "de";
  const out: string[] = [];
  for (const m of cleaned.matchAll(/[\p{L}\p{N}]+(?:[-.][\p{L}\p{N}]+)*/gu)) {
    const w = m[0];
    const before = cleaned.slice(0, m.index).trimEnd();
    const opensSentence = before === "" || /[.?!:;]$/.test(before);
    if (w.length < 2) continue; // a variable ("H(x)", "Z"), not a name
    const strong = /\p{Lu}.*\p{Lu}/u.test(w);
    if (/\p{N}/u.test(w) ? /\p{L}/u.test(w) : /^\p{Lu}/u.test(w) && (strong || (!opensSentence && !nounsCapitalised))) out.push(w);
  }
  return [...new Set(out)];
}

export interface RankedSentence {
  n: number;
  header: string;
  sentence: string;
  /** The sentence, with the one before when it does not stand alone: what gets quoted. */
  quote: string;
  /** Position in its source (0 is the first sentence: a figure's caption). */
  index: number;
  score: number;
  coverage: number;
}

interface Prepared extends RankedSentence {
  terms: string[];
  window: Set<string>;
  order: number;
}

/** Words of spaced scripts, plus one per two characters of Chinese, Japanese, Korean or Thai. */
function wordCount(sentence: string): number {
  const unspaced = sentence.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/gu)?.length ?? 0;
  return sentence.split(/\s+/).filter(Boolean).length + Math.floor(unspaced / 2);
}

function titleOf(header: string): string {
  return header.split(", ")[0]?.replace(/\s*\([^()]*\)\s*$/, "").trim().toLowerCase() ?? "";
}

function usable(sentence: string, title: string): boolean {
  if (sentence.length < 12) return false;
  if (title && sentence.replace(/[.:]$/, "").trim().toLowerCase() === title) return false;
  // A sentence that opens with the paper's title is its title block (authors, affiliations, venue).
  if (title && sentence.toLowerCase().startsWith(title)) return false;
  return wordCount(sentence) >= MIN_SENTENCE_WORDS || CAPTION.test(sentence);
}

function prepare(sources: readonly ParsedSource[]): Prepared[] {
  const out: Prepared[] = [];
  let order = 0;
  for (const source of sources) {
    const title = titleOf(source.header);
    const sentences = splitSentences(source.text);
    const terms = sentences.map((s) => analyze(withGreekVariants(s)));
    sentences.forEach((sentence, i) => {
      if (!usable(sentence, title)) return;
      const standalone = !NEEDS_CONTEXT.test(sentence) && wordCount(sentence) >= MIN_STANDALONE_WORDS;
      const quote = !standalone && i > 0 && usable(sentences[i - 1]!, title) ? `${sentences[i - 1]} ${sentence}` : sentence;
      const window = new Set([...(terms[i - 1] ?? []), ...terms[i]!, ...(terms[i + 1] ?? [])]);
      out.push({ n: source.n, header: source.header, sentence, quote, index: i, score: 0, coverage: 0, terms: terms[i]!, window, order: order++ });
    });
  }
  return out;
}

function formFactor(intent: Intent, sentence: string): number {
  if (intent === "number") return HAS_QUANTITY.test(sentence.replace(NOT_QUANTITY, " ")) ? FORM.match : FORM.mismatch;
  if (intent === "definition") return DEFINES.test(sentence) ? FORM.match : 1;
  return 1;
}

/** Ranks the sentences of the sources for the question, best first. */
export function rankSentences(question: string, sources: readonly ParsedSource[]): RankedSentence[] {
  const qTerms = questionTerms(question);
  const candidates = prepare(sources);
  if (qTerms.length === 0 || candidates.length === 0) return [];
  const N = candidates.length;
  const df = new Map<string, number>();
  for (const c of candidates) for (const t of new Set(c.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + (N - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));
  // A question word found in no sentence weighs as much as the rarest word that is found, not more.
  const seen = qTerms.filter((t) => df.has(t)).map(idf);
  const unseenWeight = seen.length ? Math.max(...seen) : 1;
  const totalWeight = qTerms.reduce((sum, t) => sum + (df.has(t) ? idf(t) : unseenWeight), 0);
  const avgLen = candidates.reduce((sum, c) => sum + c.terms.length, 0) / N || 1;
  const intent = intentOf(question);
  const visual = VISUAL_QUESTION.test(question);
  for (const c of candidates) {
    const tf = new Map<string, number>();
    for (const t of c.terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    let matched = 0;
    for (const t of qTerms) {
      const f = tf.get(t) ?? 0;
      if (!f) continue;
      matched++;
      score += (idf(t) * f * (BM25.k1 + 1)) / (f + BM25.k1 * (1 - BM25.b + (BM25.b * c.terms.length) / avgLen));
    }
    const windowMatched = qTerms.filter((t) => c.window.has(t));
    const covered = windowMatched.reduce((sum, t) => sum + idf(t), 0);
    // Questions with three or more topic words need two of them near the sentence: one shared word is chance.
    c.coverage = totalWeight > 0 && windowMatched.length >= Math.min(2, qTerms.length - 1 || 1) ? covered / totalWeight : 0;
    if (/^\p{Ll}/u.test(c.sentence)) score *= FORM.fragment;
    score *= (matched / qTerms.length) * formFactor(intent, c.sentence);
    if (visual && /\(figure;/.test(c.header)) score *= FORM.visual;
    // Retrieval order breaks ties: source [1] was ranked best by the search.
    c.score = score * (1 + 0.05 / c.n);
  }
  return candidates.filter((c) => c.score > 0).sort((a, b) => b.score - a.score || a.order - b.order);
}

/** The question's specific names that no retrieved source mentions (in its text or its header). */
export function missingNames(question: string, sources: readonly ParsedSource[], namedBy: readonly string[] = [], named: readonly string[] = []): string[] {
  // The words that named a paper say which paper, not what is asked about it.
  const naming = new Set(namedBy.map((w) => w.toLowerCase()));
  const seen = new Set(analyze(withGreekVariants(sources.map((s) => `${s.header} ${s.text}`).join(" "))));
  // The whole word must be there ("200-layer", not just "200"), or its Greek spelling ("beta2" as "β2").
  // Names are analysed in the question's language (German capitalises every noun: "Bodenproben").
  const lang = detectLanguage(question);
  const forms = (name: string) => [name, withGreekVariants(name).slice(name.length).trim()].filter(Boolean).map((f) => analyze(f, lang)[0]).filter((t): t is string => Boolean(t));
  const text = sources.map((s) => s.text).join(" ");
  const joined = (t: string) => `_${(t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join("_")}_`;
  const wordsOfText = joined(text);
  return specificNames(question).filter((name) => {
    if (naming.has(name.toLowerCase())) return false;
    const f = forms(name);
    if (f.length === 0 || f.some((t) => seen.has(t))) return false;
    // "layer-5" is written "layer 5" too: a compound counts when its parts stand together.
    if (/[-.]/.test(name) && wordsOfText.includes(joined(name))) return false;
    return !spelledOut(name, `${text} ${named.join(" ")}`);
  });
}

/**
 * The share of the question's topic terms (those that did not name its paper) that no source has:
 * when most of what is asked about is nowhere in the sources, they are about something else.
 */
export function unseenShare(question: string, sources: readonly ParsedSource[], namedBy: readonly string[] = []): number {
  const naming = new Set(namedBy.flatMap((w) => analyze(w)));
  const terms = questionTerms(question).filter((t) => !naming.has(t));
  if (terms.length < UNSEEN_MIN_TERMS) return 0;
  const seen = new Set(analyze(withGreekVariants(sources.map((s) => `${s.header} ${s.text}`).join(" "))));
  return terms.filter((t) => !seen.has(t)).length / terms.length;
}

/** True when `acronym` is the initials of words in `text`: "FiD" of "Fusion-in-Decoder", "DPR" of "dense passage retriever". */
export function spelledOut(acronym: string, text: string): boolean {
  if (!/^\p{L}{2,6}$/u.test(acronym)) return false;
  const letters = acronym.toLowerCase();
  const words = text.split(/[\s-]+/).map((w) => w.replace(/^[^\p{L}]+/u, "").toLowerCase()).filter(Boolean);
  for (let i = 0; i + letters.length <= words.length; i++) {
    if ([...letters].every((ch, j) => words[i + j]!.startsWith(ch))) return true;
  }
  return false;
}

/** "BERT-large" and "BERTLARGE" are the same row label. */
function squashed(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

/**
 * For a question that asks for a number about a named thing ("the top-5 error of ResNet-50"): the
 * table rows of the sources that start with that name and go on with numbers ("ResNet-50 22.85 6.71").
 */
export function tableRows(question: string, sources: readonly ParsedSource[]): RankedSentence[] {
  if (intentOf(question) !== "number") return [];
  const names = specificNames(question).map(squashed).filter((n) => n.length >= 2);
  const rows: RankedSentence[] = [];
  for (const source of sources) {
    const words = source.text.split(/\s+/);
    for (let i = 0; i < words.length; i++) {
      if (!names.includes(squashed(words[i]!))) continue;
      let j = i + 1;
      while (j < words.length && j - i <= ROW.gap && !CELL.test(words[j]!)) j++;
      const start = j;
      while (j < words.length && j - start < ROW.cells && CELL.test(words[j]!)) j++;
      // Two numbers at least: one number after a name is prose ("a batch size of 512"), not a row.
      if (words.slice(start, j).filter((w) => /\d/.test(w)).length < ROW.minNumbers) continue;
      const row = words.slice(i, j).join(" ");
      const context = squashed(words.slice(Math.max(0, i - 40), j).join(" "));
      const score = names.filter((n) => context.includes(n)).length;
      rows.push({ n: source.n, header: source.header, sentence: row, quote: row, index: -1, score, coverage: 1 });
    }
  }
  return rows.sort((a, b) => b.score - a.score || a.n - b.n).slice(0, 1);
}

/** The caption of the figure or table the question names ("What does Table 2 of ... report?"), when it is among the sources. */
function namedCaption(question: string, ranked: readonly RankedSentence[], sources: readonly ParsedSource[]): RankedSentence | undefined {
  for (const element of elementRefs(question)) {
    if (element.type !== "figure" && element.type !== "table") continue;
    const source = sources.find((s) => /\(figure;/.test(s.header) && s.header.includes(`, ${element.label} (`));
    if (!source) continue;
    const [label, next] = splitSentences(source.text);
    if (!label) continue;
    // "Table 2. Top-1 error ..." splits after the label: the caption is the label with what follows.
    const caption = /^(?:Figure|Fig\.|Table)\s*\d+[.:]?$/i.test(label) && next ? `${label} ${next}` : label;
    return { n: source.n, header: source.header, sentence: caption, quote: caption, index: 0, score: 0, coverage: 1 };
  }
  return undefined;
}

/**
 * For a question that names two or more papers: the best sentence of each paper's sources, best
 * first. Each side covers only its part of the question, so the bar is half the usual coverage.
 */
function compareSides(ranked: readonly RankedSentence[], titles: readonly string[], options: SelectionOptions): RankedSentence[] {
  const sides: RankedSentence[] = [];
  for (const title of titles) {
    const best = ranked.find((c) => titleOf(c.header) === title.toLowerCase() && c.coverage >= options.minCoverage * COMPARISON_COVERAGE);
    if (best && !sides.includes(best)) sides.push(best);
  }
  return sides.sort((a, b) => b.score - a.score).slice(0, options.maxSentences);
}

function normalised(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** The sentences to quote (none: the corpus does not answer), and the best candidates either way. */
export function selectSentences(question: string, sources: readonly ParsedSource[], options: SelectionOptions = DEFAULT_SELECTION, named: NamedPapers = { titles: [], words: [], names: [], compared: false }): { chosen: RankedSentence[]; closest: RankedSentence[] } {
  const namedBy = named.words;
  const ranked = rankSentences(question, sources);
  // A comparison of named papers: each side is quoted from its own paper.
  if (named.compared && named.titles.length >= 2) return { chosen: compareSides(ranked, named.titles, options), closest: ranked.slice(0, 2) };
  // A name the question asks about that no source mentions: the sources are about something else.
  if (missingNames(question, sources, namedBy, named.names).length > 0) return { chosen: [], closest: ranked.slice(0, 2) };
  const caption = namedCaption(question, ranked, sources);
  // A comparison asks about two papers' terms, and a named element's caption answers it: neither is judged by unseen terms.
  // Tuned on English questions; in Chinese or Japanese most terms are bigrams that straddle particles, and other languages inflect more.
  if (!caption && named.titles.length < 2 && detectLanguage(question) === "en" && unseenShare(question, sources, namedBy) >= UNSEEN_SHARE) return { chosen: [], closest: ranked.slice(0, 2) };
  const answering = ranked.filter((c) => c.coverage >= options.minCoverage);
  // The element the question names, and the table row it asks a number of, come first.
  const first = [caption, ...tableRows(question, sources)].filter((c): c is RankedSentence => Boolean(c));
  const best = answering[0];
  if (!best && first.length === 0) return { chosen: [], closest: ranked.slice(0, 2) };
  const chosen: RankedSentence[] = [];
  for (const c of first) if (!chosen.some((x) => normalised(x.quote) === normalised(c.quote))) chosen.push(c);
  for (const c of answering) {
    if (chosen.length >= options.maxSentences) break;
    if (!best || c.score < best.score * options.relativeScore) continue;
    // Never the same sentence twice (a table's record and the body often hold the same one).
    const key = normalised(c.quote);
    if (chosen.some((x) => normalised(x.quote).includes(key) || key.includes(normalised(x.quote)))) continue;
    chosen.push(c);
  }
  return { chosen, closest: ranked.slice(0, 2) };
}

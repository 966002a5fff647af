/**
 * The offline answerer: a LangChain chat model of our own that needs no LLM. It reads the numbered
 * sources and the question from its prompt, picks the sentences that best match the question
 * (BM25 over the sentences of the sources), and quotes them with their [n] markers. When no
 * sentence matches well enough it says the corpus does not answer. Streams word by word.
 */
import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { analyze } from "../store/index.js";
import { parseSourcesBlock, truncate, type ParsedSource } from "./context.js";
import { answerAborted } from "./errors.js";
import { splitSentences } from "./sentences.js";

export const EXTRACTIVE_LABEL = "Extractive answer (no LLM configured)";
export const EXTRACTIVE_MODEL_NAME = "folio-extractive";

export interface ExtractiveOptions {
  /** Most sentences quoted. */
  maxSentences: number;
  /** Share of the question's term weight a sentence must cover to be quoted (0..1). */
  minCoverage: number;
  /** A sentence is quoted only when it scores at least this share of the best one. */
  relativeScore: number;
  /** Longest quote, in characters. */
  maxQuoteChars: number;
}

export const DEFAULT_EXTRACTIVE_OPTIONS: ExtractiveOptions = { maxSentences: 3, minCoverage: 0.3, relativeScore: 0.45, maxQuoteChars: 400 };

/** Words that say what kind of answer is wanted, not what it is about. */
const QUESTION_WORDS = new Set(["show", "explain", "describ", "work", "mean", "tell", "give", "list", "find", "happen", "doe", "paper", "corpu", "say", "talk"]);
const BM25_K1 = 1.2;
/** A question about the image it comes with. */
const DEICTIC_VISUAL = /\b(this|the attached|the given|my)\s+(image|figure|picture|diagram|plot|chart|photo|page|screenshot|graph)\b/i;
/** Shorter "sentences" are headings or fragments, unless they are captions. */
const MIN_SENTENCE_WORDS = 5;
/** A "sentence" that is the paper's title plus this many characters is its title block (authors, venue). */
const TITLE_BLOCK_CHARS = 90;
const CAPTION = /^(?:Figure|Fig\.|Table|Algorithm|Chart)\s*\d+/i;
/** A sentence starting in lower case is usually a fragment cut by chunking: ranked lower. */
const FRAGMENT_PENALTY = 0.8;
const BM25_B = 0.75;

interface Candidate {
  n: number;
  header: string;
  sentence: string;
  terms: string[];
  score: number;
  coverage: number;
  order: number;
}

export function questionTerms(question: string): string[] {
  return [...new Set(analyze(question))].filter((t) => !QUESTION_WORDS.has(t));
}

/** Ranks the sentences of the sources for the question. */
export function rankSentences(question: string, sources: ParsedSource[]): Candidate[] {
  const qTerms = questionTerms(question);
  const candidates: Candidate[] = [];
  let order = 0;
  for (const source of sources) {
    const title = source.header.split(", ")[0]?.replace(/\s*\([^()]*\)\s*$/, "").trim().toLowerCase();
    for (const sentence of splitSentences(source.text)) {
      if (sentence.length < 12) continue;
      // A paper title or a heading on its own line says nothing; captions ("Figure 2: Two-stage retrieval.") do.
      if (title && sentence.replace(/[.:]$/, "").trim().toLowerCase() === title) continue;
      // The title block of a first page ("<title> <authors> <affiliation>, 2025").
      if (title && sentence.toLowerCase().startsWith(title) && sentence.length - title.length < TITLE_BLOCK_CHARS) continue;
      if (sentence.split(/\s+/).length < MIN_SENTENCE_WORDS && !CAPTION.test(sentence)) continue;
      candidates.push({ n: source.n, header: source.header, sentence, terms: analyze(sentence), score: 0, coverage: 0, order: order++ });
    }
  }
  if (qTerms.length === 0 || candidates.length === 0) return [];
  const N = candidates.length;
  const df = new Map<string, number>();
  for (const c of candidates) for (const t of new Set(c.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + (N - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));
  // A question word found in no sentence weighs as much as the rarest word that is found, not more:
  // "why does late chunking help?" is still about late chunking when no sentence says "help".
  const seenWeights = qTerms.filter((t) => df.has(t)).map(idf);
  const unseenWeight = seenWeights.length ? Math.max(...seenWeights) : 1;
  const totalWeight = qTerms.reduce((sum, t) => sum + (df.has(t) ? idf(t) : unseenWeight), 0);
  const avgLen = candidates.reduce((sum, c) => sum + c.terms.length, 0) / N || 1;
  for (const c of candidates) {
    const tf = new Map<string, number>();
    for (const t of c.terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    let covered = 0;
    let matched = 0;
    for (const t of qTerms) {
      const f = tf.get(t) ?? 0;
      if (!f) continue;
      matched++;
      covered += idf(t);
      score += (idf(t) * f * (BM25_K1 + 1)) / (f + BM25_K1 * (1 - BM25_B + (BM25_B * c.terms.length) / avgLen));
    }
    // Questions with three or more topic words need two of them in a sentence: one shared word is chance.
    c.coverage = totalWeight > 0 && matched >= Math.min(2, qTerms.length - 1 || 1) ? covered / totalWeight : 0;
    if (/^\p{Ll}/u.test(c.sentence)) score *= FRAGMENT_PENALTY;
    // Coordination (as in Lucene's classic scoring): a sentence with more of the question's words ranks higher.
    score *= matched / qTerms.length;
    // Retrieval order breaks ties: source [1] was ranked best by the search.
    c.score = score * (1 + 0.05 / c.n);
  }
  return candidates.filter((c) => c.score > 0).sort((a, b) => b.score - a.score || a.order - b.order);
}

/** What the source is, when it is a figure or a page: "(Figure 1, p. 3)". */
function locator(header: string): string {
  const kind = /\((figure|page|text);/.exec(header)?.[1];
  if (kind !== "figure" && kind !== "page") return "";
  const parts = header.replace(/\s*\([^()]*\)\s*$/, "").split(", ");
  const page = parts.find((p) => /^p\. \d+$/.test(p));
  const figure = kind === "figure" ? parts.find((p) => /^(?:Figure|Fig\.|Table|Algorithm|Chart|Plate)\b/i.test(p)) ?? "figure" : "page image";
  return ` (${[figure, page].filter(Boolean).join(", ")})`;
}

/** The extractive answer to `question` from `sources`. */
export function composeExtractiveAnswer(question: string, sources: ParsedSource[], options: ExtractiveOptions = DEFAULT_EXTRACTIVE_OPTIONS): string {
  const ranked = rankSentences(question, sources).filter((c) => c.coverage >= options.minCoverage);
  const best = ranked[0];
  // "What does this image show?" (asked with an image): the best-matching figure or page is the answer.
  const visual = DEICTIC_VISUAL.test(question) ? sources.find((s) => /\((figure|page);/.test(s.header) && s.text) : undefined;
  if (!best && visual) {
    const first = splitSentences(visual.text)[0] ?? visual.text;
    return `${EXTRACTIVE_LABEL}, the closest ${visual.header.includes("(figure;") ? "figure" : "page"} in the corpus:\n- "${truncate(first, options.maxQuoteChars).replace(/"/g, "'")}" [${visual.n}]${locator(visual.header)}`;
  }
  if (!best) {
    return `${EXTRACTIVE_LABEL}: The corpus does not answer this. No retrieved passage matches the question closely enough${sources.length ? "" : " (nothing relevant was found)"}.`;
  }
  const chosen: Candidate[] = [];
  for (const c of ranked) {
    if (chosen.length >= options.maxSentences) break;
    if (c.score < best.score * options.relativeScore) continue;
    const key = c.sentence.toLowerCase();
    if (chosen.some((x) => x.sentence.toLowerCase() === key)) continue;
    chosen.push(c);
  }
  const lines = chosen.map((c) => `- "${truncate(c.sentence, options.maxQuoteChars).replace(/"/g, "'")}" [${c.n}]${locator(c.header)}`);
  return `${EXTRACTIVE_LABEL}, quoting the passages that best match the question:\n${lines.join("\n")}`;
}

function messageText(message: BaseMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  return content.map((part) => (typeof part === "string" ? part : part.type === "text" && typeof part.text === "string" ? part.text : "")).join("\n");
}

/** Reads the question and the sources from the last human message (the layout prompts/answer.md produces). */
export function readPrompt(messages: BaseMessage[]): { question: string; sources: ParsedSource[] } {
  const human = [...messages].reverse().find((m) => m.getType() === "human");
  const text = human ? messageText(human) : "";
  const questionLine = [...text.matchAll(/^Question:\s*(.*)$/gm)].at(-1)?.[1] ?? text;
  const sourcesPart = text.includes("Question:") ? text.slice(0, text.lastIndexOf("Question:")) : text;
  return { question: questionLine.trim(), sources: parseSourcesBlock(sourcesPart) };
}

/** Words with the spaces after them: the streaming unit. */
/**
 * Words per streamed chunk. Each chunk crosses LangChain's streaming machinery and the event loop,
 * so a few words at a time keeps the stream visibly live at a fraction of the per-word cost.
 */
export const WORDS_PER_CHUNK = 4;

export function toTokens(text: string, wordsPerChunk = WORDS_PER_CHUNK): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(""));
  return chunks;
}

export interface ExtractiveChatModelParams extends BaseChatModelParams {
  options?: Partial<ExtractiveOptions>;
}

export class ExtractiveChatModel extends BaseChatModel {
  private readonly options: ExtractiveOptions;

  constructor(params: ExtractiveChatModelParams = {}) {
    super(params);
    this.options = { ...DEFAULT_EXTRACTIVE_OPTIONS, ...params.options };
  }

  static override lc_name(): string {
    return "ExtractiveChatModel";
  }

  _llmType(): string {
    return EXTRACTIVE_MODEL_NAME;
  }

  private answerFor(messages: BaseMessage[]): string {
    const { question, sources } = readPrompt(messages);
    return composeExtractiveAnswer(question, sources, this.options);
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    if (options.signal?.aborted) throw answerAborted(options.signal);
    const text = this.answerFor(messages);
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    const text = this.answerFor(messages);
    for (const token of toTokens(text)) {
      if (options.signal?.aborted) throw answerAborted(options.signal);
      // Yield to the event loop between tokens, so a cancel (Ctrl-C, a closed connection) gets in.
      await new Promise<void>((resolve) => setImmediate(resolve));
      yield new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) });
      await runManager?.handleLLMNewToken(token);
    }
  }
}

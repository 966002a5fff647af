/**
 * The offline answerer: a LangChain chat model of our own that needs no LLM. It reads the numbered
 * sources and the question from its prompt, picks the sentences that answer it
 * (src/chat/answer-selection.ts), and quotes them with their [n] markers. When no sentence
 * answers it says the corpus does not, and shows the closest passages. Streams word by word.
 */
import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { DEFAULT_SELECTION, selectSentences, type RankedSentence, type SelectionOptions } from "./answer-selection.js";
import { parseNamedPapers, parseSourcesBlock, truncate, type NamedPapers, type ParsedSource } from "./context.js";
import { answerAborted } from "./errors.js";
import { splitSentences } from "./sentences.js";

export const EXTRACTIVE_LABEL = "Extractive answer (no LLM configured)";
export const EXTRACTIVE_MODEL_NAME = "folio-extractive";

export interface ExtractiveOptions extends SelectionOptions {
  /** Longest quote, in characters. */
  maxQuoteChars: number;
}

export const DEFAULT_EXTRACTIVE_OPTIONS: ExtractiveOptions = { ...DEFAULT_SELECTION, maxQuoteChars: 400 };

/** A question about the image it comes with. */
const DEICTIC_VISUAL = /\b(this|the attached|the given|my)\s+(image|figure|picture|diagram|plot|chart|photo|page|screenshot|graph)\b/i;
const CAPTION = /^(?:Figure|Fig\.|Table|Algorithm|Chart|Plate)\s*\d+/i;
const CAPTION_OPENING = /^(?:Figure|Fig\.|Table|Algorithm|Chart|Plate)\s*\d+\s*[:.]/i;

/**
 * Where a quote comes from, when it is a figure's or a page's: "(Figure 1, p. 3)". A figure's record
 * holds its caption and the paragraphs that cite it (from other pages): only the caption is labelled.
 */
function locator(header: string, quote?: { index: number; sentence: string }): string {
  const kind = /\((figure|page|text);/.exec(header)?.[1];
  const parts = header.replace(/\s*\([^()]*\)\s*$/, "").split(", ");
  const page = parts.find((p) => /^p\. \d+$/.test(p));
  // A table row (index -1) found in the source's text: say it is one, with the page it is on.
  if (quote?.index === -1) return ` (table row${page ? `, ${page}` : ""})`;
  if (kind !== "figure" && kind !== "page") return "";
  // Past the caption's first sentence, only a caption's own opening ("Table 3:") keeps the label; "Table 3 shows" is a mention.
  if (kind === "figure" && quote && quote.index > 0 && !CAPTION_OPENING.test(quote.sentence)) return "";
  const figure = kind === "figure" ? parts.find((p) => CAPTION.test(p)) ?? "figure" : "page image";
  return ` (${[figure, page].filter(Boolean).join(", ")})`;
}

function quoteLine(c: RankedSentence, maxChars: number): string {
  return `- "${truncate(c.quote, maxChars).replace(/"/g, "'")}" [${c.n}]${locator(c.header, c)}`;
}

/** The extractive answer to `question` from `sources`. */
export function composeExtractiveAnswer(question: string, sources: ParsedSource[], options: ExtractiveOptions = DEFAULT_EXTRACTIVE_OPTIONS, named: NamedPapers = { titles: [], words: [], names: [], compared: false }): string {
  // Measured on the development set, keeping only the named paper's sources here lost more answers than it saved declines.
  const { chosen, closest } = selectSentences(question, sources, options, named);
  // "What does this image show?" (asked with an image): the best-matching figure or page is the answer.
  const visual = DEICTIC_VISUAL.test(question) ? sources.find((s) => /\((figure|page);/.test(s.header) && s.text) : undefined;
  if (chosen.length === 0 && visual) {
    const first = splitSentences(visual.text)[0] ?? visual.text;
    return `${EXTRACTIVE_LABEL}, the closest ${visual.header.includes("(figure;") ? "figure" : "page"} in the corpus:\n- "${truncate(first, options.maxQuoteChars).replace(/"/g, "'")}" [${visual.n}]${locator(visual.header)}`;
  }
  if (chosen.length === 0) {
    const base = `${EXTRACTIVE_LABEL}: The corpus does not answer this. No retrieved passage matches the question closely enough${sources.length ? "" : " (nothing relevant was found)"}.`;
    return closest.length ? `${base}\nThe closest passages:\n${closest.map((c) => quoteLine(c, options.maxQuoteChars)).join("\n")}` : base;
  }
  return `${EXTRACTIVE_LABEL}, quoting the passages that best match the question:\n${chosen.map((c) => quoteLine(c, options.maxQuoteChars)).join("\n")}`;
}

function messageText(message: BaseMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  return content.map((part) => (typeof part === "string" ? part : part.type === "text" && typeof part.text === "string" ? part.text : "")).join("\n");
}

/** Reads the question and the sources from the last human message (the layout prompts/answer.md produces). */
export function readPrompt(messages: BaseMessage[]): { question: string; sources: ParsedSource[]; named: NamedPapers } {
  const human = [...messages].reverse().find((m) => m.getType() === "human");
  const text = human ? messageText(human) : "";
  const questionLine = [...text.matchAll(/^Question:\s*(.*)$/gm)].at(-1)?.[1] ?? text;
  const sourcesPart = text.includes("Question:") ? text.slice(0, text.lastIndexOf("Question:")) : text;
  return { question: questionLine.trim(), sources: parseSourcesBlock(sourcesPart), named: parseNamedPapers(text) };
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
    const { question, sources, named } = readPrompt(messages);
    return composeExtractiveAnswer(question, sources, this.options, named);
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

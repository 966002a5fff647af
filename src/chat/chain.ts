/**
 * The answering chain, as LangChain runnables:
 *   condense (follow-up -> standalone question) -> retrieve (store search, rerank, relevance floor)
 *   -> prompt (system + numbered sources + question, figure images for vision models) -> chat model.
 * The chat model is ChatOpenAI for any OpenAI-compatible server, or the extractive model offline:
 * the same chain runs with either.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, type BaseMessage, type MessageContent } from "@langchain/core/messages";
import { ChatPromptTemplate, MessagesPlaceholder } from "@langchain/core/prompts";
import { RunnableLambda, RunnableSequence, type Runnable } from "@langchain/core/runnables";
import { AIMessage } from "@langchain/core/messages";
import type { FolioConfig } from "../config.js";
import { InputError } from "../errors.js";
import type { FolioStoreApi } from "../store/types.js";
import { CitationStreamFilter, citationsFor, renumberSources, saysUnanswered } from "./citations.js";
import { llmCondenser, offlineCondenser, type CondenseInput } from "./condense.js";
import { collectPromptImages, DEFAULT_CONTEXT_LIMITS, formatNamedPapers, type NamedPapersMode, formatSourcesBlock, numberSources, type ContextLimits, type NumberedSource, type PromptImage } from "./context.js";
import { answerAborted, isAbortError, toLlmError } from "./errors.js";
import { EXTRACTIVE_LABEL, toTokens } from "./extractive-model.js";
import type { ChatModelChoice } from "./llm.js";
import { toTemplate, type PromptSet } from "./prompts.js";
import { PaperDirectory, type PaperMatch } from "./papers.js";
import { DEFAULT_RETRIEVE_OPTIONS, retrieve, type Reranker, type RetrieveInput, type RetrieveOptions, type RetrieveResult } from "./retrieve.js";
import type { Answer, AnswerEvent, AnswerRequest, ChatTurn, Citation } from "./types.js";

export interface GenerateInput {
  question: string;
  /** The papers the question names (src/chat/papers.ts), told to the model, and whether it compares them or they are candidates. */
  papers?: PaperMatch[];
  refsMode?: NamedPapersMode;
  sources: NumberedSource[];
  images: PromptImage[];
  history: ChatTurn[];
}

export interface ChainParts {
  condense: Runnable<CondenseInput, string>;
  retrieve: Runnable<RetrieveInput, RetrieveResult>;
  /** Prompt messages for the chat model (exposed for tests and for inspection). */
  messages: Runnable<GenerateInput, BaseMessage[]>;
  generate: Runnable<GenerateInput, BaseMessage>;
}

export interface ChainSettings {
  config: FolioConfig;
  store: FolioStoreApi;
  chat: ChatModelChoice;
  prompts: PromptSet;
  reranker?: Reranker;
  limits?: ContextLimits;
  retrieveOptions?: RetrieveOptions;
  /** Earlier turns passed to the answering prompt (the condensed question carries the rest). */
  historyTurns?: number;
}

const DEFAULT_HISTORY_TURNS = 4;
/** The question asked when only an image is given. */
export const DEFAULT_IMAGE_QUESTION = "What does this image show?";

function withImages(text: string, images: PromptImage[]): MessageContent {
  if (images.length === 0) return text;
  return [{ type: "text", text }, ...images.flatMap((image) => [{ type: "text" as const, text: image.label }, { type: "image_url" as const, image_url: { url: image.url } }])];
}

export function buildChainParts(settings: ChainSettings): ChainParts {
  const { store, chat, prompts } = settings;
  const historyTurns = settings.historyTurns ?? DEFAULT_HISTORY_TURNS;
  const condense = chat.mode === "llm" ? llmCondenser(chat.model, prompts) : offlineCondenser();
  const papers = new PaperDirectory(store);
  const retrieveRunnable = RunnableLambda.from((input: RetrieveInput) => retrieve(store, input, settings.reranker, settings.retrieveOptions ?? DEFAULT_RETRIEVE_OPTIONS, papers)).withConfig({ runName: "Retrieve" });

  const prompt = ChatPromptTemplate.fromMessages([
    ["system", toTemplate(prompts.system, [])],
    new MessagesPlaceholder("history"),
    ["human", toTemplate(prompts.answer, ["sources", "papers", "question"])],
  ]);
  const messages = RunnableSequence.from([
    RunnableLambda.from((input: GenerateInput) => ({
      sources: formatSourcesBlock(input.sources),
      papers: formatNamedPapers(input.papers ?? [], input.refsMode),
      question: input.question.replace(/\s+/g, " ").trim(),
      history: input.history.slice(-historyTurns).map((t) => (t.role === "user" ? new HumanMessage(t.content) : new AIMessage(t.content))),
      images: input.images,
    })),
    RunnableLambda.from(async (vars: { sources: string; papers: string; question: string; history: BaseMessage[]; images: PromptImage[] }) => {
      const value = await prompt.invoke({ sources: vars.sources, papers: vars.papers, question: vars.question, history: vars.history });
      const out = value.toChatMessages();
      const last = out[out.length - 1];
      if (vars.images.length && last && last.getType() === "human") out[out.length - 1] = new HumanMessage({ content: withImages(String(last.content), vars.images) });
      return out;
    }),
  ]).withConfig({ runName: "AnswerPrompt" });
  const generate = RunnableSequence.from([messages, chat.model as BaseChatModel]).withConfig({ runName: "Answer" });
  return { condense, retrieve: retrieveRunnable, messages, generate };
}

function chunkText(chunk: BaseMessage): string {
  const content = chunk.content;
  if (typeof content === "string") return content;
  return content.map((part) => (typeof part === "string" ? part : part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

/**
 * Runs the chain for one request, as a stream of events ending with exactly one "done".
 * `streaming: false` asks the chat model for the whole answer at once (one token event).
 */
export async function* runChain(settings: ChainSettings, parts: ChainParts, request: AnswerRequest, streaming = true): AsyncGenerator<AnswerEvent> {
  const { config, chat } = settings;
  const limits = settings.limits ?? DEFAULT_CONTEXT_LIMITS;
  // Our own controller: cancelled by the caller's signal, and by a consumer that stops iterating.
  const controller = new AbortController();
  const onAbort = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) throw answerAborted(request.signal);
  request.signal?.addEventListener("abort", onAbort, { once: true });
  const signal = controller.signal;
  const llmContext = { baseUrl: config.llm.mode === "openai" ? config.llm.baseUrl : undefined, model: chat.modelName, secrets: config.secrets };
  const fail = (error: unknown): unknown => (isAbortError(error, signal) ? (signal.aborted ? answerAborted(signal) : error) : toLlmError(error, llmContext));
  try {
    const history = request.history ?? [];
    const question = request.question.trim();
    // An image with no words: search by the image alone, and ask the model the default question.
    const imageOnly = !question && request.image !== undefined;
    if (!question && !imageOnly) throw new InputError("The question is empty.", "Ask a question, or give an image to ask about.");
    let standaloneQuestion = DEFAULT_IMAGE_QUESTION;
    if (!imageOnly) {
      try {
        standaloneQuestion = (await parts.condense.invoke({ question, history }, { signal })) || question;
      } catch (error) {
        throw fail(error);
      }
    }
    if (signal.aborted) throw answerAborted(signal);
    const k = request.k ?? config.search.topK;
    const retrieved = await parts.retrieve.invoke({ query: imageOnly ? "" : standaloneQuestion, image: request.image, filters: request.filters, k, signal }, { signal });
    if (signal.aborted) throw answerAborted(signal);
    const sources = numberSources(retrieved.hits, limits);
    const sourceCitations: Citation[] = sources.map((s) => s.citation);
    yield { type: "query", standaloneQuestion };
    yield { type: "sources", sources: sourceCitations };

    const filter = new CitationStreamFilter(sources.length, true);
    let answer = "";
    // An ambiguous paper reference: say which paper was assumed, before the answer.
    if (retrieved.assumption && sources.length > 0) {
      answer = `${retrieved.assumption}\n\n`;
      yield { type: "token", text: answer };
    }
    if (sources.length === 0) {
      // Below the relevance floor: no model call, a plain statement.
      const text =
        chat.mode === "extractive"
          ? `${EXTRACTIVE_LABEL}: The corpus does not answer this. Nothing relevant to the question was found.`
          : "The corpus does not answer this: nothing relevant to the question was found in it.";
      for (const token of toTokens(text)) {
        answer += token;
        yield { type: "token", text: token };
      }
    } else {
      const images = chat.vision ? await collectPromptImages(sources, config.ingest.imagesDir, request.image, limits) : [];
      try {
        const input: GenerateInput = { question: standaloneQuestion, sources, images, history, papers: retrieved.refs?.papers ?? [], refsMode: retrieved.refs?.compared ? "compares" : retrieved.refs?.ambiguous ? "may mean" : "names" };
        // Not streaming: the whole answer is the one chunk.
        const chunks: AsyncIterable<BaseMessage> | BaseMessage[] = streaming ? await parts.generate.stream(input, { signal }) : [await parts.generate.invoke(input, { signal })];
        for await (const chunk of chunks) {
          if (signal.aborted) throw answerAborted(signal);
          const out = filter.push(chunkText(chunk));
          if (out) {
            answer += out;
            yield { type: "token", text: out };
          }
        }
      } catch (error) {
        throw fail(error);
      }
      const rest = filter.flush();
      if (rest) {
        answer += rest;
        yield { type: "token", text: rest };
      }
      if (!answer.trim()) {
        const text = "The corpus does not answer this.";
        answer += text;
        yield { type: "token", text };
      }
    }

    // The answer's markers were renumbered in citation order as it streamed: the sources follow.
    const numbered = renumberSources(sourceCitations, filter.cited);
    const citations = citationsFor(answer, numbered, { quotesAsSnippets: chat.mode === "extractive" });
    for (const citation of citations) yield { type: "citation", citation };
    const result: Answer = {
      answer,
      citations,
      sources: numbered,
      standaloneQuestion,
      mode: chat.mode,
      model: chat.modelName,
      unanswered: sources.length === 0 || saysUnanswered(answer),
    };
    yield { type: "done", answer: result };
  } finally {
    request.signal?.removeEventListener("abort", onAbort);
    if (!controller.signal.aborted) controller.abort(new Error("The answer stream was closed."));
  }
}

/**
 * The answering chain behind the REPL, the CLI and the HTTP server:
 * `createAnswerer(config, store, { reranker })` returns an `Answerer` (src/chat/types.ts).
 */
import type { FolioConfig } from "../config.js";
import { JinaReranker } from "../embeddings/rerank.js";
import type { FolioStoreApi } from "../store/types.js";
import { buildChainParts, runChain, type ChainParts, type ChainSettings } from "./chain.js";
import type { ContextLimits } from "./context.js";
import { createChatModel, type ChatModelChoice, type LlmOptions } from "./llm.js";
import { loadPrompts, type PromptSet } from "./prompts.js";
import type { Reranker, RetrieveOptions } from "./retrieve.js";
import type { Answer, AnswerEvent, AnswerRequest, Answerer } from "./types.js";

export interface AnswererDeps {
  /** Second-stage reranker (JinaReranker with jina-reranker-m0). */
  reranker?: Reranker;
  /** A chat model to use instead of the one the config selects. */
  chat?: ChatModelChoice;
  /** Prompts folder (default: <package root>/prompts). */
  promptsDir?: string;
  llm?: LlmOptions;
  limits?: ContextLimits;
  retrieve?: RetrieveOptions;
}

export interface FolioAnswerer extends Answerer {
  readonly mode: "extractive" | "llm";
  readonly model: string;
  /** The runnables of the chain (condense, retrieve, prompt messages, generate). */
  readonly parts: ChainParts;
}

/** jina-reranker-m0 when FOLIO_RERANK is on and Jina's API key is set (or the endpoint is self-hosted). */
export function configuredReranker(config: FolioConfig): Reranker | undefined {
  const e = config.embeddings;
  if (e.mode !== "jina" || !e.rerank || (!e.apiKey && e.endpoint === "api")) return undefined;
  return new JinaReranker({ apiKey: e.apiKey, baseUrl: e.baseUrl, maxRetries: e.maxRetries, timeout: e.timeoutMs, secrets: config.secrets });
}

/**
 * The answerer for this configuration: ChatOpenAI when OPENAI_API_KEY or OPENAI_BASE_URL is set,
 * else the extractive model; `deps.reranker` defaults to the configured one (FOLIO_RERANK).
 */
export function createAnswerer(config: FolioConfig, store: FolioStoreApi, deps: AnswererDeps = {}): FolioAnswerer {
  const prompts: PromptSet = loadPrompts(...(deps.promptsDir ? [deps.promptsDir] : []));
  const chat = deps.chat ?? createChatModel(config, deps.llm);
  const reranker = "reranker" in deps ? deps.reranker : configuredReranker(config);
  const settings: ChainSettings = { config, store, chat, prompts, reranker, limits: deps.limits, retrieveOptions: deps.retrieve };
  const parts = buildChainParts(settings);
  return {
    mode: chat.mode,
    model: chat.modelName,
    parts,
    stream(request: AnswerRequest): AsyncIterable<AnswerEvent> {
      return runChain(settings, parts, request);
    },
    async answer(request: AnswerRequest): Promise<Answer> {
      let result: Answer | undefined;
      // Not streamed: the chat model answers in one response (a JSON completion, not SSE).
      for await (const event of runChain(settings, parts, request, false)) if (event.type === "done") result = event.answer;
      if (!result) throw new Error("The answer stream ended without a result.");
      return result;
    },
  };
}

export type { Answer, AnswerEvent, AnswerRequest, Answerer, ChatTurn, Citation } from "./types.js";
export { ExtractiveChatModel, composeExtractiveAnswer, EXTRACTIVE_LABEL, EXTRACTIVE_MODEL_NAME } from "./extractive-model.js";
export { createChatModel, type ChatModelChoice, type LlmOptions } from "./llm.js";
export { CitationStreamFilter, citationsFor, citedNumbers, cleanMarkers, markerNumbers, saysUnanswered } from "./citations.js";
export { rewriteOffline, rewriteFollowUp, keyTerms } from "./condense.js";
export { splitSentences } from "./sentences.js";
export { loadPrompts, packageRoot } from "./prompts.js";
export { LlmError, isAbortError } from "./errors.js";
export type { Reranker } from "./retrieve.js";
export { FolioRetriever, type FolioRetrieverInput, type FolioDocumentMetadata } from "./retriever.js";

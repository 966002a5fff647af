/** The chat model in force: ChatOpenAI for any OpenAI-compatible server, else the extractive model. */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import type { FolioConfig } from "../config.js";
import { EXTRACTIVE_MODEL_NAME, ExtractiveChatModel } from "./extractive-model.js";

export interface ChatModelChoice {
  model: BaseChatModel;
  mode: "extractive" | "llm";
  modelName: string;
  vision: boolean;
}

export interface LlmOptions {
  /** Retries of a failed call (429, 5xx, network), with LangChain's exponential backoff. */
  maxRetries?: number;
  timeoutMs?: number;
  temperature?: number;
}

/** Deterministic answers: the model restates the sources, it does not improvise. */
const DEFAULT_TEMPERATURE = 0;

export function createChatModel(config: FolioConfig, options: LlmOptions = {}): ChatModelChoice {
  const llm = config.llm;
  if (llm.mode === "extractive") return { model: new ExtractiveChatModel(), mode: "extractive", modelName: EXTRACTIVE_MODEL_NAME, vision: false };
  const model = new ChatOpenAI({
    model: llm.model,
    // Local OpenAI-compatible servers often need no key, but the SDK insists on one.
    apiKey: llm.apiKey ?? "no-key",
    configuration: llm.baseUrl ? { baseURL: llm.baseUrl } : {},
    temperature: options.temperature ?? DEFAULT_TEMPERATURE,
    maxRetries: options.maxRetries ?? llm.maxRetries,
    timeout: options.timeoutMs ?? llm.timeoutMs,
    // stream_options is not understood by every OpenAI-compatible server.
    streamUsage: false,
    useResponsesApi: false,
  });
  return { model, mode: "llm", modelName: llm.model, vision: llm.vision };
}

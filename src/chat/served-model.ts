/**
 * Which model answers, and where: the configured model and the server it is sent to. An
 * OpenAI-compatible server (vLLM, Ollama, llama.cpp) is asked for its model list, so a banner can
 * say when the model Folio will request is not one the server serves (the default gpt-4o-mini sent
 * to a local server is the usual mistake).
 */
import { z } from "zod";
import type { FolioConfig } from "../config.js";

type OpenAiSettings = Extract<FolioConfig["llm"], { mode: "openai" }>;

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** A banner must not hang on a server that does not answer: the list is a courtesy. */
const MODEL_LIST_TIMEOUT_MS = 3_000;
/** Models named when the configured one is missing from a long list. */
const MODELS_SHOWN = 5;

const ModelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

export interface ServedModel {
  /** The model Folio requests. */
  model: string;
  /** The server, as host and path (no credentials). */
  server: string;
  /** Set when the server's list says something the user should act on. */
  warning?: string;
}

function serverName(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

export async function servedModel(llm: OpenAiSettings, fetchImpl: typeof fetch = fetch): Promise<ServedModel> {
  const baseUrl = (llm.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, "");
  const served: ServedModel = { model: llm.model, server: serverName(baseUrl) };
  // OpenAI itself serves the configured model or says so on the first question; no request here.
  if (!llm.baseUrl) return served;
  let ids: string[];
  try {
    const res = await fetchImpl(`${baseUrl}/models`, { headers: llm.apiKey ? { Authorization: `Bearer ${llm.apiKey}` } : {}, signal: AbortSignal.timeout(MODEL_LIST_TIMEOUT_MS) });
    const parsed = ModelListSchema.safeParse(res.ok ? await res.json() : undefined);
    if (!parsed.success) return served;
    ids = parsed.data.data.map((m) => m.id);
  } catch {
    return served;
  }
  if (ids.length === 0 || ids.includes(llm.model)) return served;
  const listed = ids.slice(0, MODELS_SHOWN).join(", ") + (ids.length > MODELS_SHOWN ? `, and ${ids.length - MODELS_SHOWN} more` : "");
  return { ...served, warning: `the server does not list ${llm.model} (it lists ${listed}): set OPENAI_MODEL to one of them` };
}

/** One line for a banner: "answers by <model> at <server>", or the extractive answerer. */
export async function describeAnswerer(config: FolioConfig, fetchImpl: typeof fetch = fetch): Promise<string> {
  if (config.llm.mode !== "openai") return "extractive answers (no LLM configured)";
  const served = await servedModel(config.llm, fetchImpl);
  return `answers by ${served.model} at ${served.server}${served.warning ? ` — ${served.warning}` : ""}`;
}

/**
 * The two wire formats JinaEmbeddings speaks, one adapter each (as @langchain/openai keeps Azure
 * apart): Jina's own body, and the OpenAI embeddings body of self-hosted servers (llama.cpp,
 * vLLM). Batching, retries and the cache are shared by the class; an adapter says what its format
 * can carry, builds the request body, and how a vector comes back.
 */
import { UnsupportedFeatureError } from "../errors.js";
import type { EmbeddingType } from "./codec.js";
import type { PreparedInput } from "./inputs.js";

export const JINA_TASKS = ["retrieval.query", "retrieval.passage", "text-matching", "code.query", "code.passage"] as const;
export type JinaTask = (typeof JINA_TASKS)[number];

export type Kind = "dense" | "multivector";

/** One call's options, resolved against the instance's defaults. */
export interface ResolvedRequest {
  task: JinaTask;
  dims: number;
  kind: Kind;
  late: boolean;
  /** Output type the caller asked for (part of the cache key). */
  type: EmbeddingType;
  /** Type requested on the wire: float output travels as base64 by default (about 4x smaller bodies). */
  wire: EmbeddingType;
  packed: boolean;
  truncate: boolean;
  signal: AbortSignal | undefined;
}

export interface WireFormat {
  readonly name: "jina" | "openai";
  readonly supportsImages: boolean;
  readonly supportsMultiVector: boolean;
  /** Whether float vectors may travel as base64 (decided by the caller's floatTransport). */
  readonly base64Floats: boolean;
  /** Throws UnsupportedFeatureError for what the format cannot carry. */
  check(items: PreparedInput[], request: ResolvedRequest): void;
  body(model: string, items: PreparedInput[], request: ResolvedRequest): Record<string, unknown>;
  /**
   * Servers of this format may send per-token vectors for one input (mean-pooled here) and may
   * ignore `dimensions` (truncated and renormalised here, Matryoshka-style).
   */
  readonly lenientVectors: boolean;
}

const jinaFormat: WireFormat = {
  name: "jina",
  supportsImages: true,
  supportsMultiVector: true,
  base64Floats: true,
  lenientVectors: false,
  check: () => undefined,
  body(model, items, request) {
    // Text goes as {text} objects only when images share the request (Jina's mixed-input form).
    const objects = items.some((item) => item.kind === "image");
    const input = items.map((item) => (item.kind === "image" ? { image: item.value } : objects ? { text: item.value } : item.value));
    const body: Record<string, unknown> = { model, task: request.task, dimensions: request.dims, input };
    if (request.wire !== "float") body.embedding_type = request.wire;
    if (request.late) body.late_chunking = true;
    if (request.kind === "multivector") body.return_multivector = true;
    if (request.truncate) body.truncate = true;
    return body;
  },
};

/** The OpenAI body has no task field: the task travels as the prefix Jina's models were trained with. */
const PREFIX: Record<JinaTask, string> = {
  "retrieval.query": "Query: ",
  "retrieval.passage": "Passage: ",
  "text-matching": "Query: ",
  "code.query": "Query: ",
  "code.passage": "Passage: ",
};

const OPENAI_HINT =
  "The OpenAI-format endpoint (JINA_FORMAT=openai, e.g. llama.cpp with the text-only GGUF) only embeds text. Use Jina's API or a server speaking Jina's format (JINA_FORMAT=jina) for this.";

const openaiFormat: WireFormat = {
  name: "openai",
  supportsImages: false,
  supportsMultiVector: false,
  base64Floats: false,
  lenientVectors: true,
  check(items, request) {
    if (items.some((item) => item.kind === "image")) throw new UnsupportedFeatureError("image inputs on the OpenAI-format embeddings endpoint", OPENAI_HINT);
    if (request.kind === "multivector") throw new UnsupportedFeatureError("multi-vector output on the OpenAI-format embeddings endpoint", OPENAI_HINT);
    if (request.late) throw new UnsupportedFeatureError("late chunking on the OpenAI-format embeddings endpoint", OPENAI_HINT);
    if (request.type === "binary" || request.type === "ubinary") {
      throw new UnsupportedFeatureError(`embedding_type ${request.type} on the OpenAI-format embeddings endpoint (float or base64 only)`, OPENAI_HINT);
    }
  },
  body(model, items, request) {
    const prefix = PREFIX[request.task];
    return { model, input: items.map((item) => prefix + item.value), encoding_format: request.wire === "base64" ? "base64" : "float", dimensions: request.dims };
  },
};

export function wireFormat(name: "jina" | "openai"): WireFormat {
  return name === "openai" ? openaiFormat : jinaFormat;
}

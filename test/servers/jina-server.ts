/**
 * THE local Jina server for Folio's tests and benchmarks: a real HTTP server (node:http on
 * 127.0.0.1, port 0) speaking Jina's wire format for `POST /v1/embeddings` and `POST /v1/rerank`,
 * or, with `format: "openai"`, the OpenAI embeddings body that llama.cpp / vLLM servers speak.
 *
 * Vectors are deterministic and semantically meaningful enough for retrieval tests:
 * - text: feature-hashed bag of words (lowercased word tokens, a few stop words dropped, each word
 *   hashed into every Matryoshka band so any prefix 128/256/512/1024/2048 is meaningful), then
 *   L2-normalised after truncation. The task does not change the vector: texts sharing words are close.
 * - images: seeded from the SHA-256 of the image bytes (URLs are fetched), so an image finds itself.
 *   Bytes that are not PNG / JPEG / GIF / WebP / BMP -> 400.
 * - multi-vector: one 128-d row per token (text) or 16 rows (image).
 * - late chunking: each chunk vector gets 0.5 x the mean of the request's chunk vectors mixed in
 *   (then re-normalised), so a test can tell late chunking was used.
 *
 * Usage:
 * ```ts
 * const server = await startJinaTestServer({ apiKey: "jina_test", latencyMs: 5 });
 * const embeddings = new JinaEmbeddings({ baseUrl: server.url, apiKey: "jina_test" });
 * ...
 * server.requests;        // every request received: path, headers, parsed body, status
 * server.maxConcurrent;   // most requests seen in flight at once
 * await server.close();
 * ```
 *
 * Options (all optional):
 * - `format`: "jina" (default) or "openai" (`/v1/embeddings` takes {model?, input, encoding_format?, dimensions?},
 *    inputs must start with "Query: " or "Passage: " unless `requirePrefix: false`; errors as {"error": {...}}).
 * - `apiKey`: when set, requests need `Authorization: Bearer <apiKey>`, else 401 {"detail": ...}.
 * - `latencyMs`: delay before every answer (number, or a function of the request number).
 * - `shuffle`: return `data` in a shuffled order (indices stay right) - default true, clients must use `index`.
 * - `faults`: scripted answers, consumed one per request in arrival order: "ok", "reset" (destroy the
 *   socket), "malformed" (truncated JSON), "wrong-shape" (valid JSON, wrong body), "hang" (never answers
 *   before 30 s), or { status, body?, headers?, retryAfter? } (e.g. { status: 429, retryAfter: "1" }),
 *   or { delayMs } (answer normally after a delay).
 * - `random`: { rate429?, rate503?, rateReset?, retryAfter?, seed? } injects faults at random (seeded PRNG).
 * - `models`: accepted embedding models (default ["jina-embeddings-v4"]); others -> 400 INPUT_MODEL_NOT_FOUND.
 * - `maxInputsPerRequest` (default 2048) and `maxTokensPerRequest` (default unlimited) -> 413 beyond.
 * - `contextTokens` (default 32768): per input, and per request under late chunking -> 400 beyond.
 * - `multiVectorKey`: "embeddings" (default) or "embedding" for where a multi-vector matrix goes.
 * - `allowNormalized`: accept the v3-only `normalized` field (default false -> 422), for legacy clients.
 * - `binaryInt8`: how `binary` packs bits into int8: "offset128" (default, packed uint8 - 128,
 *   the sentence-transformers convention) or "twosComplement".
 * - `fetchImages` (default true): fetch http(s) image URLs; a failing fetch -> 400.
 * - `recordBodies` (default true): keep parsed request bodies in `requests`.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import { imageSize } from "image-size";
import { listenLocal, readBody } from "./listen.js";

export type JinaServerFault =
  | "ok"
  | "reset"
  | "malformed"
  | "wrong-shape"
  | "hang"
  | { status: number; body?: unknown; headers?: Record<string, string>; retryAfter?: string }
  | { delayMs: number };

export interface JinaTestServerOptions {
  format?: "jina" | "openai";
  apiKey?: string;
  latencyMs?: number | ((requestNumber: number) => number);
  shuffle?: boolean;
  faults?: JinaServerFault[];
  random?: { rate429?: number; rate503?: number; rateReset?: number; retryAfter?: string; seed?: number };
  models?: string[];
  rerankModels?: string[];
  maxInputsPerRequest?: number;
  maxTokensPerRequest?: number;
  contextTokens?: number;
  multiVectorKey?: "embedding" | "embeddings";
  allowNormalized?: boolean;
  binaryInt8?: "offset128" | "twosComplement";
  requirePrefix?: boolean;
  fetchImages?: boolean;
  recordBodies?: boolean;
}

export interface RecordedRequest {
  n: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
  /** What the server did: "ok", or the fault/validation outcome. */
  outcome: string;
  inputs: number;
  tokens: number;
}

export interface JinaTestServer {
  /** Base URL ending in /v1, to pass as `baseUrl` / JINA_BASE_URL. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly maxConcurrent: number;
  readonly inFlight: number;
  /** Tokens counted in `usage` over every successful request. */
  readonly totalTokens: number;
  /** Replace the scripted faults (the queue restarts). */
  setFaults(faults: JinaServerFault[]): void;
  /** Forget recorded requests and the concurrency high-water mark. */
  reset(): void;
  close(): Promise<void>;
}

export const TEST_SERVER_TASKS = ["retrieval.query", "retrieval.passage", "text-matching", "code.query", "code.passage"] as const;
export const TEST_SERVER_DIMENSIONS = [128, 256, 512, 1024, 2048] as const;
const EMBEDDING_TYPES = ["float", "base64", "binary", "ubinary"] as const;
const FULL_DIMS = 2048;
const MULTI_DIMS = 128;
/** Images are tiled into 28x28 patches, one token each, after a downscale to at most 20 megapixels. */
const IMAGE_PATCH = 28;
const IMAGE_MAX_PIXELS = 20_000_000;
const STOP_WORDS = new Set("a an and are as at be by for from has have in is it its of on or that the this to was were which with".split(" "));

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly payload: unknown,
  ) {
    super(typeof payload === "string" ? payload : JSON.stringify(payload));
  }
}

// ---------------------------------------------------------------- vectors

function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Word tokens used for vectors and multi-vector rows. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Tokens of an image in `usage`: its 28x28 patches (at most 20 megapixels are tiled). */
export function imageTokens(bytes: Uint8Array): number {
  let width = 0;
  let height = 0;
  try {
    ({ width = 0, height = 0 } = imageSize(bytes));
  } catch {
    return 256; // a header this server accepts but cannot measure (tests send bare magic bytes)
  }
  const scale = Math.min(1, Math.sqrt(IMAGE_MAX_PIXELS / Math.max(1, width * height)));
  return Math.max(1, Math.ceil((width * scale) / IMAGE_PATCH) * Math.ceil((height * scale) / IMAGE_PATCH));
}

/** Token count reported in `usage`: words and punctuation marks, plus one. */
export function countTokens(text: string): number {
  return (text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0) + 1;
}

/** Bands of the Matryoshka prefixes: a word lands in each, so every prefix carries every word. */
const BANDS: Array<[number, number]> = [
  [0, 128],
  [128, 256],
  [256, 512],
  [512, 1024],
  [1024, 2048],
];

function addWord(vector: Float64Array, word: string, weight: number, limit: number): void {
  for (let b = 0; b < BANDS.length; b++) {
    const [start, end] = BANDS[b]!;
    if (start >= limit) break;
    for (let k = 0; k < 2; k++) {
      const h = fnv1a(word, 0x811c9dc5 ^ ((b * 2 + k + 1) * 0x9e3779b1));
      const index = start + (h % (end - start));
      vector[index]! += (h & 0x80000000 ? -1 : 1) * weight;
    }
  }
}

function normalise(vector: Float64Array, dims: number): number[] {
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += vector[i]! * vector[i]!;
  norm = Math.sqrt(norm) || 1;
  const out = new Array<number>(dims);
  for (let i = 0; i < dims; i++) out[i] = vector[i]! / norm;
  return out;
}

/** Full 2048-d unnormalised text vector. */
function rawTextVector(text: string): Float64Array {
  const vector = new Float64Array(FULL_DIMS);
  const counts = new Map<string, number>();
  for (const word of wordTokens(text)) if (!STOP_WORDS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  for (const [word, count] of counts) addWord(vector, word, 1 + Math.log(count), FULL_DIMS);
  if (counts.size === 0) addWord(vector, `<empty>${text}`, 1, FULL_DIMS);
  return vector;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

function rawImageVector(bytes: Buffer, length = FULL_DIMS, salt = ""): Float64Array {
  const digest = createHash("sha256").update(bytes).update(salt).digest();
  const next = seeded(digest.readUInt32LE(0) ^ digest.readUInt32LE(4));
  const vector = new Float64Array(length);
  for (let i = 0; i < length; i++) vector[i] = next() * 2 - 1;
  return vector;
}

/** The dense vector the server returns for a text (exported so tests can compute expectations). */
export function expectedTextVector(text: string, dims = 2048): number[] {
  return normalise(rawTextVector(text), dims);
}

/** The dense vector the server returns for image bytes. */
export function expectedImageVector(bytes: Buffer, dims = 2048): number[] {
  return normalise(rawImageVector(bytes), dims);
}

function isReadableImage(bytes: Buffer): boolean {
  if (bytes.length < 8) return false;
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return true;
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return true;
  if (bytes.subarray(0, 4).toString("latin1") === "GIF8") return true;
  if (bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") return true;
  if (bytes.subarray(0, 2).toString("latin1") === "BM") return true;
  return false;
}

// ---------------------------------------------------------------- encoding

function encodeVector(vector: number[], type: (typeof EMBEDDING_TYPES)[number], binaryInt8: "offset128" | "twosComplement"): number[] | string {
  if (type === "float") return vector;
  if (type === "base64") {
    const floats = new Float32Array(vector);
    return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
  }
  const bytes = new Uint8Array(Math.ceil(vector.length / 8));
  for (let i = 0; i < vector.length; i++) if (vector[i]! > 0) bytes[i >> 3]! |= 0x80 >> (i & 7);
  if (type === "ubinary") return Array.from(bytes);
  return Array.from(bytes, (b) => (binaryInt8 === "offset128" ? b - 128 : b > 127 ? b - 256 : b));
}

// ---------------------------------------------------------------- server

type JinaInput = string | { text: string } | { image: string } | { pdf: string };

interface ResolvedInput {
  kind: "text" | "image";
  text: string;
  bytes?: Buffer;
  tokens: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export async function startJinaTestServer(options: JinaTestServerOptions = {}): Promise<JinaTestServer> {
  const format = options.format ?? "jina";
  const models = options.models ?? ["jina-embeddings-v4"];
  const rerankModels = options.rerankModels ?? ["jina-reranker-m0"];
  const contextTokens = options.contextTokens ?? 32_768;
  const maxInputs = options.maxInputsPerRequest ?? 2048;
  const maxTokens = options.maxTokensPerRequest ?? Number.POSITIVE_INFINITY;
  const multiVectorKey = options.multiVectorKey ?? "embeddings";
  const binaryInt8 = options.binaryInt8 ?? "offset128";
  const shuffle = options.shuffle ?? true;
  const recordBodies = options.recordBodies ?? true;
  const random = seeded(options.random?.seed ?? 42);

  let faults: JinaServerFault[] = [...(options.faults ?? [])];
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxConcurrent = 0;
  let totalTokens = 0;
  let counter = 0;

  const jinaError = (status: number, detail: unknown) => new HttpFailure(status, format === "openai" ? { error: { message: typeof detail === "string" ? detail : JSON.stringify(detail), type: "invalid_request_error", code: status } } : { detail });

  async function resolveImage(value: string, where: (string | number)[]): Promise<Buffer> {
    let bytes: Buffer;
    if (/^https?:\/\//i.test(value)) {
      if (options.fetchImages === false) throw new HttpFailure(400, { detail: `${where.join(".")}: image URLs are disabled on this server` });
      try {
        const res = await fetch(value, { signal: AbortSignal.timeout(5_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        bytes = Buffer.from(await res.arrayBuffer());
      } catch (error) {
        throw new HttpFailure(400, { detail: `input[${where[2]}]: could not fetch image URL (${(error as Error).message})` });
      }
    } else {
      const raw = value.startsWith("data:") ? value.slice(value.indexOf(",") + 1) : value;
      if (!/^[A-Za-z0-9+/=\s_-]+$/.test(raw)) throw new HttpFailure(400, { detail: `input[${where[2]}]: image is neither a URL nor base64` });
      bytes = Buffer.from(raw, "base64");
    }
    if (!isReadableImage(bytes)) throw new HttpFailure(400, { detail: `input[${where[2]}]: image bytes are not a readable image (PNG, JPEG, GIF, WebP or BMP)` });
    return bytes;
  }

  function validationError(loc: (string | number)[], msg: string): HttpFailure {
    return new HttpFailure(422, { detail: [{ loc: ["body", ...loc], msg, type: "value_error" }] });
  }

  async function resolveInputs(input: unknown): Promise<ResolvedInput[]> {
    if (!Array.isArray(input) || input.length === 0) throw validationError(["input"], "input must be a non-empty array");
    if (input.length > maxInputs) throw new HttpFailure(413, { detail: `too many inputs: ${input.length} > ${maxInputs}` });
    const out: ResolvedInput[] = [];
    for (let i = 0; i < input.length; i++) {
      const item = input[i] as JinaInput | unknown;
      if (typeof item === "string") {
        out.push({ kind: "text", text: item, tokens: countTokens(item) });
        continue;
      }
      if (!item || typeof item !== "object" || Array.isArray(item)) throw validationError(["input", i], "each input is a string, {text}, {image} or {pdf}");
      const keys = Object.keys(item);
      if (keys.length !== 1 || !["text", "image", "pdf"].includes(keys[0]!)) throw validationError(["input", i], `unknown input object keys: ${keys.join(",")} (use text or image)`);
      const value = (item as Record<string, unknown>)[keys[0]!];
      if (typeof value !== "string" || value.length === 0) throw validationError(["input", i, keys[0]!], "must be a non-empty string");
      if (keys[0] === "text") out.push({ kind: "text", text: value, tokens: countTokens(value) });
      else if (keys[0] === "pdf") throw new HttpFailure(400, { detail: `input[${i}]: pdf inputs are not supported by this test server` });
      else {
        const bytes = await resolveImage(value, ["body", "input", i]);
        out.push({ kind: "image", text: "", bytes, tokens: imageTokens(bytes) });
      }
    }
    return out;
  }

  function denseVector(input: ResolvedInput): Float64Array {
    return input.kind === "image" ? rawImageVector(input.bytes!) : rawTextVector(input.text);
  }

  function multiVector(input: ResolvedInput): number[][] {
    if (input.kind === "image") {
      const rows: number[][] = [];
      for (let r = 0; r < 16; r++) rows.push(normalise(rawImageVector(input.bytes!, MULTI_DIMS, `row${r}`), MULTI_DIMS));
      return rows;
    }
    const words = wordTokens(input.text);
    if (words.length === 0) words.push("<empty>");
    return words.map((word) => {
      const v = new Float64Array(MULTI_DIMS);
      addWord(v, word, 1, MULTI_DIMS);
      return normalise(v, MULTI_DIMS);
    });
  }

  async function handleJinaEmbeddings(body: Record<string, unknown>): Promise<{ payload: unknown; inputs: number; tokens: number }> {
    const allowed = new Set(["model", "input", "task", "dimensions", "late_chunking", "return_multivector", "embedding_type", "truncate", ...(options.allowNormalized ? ["normalized"] : [])]);
    for (const key of Object.keys(body)) {
      if (key === "normalized" && !options.allowNormalized) throw validationError(["normalized"], "`normalized` is not supported by jina-embeddings-v4 (v3 and jina-clip-v2 only)");
      if (!allowed.has(key)) throw validationError([key], `unknown field ${key}`);
    }
    if (typeof body.model !== "string") throw validationError(["model"], "model is required");
    if (!models.includes(body.model)) throw new HttpFailure(400, { detail: `INPUT_MODEL_NOT_FOUND: model "${body.model}" not found` });
    if (body.task !== undefined && !(TEST_SERVER_TASKS as readonly unknown[]).includes(body.task)) throw validationError(["task"], `task must be one of ${TEST_SERVER_TASKS.join(", ")}`);
    if (body.dimensions !== undefined && !(TEST_SERVER_DIMENSIONS as readonly unknown[]).includes(body.dimensions)) throw validationError(["dimensions"], `dimensions must be one of ${TEST_SERVER_DIMENSIONS.join(", ")}`);
    for (const flag of ["late_chunking", "return_multivector", "truncate", "normalized"]) {
      if (body[flag] !== undefined && typeof body[flag] !== "boolean") throw validationError([flag], `${flag} must be a boolean`);
    }
    const embeddingType = body.embedding_type ?? "float";
    if (typeof embeddingType !== "string" || !(EMBEDDING_TYPES as readonly string[]).includes(embeddingType)) throw validationError(["embedding_type"], `embedding_type must be one of ${EMBEDDING_TYPES.join(", ")} (this server takes one at a time)`);
    const inputs = await resolveInputs(body.input);
    const tokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
    const truncate = body.truncate === true;
    inputs.forEach((input, i) => {
      if (input.tokens > contextTokens && !truncate) throw new HttpFailure(400, { detail: `input[${i}]: ${input.tokens} tokens exceed the context of ${contextTokens}` });
    });
    if (tokens > maxTokens) throw new HttpFailure(413, { detail: `request has ${tokens} tokens, more than ${maxTokens}` });
    const late = body.late_chunking === true;
    if (late && tokens > contextTokens) throw new HttpFailure(400, { detail: `late_chunking: the request's inputs total ${tokens} tokens, more than the context of ${contextTokens}` });
    const dims = (body.dimensions as number | undefined) ?? FULL_DIMS;
    const type = embeddingType as (typeof EMBEDDING_TYPES)[number];

    let data: Array<Record<string, unknown>>;
    if (body.return_multivector === true) {
      data = inputs.map((input, index) => ({ object: "embedding", index, [multiVectorKey]: multiVector(input).map((row) => encodeVector(row, type, binaryInt8)) }));
    } else {
      const raws = inputs.map(denseVector);
      if (late) {
        const mean = new Float64Array(FULL_DIMS);
        for (const raw of raws) {
          const unit = normalise(raw, FULL_DIMS);
          for (let d = 0; d < FULL_DIMS; d++) mean[d]! += unit[d]! / raws.length;
        }
        for (const raw of raws) {
          const unit = normalise(raw, FULL_DIMS);
          for (let d = 0; d < FULL_DIMS; d++) raw[d] = unit[d]! + 0.5 * mean[d]!;
        }
      }
      data = raws.map((raw, index) => ({ object: "embedding", index, embedding: encodeVector(normalise(raw, dims), type, binaryInt8) }));
    }
    if (shuffle) data.sort(() => random() - 0.5);
    return { payload: { model: body.model, object: "list", usage: { total_tokens: tokens, prompt_tokens: tokens }, data }, inputs: inputs.length, tokens };
  }

  function handleOpenAiEmbeddings(body: Record<string, unknown>): { payload: unknown; inputs: number; tokens: number } {
    for (const key of Object.keys(body)) {
      if (!["model", "input", "encoding_format", "dimensions", "user"].includes(key)) throw jinaError(400, `Unrecognized request argument supplied: ${key}`);
    }
    const raw = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(raw) || raw.length === 0 || raw.some((s) => typeof s !== "string")) throw jinaError(400, "input must be a string or a non-empty array of strings");
    const texts = raw as string[];
    const requirePrefix = options.requirePrefix ?? true;
    texts.forEach((text, i) => {
      if (requirePrefix && !/^(Query|Passage): /.test(text)) throw jinaError(400, `input[${i}] lacks the "Query: " or "Passage: " prefix the GGUF model needs`);
    });
    const encoding = body.encoding_format ?? "float";
    if (encoding !== "float" && encoding !== "base64") throw jinaError(400, "encoding_format must be float or base64");
    if (body.dimensions !== undefined && !(TEST_SERVER_DIMENSIONS as readonly unknown[]).includes(body.dimensions)) throw jinaError(400, `dimensions must be one of ${TEST_SERVER_DIMENSIONS.join(", ")}`);
    const dims = (body.dimensions as number | undefined) ?? FULL_DIMS;
    const tokens = texts.reduce((sum, t) => sum + countTokens(t), 0);
    const data = texts.map((text, index) => ({ object: "embedding", index, embedding: encodeVector(normalise(rawTextVector(text.replace(/^(Query|Passage): /, "")), dims), encoding as "float" | "base64", binaryInt8) }));
    if (shuffle) data.sort(() => random() - 0.5);
    return { payload: { object: "list", model: body.model ?? "jina-embeddings-v4-text-retrieval-gguf", data, usage: { prompt_tokens: tokens, total_tokens: tokens } }, inputs: texts.length, tokens };
  }

  async function handleRerank(body: Record<string, unknown>): Promise<{ payload: unknown; inputs: number; tokens: number }> {
    for (const key of Object.keys(body)) if (!["model", "query", "documents", "top_n", "return_documents"].includes(key)) throw validationError([key], `unknown field ${key}`);
    if (typeof body.model !== "string" || !rerankModels.includes(body.model)) throw new HttpFailure(400, { detail: `INPUT_MODEL_NOT_FOUND: reranker "${String(body.model)}" not found` });
    if (body.top_n !== undefined && (!Number.isInteger(body.top_n) || (body.top_n as number) < 1)) throw validationError(["top_n"], "top_n must be a positive integer");
    if (body.return_documents !== undefined && typeof body.return_documents !== "boolean") throw validationError(["return_documents"], "must be a boolean");
    const [query] = await resolveInputs([body.query]).catch(() => {
      throw validationError(["query"], "query must be a string, {text} or {image}");
    });
    const docs = await resolveInputs(body.documents);
    const q = normalise(denseVector(query!), FULL_DIMS);
    const scored = docs.map((doc, index) => {
      const v = normalise(denseVector(doc), FULL_DIMS);
      let dot = 0;
      for (let d = 0; d < FULL_DIMS; d++) dot += q[d]! * v[d]!;
      return { index, relevance_score: (dot + 1) / 2, ...(body.return_documents ? { document: (body.documents as unknown[])[index] } : {}) };
    });
    scored.sort((a, b) => b.relevance_score - a.relevance_score);
    const tokens = query!.tokens + docs.reduce((s, d) => s + d.tokens, 0);
    return { payload: { model: body.model, usage: { total_tokens: tokens }, results: scored.slice(0, (body.top_n as number | undefined) ?? scored.length) }, inputs: docs.length, tokens };
  }

  function nextFault(): JinaServerFault {
    const scripted = faults.shift();
    if (scripted !== undefined) return scripted;
    const r = options.random;
    if (r) {
      const x = random();
      if (x < (r.rate429 ?? 0)) return { status: 429, retryAfter: r.retryAfter ?? "0" };
      if (x < (r.rate429 ?? 0) + (r.rate503 ?? 0)) return { status: 503 };
      if (x < (r.rate429 ?? 0) + (r.rate503 ?? 0) + (r.rateReset ?? 0)) return "reset";
    }
    return "ok";
  }

  const server = http.createServer(async (req, res) => {
    const n = ++counter;
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on("close", finish);
    const record: RecordedRequest = { n, method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: undefined, status: 0, outcome: "ok", inputs: 0, tokens: 0 };
    requests.push(record);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.destroyed || res.writableEnded) return finish();
      const text = typeof payload === "string" ? payload : JSON.stringify(payload);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      // Out of flight the moment we answer: the client cannot have the answer before this line.
      finish();
      res.end(text);
    };
    try {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (recordBodies) record.body = body;

      const latency = typeof options.latencyMs === "function" ? options.latencyMs(n) : (options.latencyMs ?? 0);
      const fault = nextFault();
      if (fault === "reset") {
        record.outcome = "reset";
        if (latency) await sleep(latency);
        finish();
        req.socket.destroy();
        return;
      }
      if (fault === "hang") {
        record.outcome = "hang";
        await Promise.race([sleep(30_000), new Promise((resolve) => res.on("close", resolve))]);
        send(504, { detail: "gateway timeout" });
        return;
      }
      if (typeof fault === "object" && "delayMs" in fault) await sleep(fault.delayMs);
      if (latency) await sleep(latency);
      if (typeof fault === "object" && "status" in fault) {
        record.outcome = `fault ${fault.status}`;
        const headers = { ...(fault.headers ?? {}), ...(fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {}) };
        const defaultBody = fault.status === 429 ? { detail: "Rate limit exceeded (test server), retry later" } : { detail: `Service unavailable (test server ${fault.status})` };
        send(fault.status, fault.body ?? defaultBody, headers);
        return;
      }

      const path = (req.url ?? "").split("?")[0];
      if (req.method !== "POST" || (path !== "/v1/embeddings" && path !== "/v1/rerank")) {
        record.outcome = "not found";
        send(404, { detail: `Not found: ${req.method} ${req.url}` });
        return;
      }
      if (options.apiKey !== undefined) {
        const auth = req.headers.authorization;
        if (!auth) throw new HttpFailure(401, { detail: "AUTH_MISSING_API_KEY: no API key in the Authorization header" });
        if (auth !== `Bearer ${options.apiKey}`) throw new HttpFailure(401, { detail: "AUTH_INVALID_API_KEY: the API key is invalid" });
      }
      if (!body || typeof body !== "object" || Array.isArray(body)) throw jinaError(400, "request body must be a JSON object");

      let result: { payload: unknown; inputs: number; tokens: number };
      if (path === "/v1/rerank") result = await handleRerank(body as Record<string, unknown>);
      else if (format === "openai") result = handleOpenAiEmbeddings(body as Record<string, unknown>);
      else result = await handleJinaEmbeddings(body as Record<string, unknown>);
      record.inputs = result.inputs;
      record.tokens = result.tokens;

      if (fault === "malformed") {
        record.outcome = "malformed";
        send(200, JSON.stringify(result.payload).slice(0, 40));
        return;
      }
      if (fault === "wrong-shape") {
        record.outcome = "wrong-shape";
        send(200, { data: "not a list", usage: {} });
        return;
      }
      totalTokens += result.tokens;
      send(200, result.payload, { "x-ratelimit-remaining-requests": "499", "x-ratelimit-remaining-tokens": "999000" });
    } catch (error) {
      if (error instanceof HttpFailure) {
        record.outcome = `error ${error.status}`;
        send(error.status, error.payload);
      } else {
        record.outcome = "crash";
        send(500, { detail: `test server error: ${(error as Error).message}` });
      }
    }
  });
  // Longer than clients' idle timeout (undici: 4 s), so the client always closes an idle socket first:
  // otherwise a request can race the server closing it (ECONNRESET) and fake a fault nobody injected.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const listener = await listenLocal(server);

  return {
    url: `${listener.origin}/v1`,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    get inFlight() {
      return inFlight;
    },
    get totalTokens() {
      return totalTokens;
    },
    setFaults(next) {
      faults = [...next];
    },
    reset() {
      requests.length = 0;
      maxConcurrent = inFlight;
      totalTokens = 0;
    },
    close: listener.close,
  };
}

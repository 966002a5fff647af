/**
 * `JinaEmbeddings`: the Jina Embeddings v4 client. A LangChain `Embeddings` (so vector stores take it
 * unchanged) plus images, the five v4 tasks, Matryoshka dimensions, multi-vector output, late
 * chunking, every embedding_type, a persistent LMDB cache, batching by count and tokens under a
 * concurrency limit, retries, typed errors; the wire format (Jina's, or the OpenAI body of
 * self-hosted servers) is an adapter in wire-formats.ts.
 */
import { Embeddings } from "@langchain/core/embeddings";
import { z } from "zod";
import { DEFAULTS, JINA_DEFAULT_MODEL, JINA_DIMENSIONS, MULTIVECTOR_SIZE } from "../config.js";
import { ConfigError, UnsupportedFeatureError, errorMessage } from "../errors.js";
import { EmbeddingCache, partsHash, sha256, type CachedRows, type StoredRows } from "./cache.js";
import { decodeVector, decodedLength, packedBytes, packedLength, EMBEDDING_TYPES, type BinaryInt8Encoding, type EmbeddingType, type WireVector } from "./codec.js";
import { EmbeddingsShapeError } from "./errors.js";
import { JinaHttpClient, type RetryEvent } from "./http.js";
import { batchByBudget, DEFAULT_TOKEN_ESTIMATE, prepareInputs, type PreparedInput, type TokenEstimate } from "./inputs.js";
import { loadTextTokenCounter } from "./tokens.js";
import type { CallEstimate, EmbeddingInput, EmbeddingUsage, ImageInput, MultimodalEmbeddings } from "./types.js";
import { JINA_TASKS, wireFormat, type JinaTask, type Kind, type ResolvedRequest, type WireFormat } from "./wire-formats.js";

export { JINA_TASKS, type JinaTask } from "./wire-formats.js";
/** Jina v4's context per input and per late-chunking request. */
export const JINA_CONTEXT_TOKENS = 32_768;

export interface JinaEmbeddingsOptions {
  /** Default: env JINA_API_KEY. Optional for self-hosted servers. */
  apiKey?: string;
  /** Default: env JINA_BASE_URL, else https://api.jina.ai/v1. */
  baseUrl?: string;
  model?: string;
  /** Matryoshka size: 128, 256, 512, 1024 or 2048 (default 1024). */
  dimensions?: number;
  /** "jina" (Jina's body, default) or "openai" (POST /embeddings {input, encoding_format, dimensions}; task as "Query: "/"Passage: " prefix). */
  format?: "jina" | "openai";
  /** Most inputs per request (default 32). */
  batchSize?: number;
  /** Estimated-token budget per request (default 32,000). */
  tokensPerRequest?: number;
  /** Requests in flight at once, never exceeded (default 4). */
  maxConcurrency?: number;
  /** Retries of 429 / 5xx / timeouts / resets per request (default 6). */
  maxRetries?: number;
  /** Per-attempt timeout in ms (default 60,000). */
  timeout?: number;
  /** Persistent cache folder (LMDB); no cache when unset. */
  cacheDir?: string;
  /** Default output type (default "float"). */
  embeddingType?: EmbeddingType;
  /** Task of embedQuery / embedImageQuery / embedMultiVectorQuery (default retrieval.query; code.query for code). */
  queryTask?: JinaTask;
  /** Task of embedDocuments and the other document methods (default retrieval.passage). */
  passageTask?: JinaTask;
  /** Late-chunking window: context minus a safety margin for our token estimate (default 30,000 of 32,768). */
  lateChunkingMaxTokens?: number;
  /** Token estimate used for batching and `estimate` (default: BPE text counts, one token per 28x28 image patch; see tokens.ts). */
  tokenEstimate?: Partial<TokenEstimate>;
  /** Row width of multi-vector output (default 128). */
  multiVectorSize?: number;
  /** How `binary` packs bits into int8 (default "offset128"; see codec.ts). */
  binaryInt8?: BinaryInt8Encoding;
  /**
   * How float output travels on Jina's format: "base64" (default; little-endian float32, about 4x
   * smaller than JSON numbers, decoded here to the same float32 values) or "float" (JSON numbers).
   * Multi-vector output and the OpenAI format always use JSON numbers unless asked otherwise.
   */
  floatTransport?: "base64" | "float";
  /** Ask the server to cut inputs beyond the context instead of failing (default false). */
  truncate?: boolean;
  /** Backoff base and cap in ms (defaults 500 and 30,000); small values make tests fast. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Extra attempts when a 200 body is unusable (default 2). */
  malformedRetries?: number;
  /** Warnings the caller should see (late-chunking windows); default console.warn. */
  onWarning?: (message: string) => void;
  onRetry?: (event: RetryEvent) => void;
  /** Other secrets to keep out of error messages (e.g. FolioConfig.secrets); the API key always is. */
  secrets?: string[];
}

export interface EmbedOptions {
  /** Default: the passage task. */
  task?: JinaTask;
  dimensions?: number;
  /** One (tokens x 128) matrix per input. */
  multivector?: boolean;
  /** The inputs are consecutive chunks of ONE document (split into windows beyond the context). */
  lateChunking?: boolean;
  embeddingType?: EmbeddingType;
  /** Packed bytes instead of numbers (float32 LE for float/base64; 1 bit per dimension for binary/ubinary). */
  packed?: boolean;
  truncate?: boolean;
  /** Cancels the call: queued and in-flight requests stop, nothing is retried (rejects with an AbortError). */
  signal?: AbortSignal;
}

/** Running usage of a Jina client (see EmbeddingUsage). */
export type JinaUsage = EmbeddingUsage;

export interface DescribedRequest {
  method: "POST";
  url: string;
  /** Authorization is masked. */
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

type Resolved = ResolvedRequest;

// A tight loop instead of z.array(z.number()): a response carries ~10^6 numbers.
const numberArray = z.custom<number[]>((value) => {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "number") return false;
  return true;
}, "expected an array of numbers");
const wireVector = z.union([numberArray, z.string()]);
const wireEmbedding = z.union([wireVector, z.array(wireVector)]);
const itemSchema = z
  .object({ index: z.number().int().nonnegative(), embedding: wireEmbedding.optional(), embeddings: wireEmbedding.optional() })
  .passthrough()
  .refine((item) => item.embedding !== undefined || item.embeddings !== undefined, { message: "item has neither embedding nor embeddings" });
const usageSchema = z.object({ total_tokens: z.number().optional(), prompt_tokens: z.number().optional() }).passthrough();
const responseSchema = z.object({ data: z.array(itemSchema), usage: usageSchema.optional(), model: z.string().optional() }).passthrough();
type EmbeddingsResponse = z.infer<typeof responseSchema>;

/** The response must hold each index 0..n-1 exactly once; otherwise it is malformed (and retried). */
function responseFor(count: number) {
  return responseSchema.superRefine((body, ctx) => {
    const seen = new Set<number>();
    for (const item of body.data) {
      if (item.index >= count || seen.has(item.index)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["data"], message: `unexpected or repeated index ${item.index} for ${count} inputs` });
      seen.add(item.index);
    }
    if (seen.size !== count) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["data"], message: `expected ${count} embeddings, got ${body.data.length}` });
  });
}

function isMatrix(value: unknown): value is WireVector[] {
  return Array.isArray(value) && value.length > 0 && (Array.isArray(value[0]) || typeof value[0] === "string");
}

/** Why float multi-vector rows are malformed (one or more rows, each `size` numbers, no NaN), or null when they are fine. */
function multiVectorRowProblem(rows: readonly unknown[], size: number): string | null {
  if (rows.length === 0) return "no rows";
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) return `row ${r} is not an array of numbers`;
    if (row.length !== size) return `row ${r} has ${row.length} values`;
    for (let d = 0; d < row.length; d++) {
      const x: unknown = row[d];
      if (typeof x !== "number" || Number.isNaN(x)) return `row ${r}, value ${d} is not a number`;
    }
  }
  return null;
}

export class JinaEmbeddings extends Embeddings implements MultimodalEmbeddings {
  readonly model: string;
  readonly dimensions: number;
  readonly format: "jina" | "openai";
  private readonly wire: WireFormat;
  readonly baseUrl: string;
  readonly batchSize: number;
  readonly tokensPerRequest: number;
  readonly maxConcurrency: number;
  readonly lateChunkingMaxTokens: number;
  readonly embeddingType: EmbeddingType;
  readonly queryTask: JinaTask;
  readonly passageTask: JinaTask;
  readonly multiVectorSize: number;

  private readonly http: JinaHttpClient;
  private readonly tokenEstimate: TokenEstimate;
  private readonly binaryInt8: BinaryInt8Encoding;
  private readonly truncate: boolean;
  private readonly floatTransport: "base64" | "float";
  private readonly onWarning: (message: string) => void;
  private readonly cacheDir: string | undefined;
  private cache: EmbeddingCache | null | undefined;
  private readonly counters: JinaUsage = { totalTokens: 0, promptTokens: 0, requests: 0, retries: 0, cacheHits: 0, cacheMisses: 0, lateChunkingWindows: 0, lateChunkingSplitDocuments: 0 };

  constructor(options: JinaEmbeddingsOptions = {}) {
    const maxConcurrency = options.maxConcurrency ?? DEFAULTS.JINA_MAX_CONCURRENCY;
    // LangChain's AsyncCaller (this.caller) bounds concurrency; retries are ours (Retry-After, typed errors).
    super({ maxConcurrency, maxRetries: 0 });
    this.model = options.model ?? JINA_DEFAULT_MODEL;
    this.dimensions = options.dimensions ?? DEFAULTS.JINA_DIMENSIONS;
    if (!(JINA_DIMENSIONS as readonly number[]).includes(this.dimensions)) {
      throw new ConfigError(`Invalid Jina dimensions ${this.dimensions}: must be one of ${JINA_DIMENSIONS.join(", ")}.`, `Use one of ${JINA_DIMENSIONS.join(", ")} (Matryoshka sizes of jina-embeddings-v4).`);
    }
    this.format = options.format ?? "jina";
    this.wire = wireFormat(this.format);
    this.batchSize = positiveInt("batchSize", options.batchSize ?? DEFAULTS.JINA_BATCH_SIZE);
    this.tokensPerRequest = positiveInt("tokensPerRequest", options.tokensPerRequest ?? DEFAULTS.JINA_TOKENS_PER_REQUEST);
    this.maxConcurrency = positiveInt("maxConcurrency", maxConcurrency);
    this.lateChunkingMaxTokens = positiveInt("lateChunkingMaxTokens", options.lateChunkingMaxTokens ?? 30_000);
    this.embeddingType = options.embeddingType ?? "float";
    this.queryTask = options.queryTask ?? "retrieval.query";
    this.passageTask = options.passageTask ?? "retrieval.passage";
    this.multiVectorSize = options.multiVectorSize ?? MULTIVECTOR_SIZE;
    this.tokenEstimate = { ...DEFAULT_TOKEN_ESTIMATE, ...options.tokenEstimate };
    this.binaryInt8 = options.binaryInt8 ?? "offset128";
    this.truncate = options.truncate ?? false;
    this.floatTransport = options.floatTransport ?? "base64";
    this.onWarning = options.onWarning ?? ((message) => console.warn(`[folio] ${message}`));
    this.cacheDir = options.cacheDir;
    this.http = new JinaHttpClient({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      maxRetries: options.maxRetries,
      timeoutMs: options.timeout,
      maxConcurrency: this.maxConcurrency,
      backoffBaseMs: options.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs,
      malformedRetries: options.malformedRetries,
      caller: this.caller,
      onRetry: options.onRetry,
      secrets: options.secrets,
    });
    this.baseUrl = this.http.baseUrl;
  }

  get supportsImages(): boolean {
    return this.wire.supportsImages;
  }

  get supportsMultiVector(): boolean {
    return this.wire.supportsMultiVector;
  }

  /** Running totals since construction (a copy). */
  get usage(): JinaUsage {
    return { ...this.counters, requests: this.http.stats.requests, retries: this.http.stats.retries };
  }

  // ------------------------------------------------------------------ LangChain + MultimodalEmbeddings

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embed([text], { task: this.queryTask });
    return vector!;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return this.embed(texts, { task: this.passageTask });
  }

  async embedImageDocuments(images: ImageInput[]): Promise<number[][]> {
    return this.embed(
      images.map((image) => ({ image })),
      { task: this.passageTask },
    );
  }

  async embedImageQuery(image: ImageInput): Promise<number[]> {
    const [vector] = await this.embed([{ image }], { task: this.queryTask });
    return vector!;
  }

  async embedDocumentChunks(chunks: string[]): Promise<number[][]> {
    return this.embed(chunks, { task: this.passageTask, lateChunking: true });
  }

  /** Late chunking of many documents at once (each document is its own request or windows). */
  async embedDocumentsChunked(documents: string[][]): Promise<number[][][]> {
    return Promise.all(documents.map((chunks) => this.embedDocumentChunks(chunks)));
  }

  async embedMultiVectorDocuments(inputs: EmbeddingInput[]): Promise<number[][][]> {
    return this.embed(inputs, { task: this.passageTask, multivector: true });
  }

  async embedMultiVectorQuery(input: EmbeddingInput): Promise<number[][]> {
    const [matrix] = await this.embed([input], { task: this.queryTask, multivector: true });
    return matrix!;
  }

  // ------------------------------------------------------------------ the general call

  embed(inputs: EmbeddingInput[], options: EmbedOptions & { multivector: true; packed: true }): Promise<Uint8Array[][]>;
  embed(inputs: EmbeddingInput[], options: EmbedOptions & { multivector: true; packed?: false }): Promise<number[][][]>;
  embed(inputs: EmbeddingInput[], options: EmbedOptions & { packed: true; multivector?: false }): Promise<Uint8Array[]>;
  embed(inputs: EmbeddingInput[], options?: EmbedOptions & { multivector?: false; packed?: false }): Promise<number[][]>;
  /** Options only known at run time (e.g. CLI flags): the result is whichever shape they ask for. */
  embed(inputs: EmbeddingInput[], options: EmbedOptions): Promise<number[][] | number[][][] | Uint8Array[] | Uint8Array[][]>;
  async embed(inputs: EmbeddingInput[], options: EmbedOptions = {}): Promise<number[][] | number[][][] | Uint8Array[] | Uint8Array[][]> {
    const resolved = this.resolve(options);
    if (inputs.length === 0) return [];
    // A lone input needs no batching: its quick count spares a search the tokenizer's load.
    const items = await prepareInputs(inputs, this.tokenEstimate, inputs.length > 1 || resolved.late ? await loadTextTokenCounter() : undefined);
    this.wire.check(items, resolved);
    this.ensureKey();
    const results = resolved.late ? await this.runLate(items, resolved) : await this.runBatched(items, resolved);
    return this.present(results, resolved);
  }

  /** The exact HTTP request(s) `embed(inputs, options)` would send without a cache, with the key masked. */
  async describeRequests(inputs: EmbeddingInput[], options: EmbedOptions = {}): Promise<DescribedRequest[]> {
    const resolved = this.resolve(options);
    const items = await prepareInputs(inputs, this.tokenEstimate, await loadTextTokenCounter());
    this.wire.check(items, resolved);
    const groups = resolved.late ? this.windows(items) : batchByBudget(items, this.batchSize, this.tokensPerRequest);
    const headers = this.http.maskedHeaders();
    return groups.map((group) => ({ method: "POST", url: this.http.url("embeddings"), headers: { ...headers }, body: this.wire.body(this.model, group, resolved) }));
  }

  /**
   * What `embed(inputs, options)` would send, consulting the cache but sending nothing: each input's
   * estimated tokens, which inputs would go out, and the requests. `seen` carries the cache keys of
   * earlier estimated calls, so an input that an earlier call would have embedded counts as cached.
   */
  async estimate(inputs: EmbeddingInput[], options: EmbedOptions = {}, seen: Set<string> = new Set()): Promise<CallEstimate> {
    const resolved = this.resolve(options);
    if (inputs.length === 0) return { inputTokens: [], sent: [], requests: 0, lateChunkingWindows: 0 };
    const items = await prepareInputs(inputs, this.tokenEstimate, await loadTextTokenCounter());
    this.wire.check(items, resolved);
    const cache = this.openCache();
    const inputTokens = items.map((item) => item.tokens);
    if (resolved.late) {
      const key = this.lateKey(items, resolved);
      const cached = seen.has(key) || Boolean(cache && this.lateHit(cache, key, resolved, items.length));
      seen.add(key);
      const windows = cached ? 0 : this.windows(items).length;
      return { inputTokens, sent: items.map(() => !cached), requests: windows, lateChunkingWindows: windows };
    }
    const { unique } = this.planBatched(items, resolved, cache, seen);
    const sent = items.map(() => false);
    for (const entry of unique) {
      sent[entry.indices[0]!] = true;
      seen.add(entry.key);
    }
    return { inputTokens, sent, requests: batchByBudget(unique, this.batchSize, this.tokensPerRequest).length, lateChunkingWindows: 0 };
  }

  /** Closes the cache (other instances on the same folder keep it open). */
  async close(): Promise<void> {
    if (this.cache) await this.cache.close();
    this.cache = null;
  }

  // ------------------------------------------------------------------ internals

  private resolve(options: EmbedOptions): Resolved {
    const task = options.task ?? this.passageTask;
    if (!(JINA_TASKS as readonly string[]).includes(task)) throw new ConfigError(`Unknown Jina task "${task}".`, `Use one of ${JINA_TASKS.join(", ")}.`);
    const dims = options.dimensions ?? this.dimensions;
    if (!(JINA_DIMENSIONS as readonly number[]).includes(dims)) throw new ConfigError(`Invalid Jina dimensions ${dims}: must be one of ${JINA_DIMENSIONS.join(", ")}.`, `Use one of ${JINA_DIMENSIONS.join(", ")}.`);
    const type = options.embeddingType ?? this.embeddingType;
    if (!(EMBEDDING_TYPES as readonly string[]).includes(type)) throw new ConfigError(`Unknown embedding type "${type}".`, `Use one of ${EMBEDDING_TYPES.join(", ")}.`);
    if (options.multivector && options.lateChunking) throw new UnsupportedFeatureError("late chunking together with multi-vector output", "Request one or the other: late chunking pools one vector per chunk.");
    const kind: Kind = options.multivector ? "multivector" : "dense";
    const wire: EmbeddingType = type === "float" && kind === "dense" && this.wire.base64Floats && this.floatTransport === "base64" ? "base64" : type;
    return { task, dims, kind, late: options.lateChunking === true, type, wire, packed: options.packed === true, truncate: options.truncate ?? this.truncate, signal: options.signal };
  }

  private ensureKey(): void {
    this.http.requireHostedKey("No API key for Jina's hosted API (api.jina.ai).", "Set JINA_API_KEY (get one at https://jina.ai/embeddings), or set JINA_BASE_URL to a self-hosted server.");
  }

  private openCache(): EmbeddingCache | null {
    if (this.cache !== undefined) return this.cache;
    if (!this.cacheDir) return (this.cache = null);
    try {
      this.cache = EmbeddingCache.open(this.cacheDir);
    } catch (error) {
      this.onWarning(`embedding cache at ${this.cacheDir} could not be opened (${errorMessage(error)}); continuing without it`);
      this.cache = null;
    }
    return this.cache;
  }

  /** Cache keys of one call: everything that changes a vector, then the content hash (sha256 over "\0"-separated parts). */
  private cacheKeys(resolved: Resolved, extra = ""): (content: string) => string {
    const base = partsHash(["folio-jina-v1", this.format, this.model, resolved.task, String(resolved.dims), resolved.late ? "late" : resolved.kind, resolved.type, resolved.packed ? "packed" : "numbers", this.binaryInt8, String(this.multiVectorSize), extra]);
    return (content) => partsHash([content], base).digest("hex");
  }

  private cacheLookup(cache: EmbeddingCache, key: string, resolved: Resolved): CachedRows | undefined {
    const hit = resolved.packed ? cache.get(key) : cache.getNumbers(key);
    if (!hit || (hit.kind === "bytes") !== resolved.packed) return undefined;
    return hit;
  }

  /** Sends one request (one queue slot, retries inside) and returns the rows of each input, in input order. */
  private async request(items: PreparedInput[], resolved: Resolved, describeOffset: (i: number) => { index: number; description: string } | undefined): Promise<StoredRows[]> {
    const body = this.wire.body(this.model, items, resolved);
    const result = await this.http.post<EmbeddingsResponse>("embeddings", body, responseFor(items.length), { describeInput: describeOffset, signal: resolved.signal });
    const usage = result.data.usage;
    this.counters.totalTokens += usage?.total_tokens ?? usage?.prompt_tokens ?? 0;
    this.counters.promptTokens += usage?.prompt_tokens ?? usage?.total_tokens ?? 0;
    const out = new Array<StoredRows>(items.length);
    for (const item of result.data.data) out[item.index] = this.decodeItem(item.embeddings ?? item.embedding!, resolved, items[item.index]!);
    return out;
  }

  private decodeRow(value: WireVector, resolved: Resolved, expected: number | undefined, where: () => string): Float32Array | Uint8Array {
    let row: Float32Array | Uint8Array;
    try {
      row = resolved.packed ? packedBytes(value, resolved.wire, this.binaryInt8) : decodeVector(value, resolved.wire, this.binaryInt8);
    } catch (error) {
      throw new EmbeddingsShapeError(`${where()}: cannot decode ${resolved.wire} embedding (${errorMessage(error)}).`);
    }
    if (expected !== undefined && row.length !== expected) {
      throw new EmbeddingsShapeError(`${where()}: expected ${expected} ${resolved.packed ? "bytes" : "values"}, got ${row.length}.`);
    }
    return row;
  }

  private decodeItem(value: WireVector | WireVector[], resolved: Resolved, item: PreparedInput): StoredRows {
    const where = () => `embedding of ${item.description}`;
    if (resolved.kind === "multivector") {
      if (!isMatrix(value)) throw new EmbeddingsShapeError(`${where()}: expected a multi-vector matrix (rows of ${this.multiVectorSize}), got a single vector.`);
      const width = resolved.packed ? packedLength(this.multiVectorSize, resolved.wire) : decodedLength(this.multiVectorSize, resolved.wire);
      if (resolved.wire === "float") {
        const problem = multiVectorRowProblem(value, this.multiVectorSize);
        if (problem) throw new EmbeddingsShapeError(`${where()}: multi-vector rows must have ${this.multiVectorSize} numbers (${problem}).`);
      }
      const rows = value.map((row, r) => this.decodeRow(row, resolved, width, () => `${where()}, row ${r}`));
      return resolved.packed ? { kind: "bytes", rows: rows as Uint8Array[] } : { kind: "float", rows: rows as Float32Array[] };
    }
    let vector: WireVector;
    if (isMatrix(value)) {
      // vLLM-style servers on the OpenAI format return per-token vectors: mean-pool them.
      if (!this.wire.lenientVectors || resolved.packed) throw new EmbeddingsShapeError(`${where()}: expected one vector, got a matrix of ${value.length} rows.`);
      const rows = value.map((row) => decodeVector(row, resolved.wire));
      const pooled = new Float32Array(rows[0]!.length);
      for (const row of rows) for (let d = 0; d < pooled.length; d++) pooled[d]! += row[d]! / rows.length;
      vector = Array.from(pooled);
      resolved = { ...resolved, wire: "float" };
    } else vector = value;
    if (this.wire.lenientVectors && !resolved.packed) {
      // Some self-hosted servers ignore `dimensions`: truncate (Matryoshka) and renormalise here.
      const row = this.decodeRow(vector, resolved, undefined, where) as Float32Array;
      if (row.length < resolved.dims) throw new EmbeddingsShapeError(`${where()}: expected ${resolved.dims} values, got ${row.length}.`);
      return { kind: "float", rows: [row.length === resolved.dims ? row : truncateAndNormalise(row, resolved.dims)] };
    }
    const expected = resolved.packed ? packedLength(resolved.dims, resolved.wire) : decodedLength(resolved.dims, resolved.wire);
    const row = this.decodeRow(vector, resolved, expected, where);
    return resolved.packed ? { kind: "bytes", rows: [row as Uint8Array] } : { kind: "float", rows: [row as Float32Array] };
  }

  /**
   * The inputs a batched call must send: each distinct cache key not in the cache (nor in `seen`),
   * with the input positions it answers; `results` holds the cached rows of the others.
   */
  private planBatched(items: PreparedInput[], resolved: Resolved, cache: EmbeddingCache | null, seen?: ReadonlySet<string>): { results: Array<CachedRows | undefined>; unique: Array<{ key: string; indices: number[]; tokens: number }>; hits: number } {
    const results = new Array<CachedRows | undefined>(items.length);
    const pending = new Map<string, number[]>();
    const keyOf = this.cacheKeys(resolved);
    let hits = 0;
    items.forEach((item, i) => {
      const key = keyOf(item.contentHash);
      const hit = seen?.has(key) ? true : cache ? this.cacheLookup(cache, key, resolved) : undefined;
      if (hit) {
        if (hit !== true) results[i] = hit;
        hits++;
        return;
      }
      const same = pending.get(key);
      if (same) same.push(i);
      else pending.set(key, [i]);
    });
    const unique = [...pending.entries()].map(([key, indices]) => ({ key, indices, tokens: items[indices[0]!]!.tokens }));
    return { results, unique, hits };
  }

  private async runBatched(items: PreparedInput[], resolved: Resolved): Promise<CachedRows[]> {
    const cache = this.openCache();
    const { results, unique, hits } = this.planBatched(items, resolved, cache);
    this.counters.cacheHits += hits;
    this.counters.cacheMisses += unique.length;
    const batches = batchByBudget(unique, this.batchSize, this.tokensPerRequest);
    const settled = await Promise.allSettled(
      batches.map(async (batch) => {
        const batchItems = batch.map((entry) => items[entry.indices[0]!]!);
        const rows = await this.request(batchItems, resolved, (i) => {
          const entry = batch[i];
          return entry ? { index: entry.indices[0]!, description: items[entry.indices[0]!]!.description } : undefined;
        });
        batch.forEach((entry, j) => entry.indices.forEach((i) => (results[i] = rows[j])));
        // Each batch is committed as it lands, so an interrupted run resumes where it stopped.
        await this.writeCache(
          cache,
          batch.map((entry, j) => [entry.key, rows[j]!]),
        );
      }),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
    return results as CachedRows[];
  }

  private async runLate(items: PreparedInput[], resolved: Resolved): Promise<CachedRows[]> {
    const cache = this.openCache();
    const key = this.lateKey(items, resolved);
    const hit = cache ? this.lateHit(cache, key, resolved, items.length) : undefined;
    if (hit) {
      this.counters.cacheHits++;
      if (hit.kind === "bytes") return hit.rows.map((row) => ({ kind: "bytes", rows: [row] }));
      if (hit.kind === "numbers") return hit.rows.map((row) => ({ kind: "numbers", rows: [row] }));
      return hit.rows.map((row) => ({ kind: "float", rows: [row] }));
    }
    this.counters.cacheMisses++;
    const windows = this.windows(items);
    this.counters.lateChunkingWindows += windows.length;
    if (windows.length > 1) {
      this.counters.lateChunkingSplitDocuments++;
      const tokens = items.reduce((sum, item) => sum + item.tokens, 0);
      this.onWarning(`late chunking: a document of ${items.length} chunks (~${tokens} estimated tokens) exceeds the ${this.lateChunkingMaxTokens}-token window; it was embedded as ${windows.length} consecutive windows, so chunks only see context within their window.`);
    }
    let offset = 0;
    const starts = windows.map((w) => {
      const start = offset;
      offset += w.length;
      return start;
    });
    const perWindow = await Promise.all(
      windows.map((window, w) =>
        this.request(window, resolved, (i) => {
          const item = window[i];
          return item ? { index: starts[w]! + i, description: item.description } : undefined;
        }),
      ),
    );
    const results = perWindow.flat();
    const rows = results.map((r) => r.rows[0]!);
    await this.writeCache(cache, [[key, resolved.packed ? { kind: "bytes", rows: rows as Uint8Array[] } : { kind: "float", rows: rows as Float32Array[] }]]);
    return results;
  }

  /** Consecutive windows of one late-chunked document, each within the late-chunking budget. */
  private windows(items: PreparedInput[]): PreparedInput[][] {
    return batchByBudget(items, Number.POSITIVE_INFINITY, this.lateChunkingMaxTokens);
  }

  /**
   * A late-chunked document's cache key: the whole chunk sequence, the window size and, for a
   * document split into windows, where it was split (context changes every vector).
   */
  private lateKey(items: PreparedInput[], resolved: Resolved): string {
    const windows = this.windows(items);
    const splits = windows.length > 1 ? `:split:${windows.map((w) => w.length).join(",")}` : "";
    return this.cacheKeys(resolved, `window:${this.lateChunkingMaxTokens}${splits}`)(sha256(...items.map((item) => item.contentHash)));
  }

  private lateHit(cache: EmbeddingCache, key: string, resolved: Resolved, count: number): CachedRows | undefined {
    const hit = this.cacheLookup(cache, key, resolved);
    return hit && hit.rows.length === count ? hit : undefined;
  }

  private async writeCache(cache: EmbeddingCache | null, entries: Array<[string, StoredRows]>): Promise<void> {
    if (!cache) return;
    try {
      await cache.putMany(entries);
    } catch (error) {
      this.onWarning(`embedding cache write failed (${errorMessage(error)}); vectors are still returned`);
    }
  }

  private present(results: CachedRows[], resolved: Resolved): number[][] | number[][][] | Uint8Array[] | Uint8Array[][] {
    if (resolved.packed) {
      const bytes = results.map((r) => r.rows as Uint8Array[]);
      return resolved.kind === "multivector" ? bytes : bytes.map((rows) => rows[0]!);
    }
    const numbers = results.map((r) => (r.kind === "numbers" ? r.rows : (r.rows as Float32Array[]).map(toNumbers)));
    return resolved.kind === "multivector" ? numbers : numbers.map((rows) => rows[0]!);
  }
}

/** Float32Array -> number[]; an indexed loop is several times faster than Array.from here. */
function toNumbers(row: Float32Array): number[] {
  const out = new Array<number>(row.length);
  for (let i = 0; i < row.length; i++) out[i] = row[i]!;
  return out;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`JinaEmbeddings option ${name} must be a positive integer, got ${value}.`, `Pass a whole number >= 1 for ${name}.`);
  return value;
}

function truncateAndNormalise(row: Float32Array, dims: number): Float32Array {
  const out = row.slice(0, dims);
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

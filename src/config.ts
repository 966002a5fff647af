/**
 * The one configuration module. Every tunable number and switch lives here, parsed with zod from
 * (in increasing priority) defaults, the environment (including `.env`, loaded by the CLI), and
 * explicit overrides such as CLI flags. Each backing service is chosen by the presence of its URL
 * or key: absent means the embedded default.
 */
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { maskSecret } from "./util/redact.js";

/** Matryoshka sizes Jina Embeddings v4 accepts. */
export const JINA_DIMENSIONS = [128, 256, 512, 1024, 2048] as const;
export const JINA_DEFAULT_BASE_URL = "https://api.jina.ai/v1";
export const JINA_DEFAULT_MODEL = "jina-embeddings-v4";
/** Retries and per-attempt timeout of both Jina clients (embeddings, reranker) unless set. */
export const JINA_DEFAULT_MAX_RETRIES = 6;
export const JINA_DEFAULT_TIMEOUT_MS = 60_000;
export const MULTIVECTOR_SIZE = 128;

const emptyToUndefined = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.string().url().optional());
const boolFromEnv = (fallback: boolean) =>
  z.preprocess((value) => {
    const v = emptyToUndefined(value);
    if (typeof v === "string") {
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
    }
    return v;
  }, z.boolean().default(fallback));
const intFromEnv = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const numberFromEnv = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().min(min).max(max).default(fallback));

/** Raw settings by environment variable name. CLI flags are mapped onto these names. */
export const EnvSchema = z.object({
  FOLIO_HOME: z.preprocess(emptyToUndefined, z.string().default(".folio")),
  FOLIO_COLLECTION: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and - only").default("folio")),

  QDRANT_URL: optionalUrl,
  QDRANT_API_KEY: optionalString,
  /** Collection settings used when Folio creates a collection on a Qdrant server or cluster. */
  FOLIO_QDRANT_SHARDS: intFromEnv(1, 1, 1_000),
  FOLIO_QDRANT_REPLICAS: intFromEnv(1, 1, 100),
  FOLIO_QDRANT_WRITE_CONSISTENCY: intFromEnv(1, 1, 100),
  FOLIO_QDRANT_ON_DISK: boolFromEnv(false),
  FOLIO_QDRANT_QUANTIZATION: z.preprocess(emptyToUndefined, z.enum(["none", "int8"]).default("none")),
  /** An ingest that writes at least this many documents to a server defers HNSW indexing until it ends; 0: never. */
  FOLIO_QDRANT_BULK_DOCUMENTS: intFromEnv(50, 0, 1_000_000_000),
  FOLIO_QDRANT_READ_RETRIES: intFromEnv(3, 0, 10),
  /** Qdrant's indexing_threshold (KB of vectors per segment before HNSW indexing), restored after a bulk load. */
  FOLIO_QDRANT_INDEXING_THRESHOLD: intFromEnv(10_000, 0, 1_000_000_000),
  /** `folio store serve`: Qdrant's REST API over the embedded store. */
  FOLIO_STORE_HOST: z.preprocess(emptyToUndefined, z.string().default("127.0.0.1")),
  FOLIO_STORE_PORT: intFromEnv(6333, 0, 65_535),
  FOLIO_STORE_API_KEY: optionalString,
  FOLIO_STORE_MAX_BODY_MB: numberFromEnv(32, 0.01, 1_000),
  /** How long an ingest or reset waits for another process writing to the embedded store. */
  FOLIO_WRITER_WAIT_SECONDS: intFromEnv(600, 0, 86_400),
  /** From this many points, dense vectors are also kept as int8 (a quarter of the memory); 0: never. */
  FOLIO_INT8_FROM_POINTS: intFromEnv(100_000, 0, 1_000_000_000),

  JINA_API_KEY: optionalString,
  JINA_BASE_URL: optionalUrl,
  JINA_MODEL: z.preprocess(emptyToUndefined, z.string().default(JINA_DEFAULT_MODEL)),
  JINA_DIMENSIONS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .refine((d) => (JINA_DIMENSIONS as readonly number[]).includes(d), { message: `must be one of ${JINA_DIMENSIONS.join(", ")}` })
      .default(1024),
  ),
  /** Wire format of the embeddings endpoint: Jina's own body, or the OpenAI embeddings body (llama.cpp, vLLM). */
  JINA_FORMAT: z.preprocess(emptyToUndefined, z.enum(["jina", "openai"]).default("jina")),
  JINA_BATCH_SIZE: intFromEnv(32, 1, 2048),
  JINA_TOKENS_PER_REQUEST: intFromEnv(32_000, 256, 1_000_000),
  JINA_MAX_CONCURRENCY: intFromEnv(4, 1, 64),
  JINA_MAX_RETRIES: intFromEnv(JINA_DEFAULT_MAX_RETRIES, 0, 20),
  JINA_TIMEOUT_MS: intFromEnv(JINA_DEFAULT_TIMEOUT_MS, 1_000, 600_000),
  /** Token budget of one ingest: documents that would cross it are left for the next run (unset: no budget). */
  FOLIO_MAX_TOKENS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1e12).optional()),
  /** Price per million embedding tokens, for cost lines; no price is built in. */
  FOLIO_JINA_PRICE_PER_M_TOKENS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1e6).optional()),
  /** Store late-interaction multi-vectors for figures and pages (large; used to re-score). */
  FOLIO_MULTIVECTOR: boolFromEnv(false),
  /** Use Jina's jina-reranker-m0 as a second stage when a key is set. */
  FOLIO_RERANK: boolFromEnv(false),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.preprocess(emptyToUndefined, z.string().default("gpt-4o-mini")),
  /** Whether the chat model accepts image inputs; figures are then sent along with the text. */
  OPENAI_VISION: boolFromEnv(true),
  /** Per-call timeout and retries of the chat model (slow local models want a longer timeout). */
  OPENAI_TIMEOUT_MS: intFromEnv(120_000, 1_000, 3_600_000),
  OPENAI_MAX_RETRIES: intFromEnv(2, 0, 20),

  FOLIO_TOP_K: intFromEnv(6, 1, 100),
  FOLIO_SEARCH_MODE: z.preprocess(emptyToUndefined, z.enum(["auto", "dense", "sparse", "hybrid"]).default("auto")),
  /** BM25 term-frequency saturation (k1), length normalisation (b) and the average document length in terms. */
  FOLIO_BM25_K1: numberFromEnv(1.2, 0, 10),
  FOLIO_BM25_B: numberFromEnv(0.75, 0, 1),
  FOLIO_BM25_AVGDL: numberFromEnv(150, 1, 100_000),

  FOLIO_CHUNK_TOKENS: intFromEnv(300, 32, 8_000),
  FOLIO_CHUNK_OVERLAP_TOKENS: intFromEnv(40, 0, 2_000),
  /** Render page images: auto renders them only when an image-capable embeddings endpoint is set. */
  FOLIO_RENDER_PAGES: z.preprocess(emptyToUndefined, z.enum(["auto", "always", "never"]).default("auto")),
  FOLIO_PAGE_DPI: intFromEnv(96, 36, 600),
  FOLIO_FIGURE_DPI: intFromEnv(144, 36, 600),
  FOLIO_MAX_FILE_MB: numberFromEnv(200, 0.001, 10_000),
  FOLIO_MAX_PAGES: intFromEnv(2_000, 1, 100_000),
  FOLIO_MAX_IMAGE_MEGAPIXELS: numberFromEnv(20, 0.01, 400),
  /** Engine of the PDF text pass: PDFium (WASM, about 4x faster) or pdf.js, which reads what PDFium cannot. */
  FOLIO_PDF_TEXT_ENGINE: z.preprocess(emptyToUndefined, z.enum(["pdfium", "pdfjs"]).default("pdfium")),
  /** Engine of figure regions, crops and page images: PDFium (about 3x faster) or pdf.js, which renders what PDFium cannot. */
  FOLIO_PDF_RENDER_ENGINE: z.preprocess(emptyToUndefined, z.enum(["pdfium", "pdfjs"]).default("pdfium")),
  FOLIO_INGEST_CONCURRENCY: intFromEnv(2, 1, 32),
  /** Where arXiv ids from a manifest are downloaded from: <base>/<id>. */
  FOLIO_ARXIV_BASE_URL: z.preprocess(emptyToUndefined, z.string().url().default("https://arxiv.org/pdf/")),

  FOLIO_HOST: z.preprocess(emptyToUndefined, z.string().default("127.0.0.1")),
  FOLIO_PORT: intFromEnv(8787, 0, 65_535),
  FOLIO_API_TOKEN: optionalString,
  FOLIO_CORS_ORIGINS: optionalString,
  FOLIO_RATE_LIMIT_PER_MINUTE: intFromEnv(120, 1, 1_000_000),
  FOLIO_MAX_BODY_MB: numberFromEnv(12, 0.01, 1_000),
  FOLIO_MAX_UPLOAD_MB: numberFromEnv(100, 0.01, 10_000),
  FOLIO_MAX_UPLOAD_FILES: intFromEnv(50, 1, 10_000),
  FOLIO_SESSION_TTL_MINUTES: intFromEnv(60, 1, 10_080),
  FOLIO_SESSION_MAX_TURNS: intFromEnv(20, 1, 1_000),
  FOLIO_MAX_SESSIONS: intFromEnv(1_000, 1, 1_000_000),
  /** Comma-separated hosts the server may fetch image URLs from; empty means it never fetches. */
  FOLIO_FETCH_ALLOW_HOSTS: optionalString,
  /** Print stack traces of unexpected errors (read by the CLI before the rest of the configuration). */
  FOLIO_DEBUG: boolFromEnv(false),
});
export type RawEnv = z.input<typeof EnvSchema>;
type Settings = z.output<typeof EnvSchema>;

/** Every setting's default, from the schema: the one place defaults live (other modules import them from here). */
export const DEFAULTS: Readonly<Settings> = Object.freeze(EnvSchema.parse({}));

/**
 * What each setting does, as `folio config --markdown` and the README's table say it. A Record
 * over the schema's keys: a setting without a description does not compile.
 */
export const SETTING_DESCRIPTIONS: Readonly<Record<keyof Settings, string>> = {
  FOLIO_HOME: "data folder, relative to the working directory: embedded store, embedding cache, figure and page images",
  FOLIO_COLLECTION: "one collection per corpus",
  QDRANT_URL: "a Qdrant server or cluster instead of the embedded store",
  QDRANT_API_KEY: "API key of that Qdrant server (Qdrant Cloud)",
  FOLIO_QDRANT_SHARDS: "shards of a collection Folio creates on a Qdrant cluster (`shard_number`): about one per node, more to add nodes later",
  FOLIO_QDRANT_REPLICAS: "copies of each shard (`replication_factor`): 2 or more keeps search and ingest up when a node goes down; writes then use `ordering=strong`",
  FOLIO_QDRANT_WRITE_CONSISTENCY: "replicas that must confirm a write (`write_consistency_factor`), at most FOLIO_QDRANT_REPLICAS",
  FOLIO_QDRANT_ON_DISK: "keep vectors and payload on disk (memory-mapped) on the server: for libraries larger than its RAM",
  FOLIO_QDRANT_QUANTIZATION: "`int8`: scalar quantization of dense vectors in RAM on the server, results rescored from the originals (a quarter of the memory); `none`",
  FOLIO_QDRANT_BULK_DOCUMENTS: "an ingest writing at least this many documents to a server turns HNSW indexing off while it uploads, then back on (Qdrant's advice for bulk loads); `0`: never",
  FOLIO_QDRANT_READ_RETRIES: "retries of a read a server answers with 502, 503 or 504 or drops (a replica restarting), after 0.2 s, 0.4 s, 0.8 s ...",
  FOLIO_QDRANT_INDEXING_THRESHOLD: "Qdrant's `indexing_threshold` (KB) a bulk ingest restores when it ends (Qdrant's default, 10000)",
  FOLIO_STORE_HOST: "`folio store serve`: interface to listen on; beyond loopback it needs FOLIO_STORE_API_KEY",
  FOLIO_STORE_PORT: "`folio store serve`: port (Qdrant's 6333)",
  FOLIO_STORE_API_KEY: "`folio store serve`: API key clients must send (`api-key` header or bearer), as QDRANT_API_KEY on their side",
  FOLIO_STORE_MAX_BODY_MB: "`folio store serve`: largest request body (Qdrant's default is 32)",
  FOLIO_WRITER_WAIT_SECONDS: "how long an ingest or reset waits for another one writing to the embedded store",
  FOLIO_INT8_FROM_POINTS: "from this many points an ingest also keeps dense vectors as int8 (a quarter of the memory, top results rescored from the floats), and says so; `0`: never",
  JINA_API_KEY: "Jina Embeddings v4 through Jina's API (unset: BM25 only)",
  JINA_BASE_URL: "a self-hosted embeddings server (no key needed); default Jina's API, https://api.jina.ai/v1",
  JINA_MODEL: "embedding model name",
  JINA_DIMENSIONS: "Matryoshka size: 128, 256, 512, 1024 or 2048",
  JINA_FORMAT: "`openai` for servers that speak the OpenAI embeddings body (llama.cpp, vLLM): text only",
  JINA_BATCH_SIZE: "inputs per embeddings request",
  JINA_TOKENS_PER_REQUEST: "estimated tokens per embeddings request",
  JINA_MAX_CONCURRENCY: "embeddings requests in flight",
  JINA_MAX_RETRIES: "retries of a failed embeddings request (429, 5xx, timeouts)",
  JINA_TIMEOUT_MS: "per-attempt timeout of an embeddings request",
  FOLIO_MULTIVECTOR: "store late-interaction multi-vectors for figures and pages (re-scoring)",
  FOLIO_RERANK: "re-rank with `jina-reranker-m0` (needs a Jina key)",
  FOLIO_MAX_TOKENS: "token budget of one `folio ingest` (also `--max-tokens`): a document whose estimated tokens do not fit is left for the next run, and the run exits 1 saying what is left",
  FOLIO_JINA_PRICE_PER_M_TOKENS: "your price per million Jina tokens: adds a cost line to `ingest --estimate`, ingest and eval summaries (no price is built in)",
  OPENAI_API_KEY: "any OpenAI-compatible chat model (unset: extractive answers)",
  OPENAI_BASE_URL: "an OpenAI-compatible server (Ollama, vLLM, llama.cpp)",
  OPENAI_MODEL: "chat model name",
  OPENAI_VISION: "whether figures are sent to the model as images",
  OPENAI_TIMEOUT_MS: "per-call timeout of the chat model",
  OPENAI_MAX_RETRIES: "retries of the chat model",
  FOLIO_TOP_K: "sources per answer",
  FOLIO_SEARCH_MODE: "`dense`, `sparse` or `hybrid` (auto: hybrid with embeddings, else sparse)",
  FOLIO_BM25_K1: "BM25 term-frequency saturation",
  FOLIO_BM25_B: "BM25 length normalisation, 0 to 1",
  FOLIO_BM25_AVGDL: "BM25 average document length in terms",
  FOLIO_CHUNK_TOKENS: "chunk size in tokens",
  FOLIO_CHUNK_OVERLAP_TOKENS: "tokens shared by neighbouring chunks (at most half a chunk)",
  FOLIO_RENDER_PAGES: "page images: `auto` (when images can be embedded), `always` or `never`",
  FOLIO_PAGE_DPI: "resolution of page images",
  FOLIO_FIGURE_DPI: "resolution of figure crops",
  FOLIO_MAX_FILE_MB: "larger input files are skipped",
  FOLIO_MAX_PAGES: "PDFs with more pages are skipped",
  FOLIO_MAX_IMAGE_MEGAPIXELS: "larger images are skipped",
  FOLIO_PDF_TEXT_ENGINE: "PDF text pass: `pdfium` (WASM, about 4x faster) or `pdfjs`; pdf.js reads what PDFium cannot",
  FOLIO_PDF_RENDER_ENGINE: "figure regions, crops and page images: `pdfium` (about 3x faster) or `pdfjs`; pdf.js renders rotated pages and files PDFium cannot open",
  FOLIO_INGEST_CONCURRENCY: "files parsed at once",
  FOLIO_ARXIV_BASE_URL: "where `arxiv:<id>` sources and manifest arXiv ids are fetched from",
  FOLIO_HOST: "address `folio serve` listens on",
  FOLIO_PORT: "port of `folio serve`",
  FOLIO_API_TOKEN: "bearer token the API requires (unset: none)",
  FOLIO_CORS_ORIGINS: "comma-separated allowed origins (unset: CORS off)",
  FOLIO_RATE_LIMIT_PER_MINUTE: "questions, searches, uploads and deletes per client per minute (429 past it; reads are not counted)",
  FOLIO_MAX_BODY_MB: "largest API request body (413 past it)",
  FOLIO_MAX_UPLOAD_MB: "largest PDF the web page and POST /documents take (413 past it)",
  FOLIO_MAX_UPLOAD_FILES: "most PDFs in one upload",
  FOLIO_SESSION_TTL_MINUTES: "idle time after which a chat session is forgotten",
  FOLIO_SESSION_MAX_TURNS: "turns kept per chat session",
  FOLIO_MAX_SESSIONS: "chat sessions kept at once",
  FOLIO_FETCH_ALLOW_HOSTS: "hosts the server may fetch image URLs from (unset: never fetch)",
  FOLIO_DEBUG: "print stack traces of unexpected errors",
};

function defaultText(name: keyof Settings): string {
  const value = DEFAULTS[name];
  if (value === undefined) return "unset";
  if (name === "FOLIO_HOME") return "`.folio`";
  return `\`${String(value)}\``;
}

/** The settings as a Markdown table (README, `folio config --markdown`). */
export function settingsMarkdown(): string {
  const rows = (Object.keys(SETTING_DESCRIPTIONS) as Array<keyof Settings>).map((name) => `| \`${name}\` | ${defaultText(name)} | ${SETTING_DESCRIPTIONS[name]} |`);
  return ["| variable | default | effect |", "|---|---|---|", ...rows].join("\n");
}

/** How Folio creates and writes collections on a Qdrant server or cluster. */
export interface QdrantClusterSettings {
  shards: number;
  replicas: number;
  writeConsistency: number;
  onDisk: boolean;
  quantization: "none" | "int8";
  /** Documents from which an ingest defers HNSW indexing (0: never). */
  bulkDocuments: number;
  /** Retries of a read on a transient failure. */
  readRetries: number;
  /** indexing_threshold restored after a bulk load. */
  indexingThreshold: number;
}

export interface FolioConfig {
  /** Absolute data folder: embedded store, caches, figure and page images. */
  home: string;
  collection: string;
  /** `cluster` applies to collections Folio creates on a server; the embedded store keeps it only to show it. */
  qdrant: { mode: "embedded"; path: string; writerWaitMs: number; cluster: QdrantClusterSettings } | { mode: "server"; url: string; apiKey?: string; cluster: QdrantClusterSettings };
  /** `folio store serve`. */
  storeServer: { host: string; port: number; apiKey?: string; maxBodyBytes: number };
  /** Storage choices that hold for a server and the embedded store alike. */
  store: { int8FromPoints: number };
  embeddings:
    | { mode: "none" }
    | {
        mode: "jina";
        /** "api": Jina's hosted API (key required); "self-hosted": a base URL of our own, key optional. */
        endpoint: "api" | "self-hosted";
        apiKey?: string;
        baseUrl: string;
        model: string;
        dimensions: number;
        format: "jina" | "openai";
        batchSize: number;
        tokensPerRequest: number;
        maxConcurrency: number;
        maxRetries: number;
        timeoutMs: number;
        cacheDir: string;
        multivector: boolean;
        rerank: boolean;
      };
  llm: { mode: "extractive" } | { mode: "openai"; apiKey?: string; baseUrl?: string; model: string; vision: boolean; timeoutMs: number; maxRetries: number };
  search: { topK: number; mode: "auto" | "dense" | "sparse" | "hybrid" };
  /** Token budget and price (optional in the type so hand-built configs keep working). */
  tokens?: { maxTokens?: number; pricePerMillionTokens?: number };
  /** BM25 document-side parameters (IDF is applied by Qdrant). Optional so hand-built configs keep working. */
  bm25?: { k1: number; b: number; avgdl: number };
  ingest: {
    chunkTokens: number;
    chunkOverlapTokens: number;
    renderPages: "auto" | "always" | "never";
    pageDpi: number;
    figureDpi: number;
    maxFileBytes: number;
    maxPages: number;
    maxImagePixels: number;
    /** Optional in the type so hand-built configs still compile (default pdfium). */
    pdfTextEngine?: "pdfium" | "pdfjs";
    /** Optional in the type so hand-built configs still compile (default pdfium). */
    pdfRenderEngine?: "pdfium" | "pdfjs";
    concurrency: number;
    imagesDir: string;
    /** Download cache for manifest URLs and arXiv ids (optional in the type so hand-built configs still compile). */
    downloadsDir?: string;
    arxivBaseUrl?: string;
  };
  server: {
    host: string;
    port: number;
    apiToken?: string;
    corsOrigins: string[];
    rateLimitPerMinute: number;
    maxBodyBytes: number;
    /** Uploaded PDFs (POST /documents): where they are kept, the size and count limits. */
    uploadsDir: string;
    maxUploadBytes: number;
    maxUploadFiles: number;
    sessionTtlMs: number;
    sessionMaxTurns: number;
    maxSessions: number;
    fetchAllowHosts: string[];
  };
  /** Every secret in force, for redaction of logs and errors. */
  secrets: string[];
}

const MB = 1024 * 1024;

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Builds the effective configuration. `overrides` (CLI flags, tests) win over `env`.
 * Throws ConfigError naming the variable and the accepted values.
 */
export function loadConfig(overrides: Partial<Record<keyof RawEnv, string | number | boolean | undefined>> = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FolioConfig {
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const fromOverride = (overrides as Record<string, unknown>)[key];
    merged[key] = fromOverride !== undefined ? fromOverride : env[key];
  }
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join("; ")}`, "Fix the variable in your environment or .env file; `folio config` prints the effective settings.");
  }
  const e = parsed.data;
  const home = path.resolve(cwd, e.FOLIO_HOME);

  const jinaConfigured = Boolean(e.JINA_API_KEY || e.JINA_BASE_URL);
  const embeddings: FolioConfig["embeddings"] = jinaConfigured
    ? {
        mode: "jina",
        endpoint: e.JINA_BASE_URL && e.JINA_BASE_URL.replace(/\/+$/, "") !== JINA_DEFAULT_BASE_URL ? "self-hosted" : "api",
        apiKey: e.JINA_API_KEY,
        baseUrl: (e.JINA_BASE_URL ?? JINA_DEFAULT_BASE_URL).replace(/\/+$/, ""),
        model: e.JINA_MODEL,
        dimensions: e.JINA_DIMENSIONS,
        format: e.JINA_FORMAT,
        batchSize: e.JINA_BATCH_SIZE,
        tokensPerRequest: e.JINA_TOKENS_PER_REQUEST,
        maxConcurrency: e.JINA_MAX_CONCURRENCY,
        maxRetries: e.JINA_MAX_RETRIES,
        timeoutMs: e.JINA_TIMEOUT_MS,
        cacheDir: path.join(home, "cache", "embeddings"),
        multivector: e.FOLIO_MULTIVECTOR,
        rerank: e.FOLIO_RERANK,
      }
    : { mode: "none" };
  if (embeddings.mode === "jina" && embeddings.endpoint === "api" && !embeddings.apiKey) {
    throw new ConfigError("JINA_BASE_URL points at Jina's API but JINA_API_KEY is not set.", "Set JINA_API_KEY (https://jina.ai/embeddings), or point JINA_BASE_URL at your self-hosted server.");
  }

  const llm: FolioConfig["llm"] =
    e.OPENAI_API_KEY || e.OPENAI_BASE_URL
      ? { mode: "openai", apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, vision: e.OPENAI_VISION, timeoutMs: e.OPENAI_TIMEOUT_MS, maxRetries: e.OPENAI_MAX_RETRIES }
      : { mode: "extractive" };

  return {
    home,
    collection: e.FOLIO_COLLECTION,
    qdrant: e.QDRANT_URL ? { mode: "server", url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY, cluster: clusterSettings(e) } : { mode: "embedded", path: path.join(home, "qdrant"), writerWaitMs: e.FOLIO_WRITER_WAIT_SECONDS * 1000, cluster: clusterSettings(e) },
    storeServer: { host: e.FOLIO_STORE_HOST, port: e.FOLIO_STORE_PORT, apiKey: e.FOLIO_STORE_API_KEY, maxBodyBytes: Math.round(e.FOLIO_STORE_MAX_BODY_MB * 1024 * 1024) },
    store: { int8FromPoints: e.FOLIO_INT8_FROM_POINTS },
    embeddings,
    llm,
    search: { topK: e.FOLIO_TOP_K, mode: e.FOLIO_SEARCH_MODE },
    bm25: { k1: e.FOLIO_BM25_K1, b: e.FOLIO_BM25_B, avgdl: e.FOLIO_BM25_AVGDL },
    tokens: { ...(e.FOLIO_MAX_TOKENS !== undefined ? { maxTokens: e.FOLIO_MAX_TOKENS } : {}), ...(e.FOLIO_JINA_PRICE_PER_M_TOKENS !== undefined ? { pricePerMillionTokens: e.FOLIO_JINA_PRICE_PER_M_TOKENS } : {}) },
    ingest: {
      chunkTokens: e.FOLIO_CHUNK_TOKENS,
      chunkOverlapTokens: Math.min(e.FOLIO_CHUNK_OVERLAP_TOKENS, Math.floor(e.FOLIO_CHUNK_TOKENS / 2)),
      renderPages: e.FOLIO_RENDER_PAGES,
      pageDpi: e.FOLIO_PAGE_DPI,
      figureDpi: e.FOLIO_FIGURE_DPI,
      maxFileBytes: Math.round(e.FOLIO_MAX_FILE_MB * MB),
      maxPages: e.FOLIO_MAX_PAGES,
      maxImagePixels: Math.round(e.FOLIO_MAX_IMAGE_MEGAPIXELS * 1_000_000),
      pdfTextEngine: e.FOLIO_PDF_TEXT_ENGINE,
      pdfRenderEngine: e.FOLIO_PDF_RENDER_ENGINE,
      concurrency: e.FOLIO_INGEST_CONCURRENCY,
      imagesDir: path.join(home, "images"),
      downloadsDir: path.join(home, "downloads"),
      arxivBaseUrl: e.FOLIO_ARXIV_BASE_URL,
    },
    server: {
      host: e.FOLIO_HOST,
      port: e.FOLIO_PORT,
      apiToken: e.FOLIO_API_TOKEN,
      corsOrigins: list(e.FOLIO_CORS_ORIGINS),
      rateLimitPerMinute: e.FOLIO_RATE_LIMIT_PER_MINUTE,
      maxBodyBytes: Math.round(e.FOLIO_MAX_BODY_MB * MB),
      uploadsDir: path.join(home, "uploads"),
      maxUploadBytes: Math.round(e.FOLIO_MAX_UPLOAD_MB * MB),
      maxUploadFiles: e.FOLIO_MAX_UPLOAD_FILES,
      sessionTtlMs: e.FOLIO_SESSION_TTL_MINUTES * 60_000,
      sessionMaxTurns: e.FOLIO_SESSION_MAX_TURNS,
      maxSessions: e.FOLIO_MAX_SESSIONS,
      fetchAllowHosts: list(e.FOLIO_FETCH_ALLOW_HOSTS),
    },
    secrets: [e.QDRANT_API_KEY, e.FOLIO_STORE_API_KEY, e.JINA_API_KEY, e.OPENAI_API_KEY, e.FOLIO_API_TOKEN].filter((s): s is string => Boolean(s)),
  };
}

/** Whether image inputs can be embedded (Jina's own wire format; the OpenAI format is text only). */
export function imageSearchAvailable(config: FolioConfig): boolean {
  return config.embeddings.mode === "jina" && config.embeddings.format === "jina";
}

function clusterSettings(e: Settings): QdrantClusterSettings {
  if (e.FOLIO_QDRANT_WRITE_CONSISTENCY > e.FOLIO_QDRANT_REPLICAS) {
    throw new ConfigError(`FOLIO_QDRANT_WRITE_CONSISTENCY (${e.FOLIO_QDRANT_WRITE_CONSISTENCY}) is more than FOLIO_QDRANT_REPLICAS (${e.FOLIO_QDRANT_REPLICAS}): no write could ever be confirmed.`, "Set FOLIO_QDRANT_WRITE_CONSISTENCY to at most the number of replicas.");
  }
  return { shards: e.FOLIO_QDRANT_SHARDS, replicas: e.FOLIO_QDRANT_REPLICAS, writeConsistency: e.FOLIO_QDRANT_WRITE_CONSISTENCY, onDisk: e.FOLIO_QDRANT_ON_DISK, quantization: e.FOLIO_QDRANT_QUANTIZATION, bulkDocuments: e.FOLIO_QDRANT_BULK_DOCUMENTS, readRetries: e.FOLIO_QDRANT_READ_RETRIES, indexingThreshold: e.FOLIO_QDRANT_INDEXING_THRESHOLD };
}

/** The effective configuration for `folio config`: secrets masked, each part says whether it runs embedded. */
export function describeConfig(config: FolioConfig): Record<string, unknown> {
  const emb = config.embeddings;
  return {
    home: config.home,
    collection: config.collection,
    store:
      config.qdrant.mode === "embedded"
        ? { mode: "embedded", path: config.qdrant.path, note: "embedded Qdrant-compatible local store; set QDRANT_URL for a Qdrant server", cluster: { ...config.qdrant.cluster, note: "used when QDRANT_URL is set and Folio creates a collection there" } }
        : { mode: "server", url: config.qdrant.url, apiKey: maskSecret(config.qdrant.apiKey), cluster: config.qdrant.cluster },
    storeServer: { ...config.storeServer, apiKey: maskSecret(config.storeServer.apiKey) },
    embeddings:
      emb.mode === "none"
        ? { mode: "none", note: "local BM25 only; set JINA_API_KEY or JINA_BASE_URL for Jina Embeddings v4" }
        : { mode: "jina", endpoint: emb.endpoint, baseUrl: emb.baseUrl, apiKey: maskSecret(emb.apiKey), model: emb.model, dimensions: emb.dimensions, format: emb.format, multivector: emb.multivector, rerank: emb.rerank },
    llm:
      config.llm.mode === "extractive"
        ? { mode: "extractive", note: "quotes and cites the best sentences; set OPENAI_API_KEY or OPENAI_BASE_URL for generated answers" }
        : { mode: "openai", baseUrl: config.llm.baseUrl ?? "https://api.openai.com/v1", apiKey: maskSecret(config.llm.apiKey), model: config.llm.model, vision: config.llm.vision, timeoutMs: config.llm.timeoutMs, maxRetries: config.llm.maxRetries },
    search: config.search,
    bm25: config.bm25,
    ingest: { ...config.ingest },
    server: { ...config.server, apiToken: maskSecret(config.server.apiToken) },
  };
}

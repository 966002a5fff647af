/**
 * The HTTP layer shared by the embeddings client and the reranker: global fetch with an
 * AbortSignal timeout per attempt, a concurrency limit (LangChain's AsyncCaller), retries with
 * exponential backoff and jitter on 429 (honouring Retry-After), 5xx, timeouts, connection resets
 * and malformed bodies, and typed errors for everything that must not be retried.
 * The API key never reaches an error message: every text is passed through `redact`.
 */
import { errorMessage } from "../errors.js";
import { AsyncCaller } from "@langchain/core/utils/async_caller";
import type { z } from "zod";
import { JINA_DEFAULT_BASE_URL, JINA_DEFAULT_MAX_RETRIES, JINA_DEFAULT_TIMEOUT_MS } from "../config.js";
import { abortError } from "../util/abort.js";
import { maskSecret, redact } from "../util/redact.js";
import { EmbeddingsAuthError, EmbeddingsBalanceError, EmbeddingsError, EmbeddingsInputError, EmbeddingsResponseError, EmbeddingsUnavailableError } from "./errors.js";

export interface HttpClientOptions {
  /** Default: env JINA_BASE_URL, else Jina's hosted API; a trailing slash is dropped. */
  baseUrl?: string;
  /** Default: env JINA_API_KEY. */
  apiKey?: string;
  /** Retries after the first attempt, for retryable failures (429, 5xx, timeouts, resets). Default: JINA_DEFAULT_MAX_RETRIES. */
  maxRetries?: number;
  /** Per-attempt timeout. Default: JINA_DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  maxConcurrency: number;
  /** First backoff delay; doubles each retry, with jitter. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest Retry-After we honour; longer values are capped. */
  maxRetryAfterMs?: number;
  /** Extra attempts when a 200 carries a body we cannot parse. */
  malformedRetries?: number;
  /** Other secrets to keep out of errors (the API key is always included). */
  secrets?: string[];
  /** Reuse an AsyncCaller (e.g. the one LangChain's Embeddings base class built). */
  caller?: AsyncCaller;
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  attempt: number;
  reason: string;
  delayMs: number;
}

export interface PostContext {
  /** Maps an input index named by the server (within this request) to a description for the hint. */
  describeInput?: (index: number) => { index: number; description: string } | undefined;
  /** What the request was, for error messages ("embeddings", "rerank"). */
  what?: string;
  /** Cancels the call (waiting for a slot, in flight or backing off); never retried. */
  signal?: AbortSignal;
}

export interface PostResult<T> {
  data: T;
  /** Attempts beyond the first. */
  retries: number;
  attempts: number;
  headers: Headers;
}

const NETWORK_RETRY_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CLOSED", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);

const callAborted = (signal: AbortSignal): Error => abortError(signal, "The embeddings call was aborted.");

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(callAborted(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(callAborted(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Parses Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value == null || value.trim() === "") return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The server's own message, from {"detail": ...}, {"error": {"message"}} or plain text; plus a named input index. */
function serverMessage(body: unknown, text: string, status: number): { message: string; inputIndex?: number } {
  let message: string | undefined;
  let inputIndex: number | undefined;
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const detail = record.detail;
    if (typeof detail === "string") message = detail;
    else if (Array.isArray(detail)) {
      message = detail
        .map((item) => {
          if (item && typeof item === "object") {
            const { loc, msg } = item as { loc?: unknown; msg?: unknown };
            if (Array.isArray(loc)) {
              const i = loc.findIndex((part) => part === "input");
              if (i >= 0 && typeof loc[i + 1] === "number" && inputIndex === undefined) inputIndex = loc[i + 1] as number;
            }
            const where = Array.isArray(loc) ? loc.filter((p) => p !== "body").join(".") : "";
            return `${where ? `${where}: ` : ""}${typeof msg === "string" ? msg : JSON.stringify(item)}`;
          }
          return String(item);
        })
        .join("; ");
    } else if (detail !== undefined) message = JSON.stringify(detail);
    const error = record.error;
    if (message === undefined && error && typeof error === "object") {
      const e = error as Record<string, unknown>;
      message = typeof e.message === "string" ? e.message : JSON.stringify(e);
    } else if (message === undefined && typeof error === "string") message = error;
    if (message === undefined && typeof record.message === "string") message = record.message;
  }
  if (message === undefined) message = text.trim().slice(0, 300) || `HTTP ${status}`;
  if (inputIndex === undefined) {
    const match = /input\s*\[\s*(\d+)\s*\]|input\.(\d+)/i.exec(message);
    if (match) inputIndex = Number(match[1] ?? match[2]);
  }
  return { message, inputIndex };
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs?: number,
    readonly malformed = false,
  ) {
    super(reason);
  }
}

export class JinaHttpClient {
  readonly baseUrl: string;
  readonly caller: AsyncCaller;
  private readonly apiKey: string | undefined;
  private readonly options: Required<Pick<HttpClientOptions, "maxRetries" | "timeoutMs" | "backoffBaseMs" | "backoffMaxMs" | "maxRetryAfterMs" | "malformedRetries">>;
  private readonly secrets: string[];
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;
  /** HTTP attempts sent (retries included) and retries, whatever the outcome. */
  readonly stats = { requests: 0, retries: 0 };

  constructor(options: HttpClientOptions) {
    this.apiKey = options.apiKey ?? (process.env.JINA_API_KEY || undefined);
    this.baseUrl = (options.baseUrl ?? (process.env.JINA_BASE_URL || JINA_DEFAULT_BASE_URL)).replace(/\/+$/, "");
    this.options = {
      maxRetries: options.maxRetries ?? JINA_DEFAULT_MAX_RETRIES,
      timeoutMs: options.timeoutMs ?? JINA_DEFAULT_TIMEOUT_MS,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 30_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000,
      malformedRetries: options.malformedRetries ?? 2,
    };
    this.secrets = [this.apiKey, ...(options.secrets ?? [])].filter((s): s is string => Boolean(s));
    this.onRetry = options.onRetry;
    // Our own retry loop runs inside one queue slot, so the AsyncCaller only bounds concurrency.
    this.caller = options.caller ?? new AsyncCaller({ maxConcurrency: options.maxConcurrency, maxRetries: 0 });
  }

  /** Headers of every request; `maskedKey` replaces the key (for printing). */
  headers(maskedKey?: string): Record<string, string> {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    if (this.apiKey) headers.Authorization = `Bearer ${maskedKey ?? this.apiKey}`;
    return headers;
  }

  /** Headers of every request with the key masked (for printing). */
  maskedHeaders(): Record<string, string> {
    return this.headers(maskSecret(this.apiKey));
  }

  /** Jina's hosted API needs a key (a self-hosted server may not): raises EmbeddingsAuthError when it is missing. */
  requireHostedKey(message: string, hint: string): void {
    if (!this.apiKey && this.baseUrl === JINA_DEFAULT_BASE_URL) throw new EmbeddingsAuthError(message, hint);
  }

  url(path: string): string {
    return `${this.baseUrl}/${path.replace(/^\/+/, "")}`;
  }

  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** POSTs JSON, validates the 200 body with `schema`, retries what can be retried; one concurrency slot per call. */
  post<T>(path: string, body: unknown, schema: z.ZodType<T>, context: PostContext = {}): Promise<PostResult<T>> {
    if (context.signal?.aborted) return Promise.reject(callAborted(context.signal));
    if (context.signal) return this.caller.callWithOptions({ signal: context.signal }, () => this.attemptLoop(path, body, schema, context));
    return this.caller.call(() => this.attemptLoop(path, body, schema, context));
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** attempt);
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private async attemptLoop<T>(path: string, body: unknown, schema: z.ZodType<T>, context: PostContext): Promise<PostResult<T>> {
    const url = this.url(path);
    const payload = JSON.stringify(body);
    const what = context.what ?? "embeddings";
    let retries = 0;
    let malformed = 0;
    let lastReason = "";
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.attempt(url, payload, schema, context);
        return { ...result, retries, attempts: attempt + 1 };
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        lastReason = error.reason;
        if (error.malformed) {
          malformed++;
          if (malformed > this.options.malformedRetries) {
            throw new EmbeddingsResponseError(this.redact(`The ${what} server at ${this.baseUrl} returned an unusable body ${malformed} times: ${error.reason}`));
          }
        } else if (retries >= this.options.maxRetries) {
          throw new EmbeddingsUnavailableError(
            this.redact(`The ${what} request to ${url} failed after ${attempt + 1} attempt(s): ${lastReason}`),
            "The service is rate limiting or unavailable. Retry later, lower JINA_MAX_CONCURRENCY or JINA_BATCH_SIZE, or raise JINA_MAX_RETRIES / JINA_TIMEOUT_MS.",
          );
        }
        retries++;
        this.stats.retries++;
        const delayMs = error.retryAfterMs !== undefined ? Math.min(this.options.maxRetryAfterMs, error.retryAfterMs) + Math.round(Math.random() * Math.min(250, this.options.backoffBaseMs)) : this.backoff(attempt);
        this.onRetry?.({ attempt: attempt + 1, reason: this.redact(error.reason), delayMs });
        await sleep(delayMs, context.signal);
      }
    }
  }

  private async attempt<T>(url: string, payload: string, schema: z.ZodType<T>, context: PostContext): Promise<{ data: T; headers: Headers }> {
    let response: Response;
    let text: string;
    this.stats.requests++;
    try {
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      response = await fetch(url, { method: "POST", headers: this.headers(), body: payload, signal: context.signal ? AbortSignal.any([timeout, context.signal]) : timeout });
      text = await response.text();
    } catch (error) {
      if (context.signal?.aborted) throw callAborted(context.signal);
      const name = (error as { name?: string }).name;
      if (name === "TimeoutError" || name === "AbortError") throw new RetryableFailure(`timed out after ${this.options.timeoutMs} ms`);
      const code = networkCode(error);
      if (code && NETWORK_RETRY_CODES.has(code)) throw new RetryableFailure(`connection error ${code}`);
      if (code === "ENOTFOUND") {
        throw new EmbeddingsUnavailableError(this.redact(`Cannot resolve the host of ${this.baseUrl} (${code}).`), "Check JINA_BASE_URL (it should end in /v1) and your network.", { cause: error });
      }
      // undici reports a dropped socket as a bare "fetch failed" / "terminated": retry those too.
      const message = errorMessage(error);
      if (/fetch failed|terminated|socket|other side closed/i.test(message)) throw new RetryableFailure(`connection error: ${message}`);
      throw new EmbeddingsError(this.redact(`Request to ${url} failed: ${message}`), "Check JINA_BASE_URL and your network.", { cause: error });
    }

    let json: unknown;
    let jsonOk = true;
    try {
      json = text.length ? JSON.parse(text) : undefined;
    } catch {
      jsonOk = false;
    }

    if (response.ok) {
      if (!jsonOk) throw new RetryableFailure(`HTTP ${response.status} body is not JSON (${text.length} bytes: ${JSON.stringify(text.slice(0, 60))})`, undefined, true);
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new RetryableFailure(`HTTP ${response.status} body has the wrong shape (${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"})`, undefined, true);
      }
      return { data: parsed.data, headers: response.headers };
    }

    const status = response.status;
    const { message: rawMessage, inputIndex } = serverMessage(json, text, status);
    const message = this.redact(rawMessage);
    if (status === 429) throw new RetryableFailure(`HTTP 429: ${message}`, parseRetryAfter(response.headers.get("retry-after")));
    if (status >= 500 || status === 408) throw new RetryableFailure(`HTTP ${status}: ${message}`);
    throw this.typedError(status, message, inputIndex, context, url);
  }

  private typedError(status: number, message: string, inputIndex: number | undefined, context: PostContext, url: string): EmbeddingsError {
    const what = context.what ?? "embeddings";
    if (status === 401) {
      return new EmbeddingsAuthError(`The ${what} server rejected the API key (401): ${message}`, "Set JINA_API_KEY to a valid key (get one at https://jina.ai/embeddings), or unset it for a self-hosted server that needs none.", { status });
    }
    if (status === 402 || (status === 403 && /balance|limit|quota|credit|AUTHZ/i.test(message))) {
      return new EmbeddingsBalanceError(`The ${what} server refused the request (${status}): ${message}`, "Top up your token balance at https://jina.ai (API key dashboard) or use another key; resource limits reset over time.", { status });
    }
    if (status === 403) {
      return new EmbeddingsAuthError(`The ${what} server denied access (403): ${message}`, "Check that JINA_API_KEY is allowed to use this model and endpoint.", { status });
    }
    if (status === 400 || status === 422 || status === 413) {
      const described = inputIndex !== undefined ? context.describeInput?.(inputIndex) : undefined;
      let hint: string;
      if (/MODEL_NOT_FOUND|model/i.test(message) && described === undefined) hint = "Check JINA_MODEL (jina-embeddings-v4) or the reranker model name.";
      else if (described) hint = `Input #${described.index} (${described.description}) was rejected: fix or drop it and retry.`;
      else if (status === 413) hint = "The request is too large: lower JINA_BATCH_SIZE or JINA_TOKENS_PER_REQUEST.";
      else hint = "The request was rejected as invalid; check the inputs, JINA_DIMENSIONS and the options passed.";
      return new EmbeddingsInputError(`The ${what} server rejected the request (${status}): ${message}`, hint, { status, inputIndex: described?.index ?? inputIndex });
    }
    if (status === 404) return new EmbeddingsError(`The ${what} endpoint was not found (404) at ${url}: ${message}`, "Check JINA_BASE_URL (it should end in /v1) and JINA_FORMAT.", { status });
    return new EmbeddingsError(`The ${what} server answered ${status}: ${message}`, "Check JINA_BASE_URL and the server's logs.", { status });
  }
}

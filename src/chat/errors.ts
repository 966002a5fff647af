/** Typed errors of the answering chain. */
import { FolioError } from "../errors.js";
import { abortError } from "../util/abort.js";
import { redact } from "../util/redact.js";

/** The chat model (an OpenAI-compatible server) failed: unreachable, refused the key, rate-limited, or broke the wire format. */
export class LlmError extends FolioError {
  readonly status?: number;
  constructor(message: string, hint: string, options: { cause?: unknown; status?: number } = {}) {
    super("LLM", message, hint, { cause: options.cause });
    this.status = options.status;
  }
}

/** The error a cancelled answer ends with: the signal's own reason when it is an Error. */
export function answerAborted(signal: AbortSignal): Error {
  return abortError(signal, "The answer was cancelled.", { plain: true });
}

/** True for the error a cancelled answer ends with (AbortSignal, Ctrl-C, a closed connection). */
export function isAbortError(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (!(error instanceof Error)) return false;
  return error.name === "AbortError" || /abort|cancel/i.test(error.name) || /\b(aborted|cancelled|canceled)\b/i.test(error.message);
}

/** Maps an error from ChatOpenAI / the OpenAI SDK to an LlmError whose hint says what to do; other errors pass through. */
export function toLlmError(error: unknown, context: { baseUrl?: string; model: string; secrets: string[] }): unknown {
  if (error instanceof FolioError) return error;
  if (!(error instanceof Error)) return error;
  const status = (error as { status?: unknown }).status;
  const where = context.baseUrl ?? "https://api.openai.com/v1";
  const message = redact(error.message, context.secrets);
  if (typeof status === "number") {
    if (status === 401 || status === 403) return new LlmError(`The chat model server at ${where} refused the request (${status}): ${message}`, "Check OPENAI_API_KEY (and OPENAI_BASE_URL).", { cause: error, status });
    if (status === 404) return new LlmError(`The chat model "${context.model}" was not found at ${where} (404): ${message}`, "Check OPENAI_MODEL and OPENAI_BASE_URL (it usually ends with /v1).", { cause: error, status });
    if (status === 429) return new LlmError(`The chat model server at ${where} is rate-limiting or out of quota (429): ${message}`, "Wait a moment and ask again, or check your plan's limits.", { cause: error, status });
    if (status === 400) return new LlmError(`The chat model server at ${where} rejected the request (400): ${message}`, "If the model cannot take images, set OPENAI_VISION=false.", { cause: error, status });
    return new LlmError(`The chat model server at ${where} failed (${status}): ${message}`, "Try again; if it persists, check the server's logs.", { cause: error, status });
  }
  if (/connect|ECONNREFUSED|ENOTFOUND|fetch failed|network|socket|timed? ?out/i.test(`${error.name} ${error.message}`)) {
    return new LlmError(`Cannot reach the chat model server at ${where}: ${message}`, "Check OPENAI_BASE_URL and that the server is running; unset OPENAI_API_KEY and OPENAI_BASE_URL to use the extractive answerer.", { cause: error });
  }
  return error;
}

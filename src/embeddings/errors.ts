/**
 * Typed errors of the embeddings client. Each one carries the server's message (redacted) and a
 * hint that says what to do. `status` is the HTTP status when there was one.
 */
import { FolioError, type FolioErrorCode } from "../errors.js";

interface EmbeddingsErrorOptions {
  status?: number;
  cause?: unknown;
}

export class EmbeddingsError extends FolioError {
  readonly status: number | undefined;

  constructor(message: string, hint: string, options: EmbeddingsErrorOptions = {}, code: FolioErrorCode = "EMBEDDINGS") {
    super(code, message, hint, { cause: options.cause });
    this.status = options.status;
  }
}

/** 401: missing, malformed or invalid key. */
export class EmbeddingsAuthError extends EmbeddingsError {
  constructor(message: string, hint: string, options: EmbeddingsErrorOptions = {}) {
    super(message, hint, options, "EMBEDDINGS_AUTH");
  }
}

/** 402 / 403: balance exhausted or resource limit reached. */
export class EmbeddingsBalanceError extends EmbeddingsError {
  constructor(message: string, hint: string, options: EmbeddingsErrorOptions = {}) {
    super(message, hint, options, "EMBEDDINGS_BALANCE");
  }
}

/** 400 / 422 / 413: the request (model, an input, a field) was rejected. */
export class EmbeddingsInputError extends EmbeddingsError {
  /** Index of the offending input in the caller's list, when the server named one. */
  readonly inputIndex: number | undefined;

  constructor(message: string, hint: string, options: EmbeddingsErrorOptions & { inputIndex?: number } = {}) {
    super(message, hint, options, "EMBEDDINGS_INPUT");
    this.inputIndex = options.inputIndex;
  }
}

/** Retries exhausted on 429 / 5xx / timeouts / connection resets. */
export class EmbeddingsUnavailableError extends EmbeddingsError {
  constructor(message: string, hint: string, options: EmbeddingsErrorOptions = {}) {
    super(message, hint, options, "EMBEDDINGS_UNAVAILABLE");
  }
}

/** The server answered 200 with a body we cannot use (bad JSON, wrong shape, wrong dimensions). */
export class EmbeddingsResponseError extends EmbeddingsError {
  constructor(message: string, hint = "The embeddings server returned an unexpected body; check JINA_BASE_URL and JINA_FORMAT (jina or openai).", options: EmbeddingsErrorOptions = {}) {
    super(message, hint, options, "EMBEDDINGS");
  }
}

/** A vector or matrix of the wrong size (dimensions, multi-vector row width, missing rows). */
export class EmbeddingsShapeError extends EmbeddingsResponseError {
  constructor(message: string, hint = "The server returned vectors of an unexpected size; check JINA_DIMENSIONS, JINA_MODEL and JINA_FORMAT.") {
    super(message, hint);
  }
}

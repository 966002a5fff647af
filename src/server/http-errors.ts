/**
 * One error shape for every HTTP answer: `{error: {code, message, hint}}`, with secrets redacted and
 * never a stack trace. FolioError codes map to statuses here, in one place.
 */
import type { Response } from "express";
import { isFolioError, type FolioErrorCode } from "../errors.js";
import { redact } from "../util/redact.js";

/** Codes the HTTP layer adds to FolioErrorCode. */
export type HttpErrorCode = FolioErrorCode | "UNAUTHORIZED" | "RATE_LIMITED" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "FORBIDDEN" | "INTERNAL";

export interface ErrorBody {
  error: { code: string; message: string; hint: string };
}

const STATUS_BY_CODE: Record<HttpErrorCode, number> = {
  USAGE: 400,
  INPUT: 400,
  NOT_FOUND: 404,
  // The server works, but there is nothing to answer from yet: a state conflict the user fixes by ingesting.
  EMPTY_STORE: 409,
  UNSUPPORTED: 422,
  EMBEDDINGS_INPUT: 422,
  STORE_LOCKED: 503,
  STORE: 503,
  EMBEDDINGS_UNAVAILABLE: 503,
  EMBEDDINGS: 502,
  EMBEDDINGS_AUTH: 502,
  EMBEDDINGS_BALANCE: 502,
  LLM: 502,
  CONFIG: 500,
  INGEST: 500,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

/** An error raised by the HTTP layer itself, with its status (and the request field at fault, when one is). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly hint: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function statusForCode(code: string): number {
  return (STATUS_BY_CODE as Record<string, number>)[code] ?? 500;
}

/** Errors body-parser raises carry `type` and `status`. */
interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === "object" && error !== null && typeof (error as { type?: unknown }).type === "string" && typeof (error as { status?: unknown }).status === "number";
}

/** Status and body for any thrown value; unknown errors become a bare 500 without details. */
export function toErrorResponse(error: unknown, secrets: ReadonlyArray<string | undefined>, maxBodyBytes: number): { status: number; body: ErrorBody } {
  const body = (code: string, message: string, hint: string): ErrorBody => ({ error: { code, message: redact(message, secrets), hint: redact(hint, secrets) } });
  if (error instanceof HttpError) return { status: error.status, body: body(error.code, error.message, error.hint) };
  if (isFolioError(error)) return { status: statusForCode(error.code), body: body(error.code, error.message, error.hint) };
  if (isBodyParserError(error)) {
    if (error.type === "entity.too.large") {
      return { status: 413, body: body("PAYLOAD_TOO_LARGE", `The request body is larger than the limit of ${formatBytes(maxBodyBytes)}.`, "Send a smaller body or image (the limit is FOLIO_MAX_BODY_MB).") };
    }
    if (error.type === "entity.parse.failed") {
      return { status: 400, body: body("INPUT", "The request body is not valid JSON.", 'Send a JSON object, e.g. {"message": "What is attention?"}, with Content-Type: application/json.') };
    }
    if (error.type === "encoding.unsupported" || error.type === "charset.unsupported") {
      return { status: 415, body: body("UNSUPPORTED_MEDIA_TYPE", "The request body encoding or charset is not supported.", "Send UTF-8 JSON.") };
    }
    if (error.status >= 400 && error.status < 500) {
      return { status: error.status, body: body("INPUT", "The request body could not be read.", "Send a JSON object with Content-Type: application/json.") };
    }
  }
  // Express and its router raise client errors (a malformed percent-encoding in the path: URIError) with a 4xx status.
  const status = clientErrorStatus(error);
  if (status !== undefined) return { status, body: body("INPUT", "The request could not be read (malformed URL or headers).", "Check the path and its percent-encoding.") };
  return { status: 500, body: body("INTERNAL", "Internal server error.", "Try again; if it keeps failing, check the server log.") };
}

function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === "number" ? status : typeof statusCode === "number" ? statusCode : undefined;
  return value !== undefined && value >= 400 && value < 500 ? value : undefined;
}

export function sendError(res: Response, status: number, body: ErrorBody): void {
  res.status(status).type("application/json").send(JSON.stringify(body));
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** OpenAI's error body, for the OpenAI-compatible routes (/v1): what its clients parse and show. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

function openAiType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "invalid_request_error";
}

/** Folio's error, in OpenAI's shape: the hint joins the message (clients show only the message). */
export function toOpenAiErrorBody(error: unknown, status: number, body: ErrorBody): OpenAiErrorBody {
  const field = error instanceof HttpError ? error.field : undefined;
  const code = status === 404 && field === "model" ? "model_not_found" : status === 401 ? "invalid_api_key" : body.error.code.toLowerCase();
  const message = body.error.hint ? `${body.error.message} ${body.error.hint}` : body.error.message;
  return { error: { message, type: openAiType(status), param: field ?? null, code } };
}

/** The last middleware: unknown routes -> 404 JSON, every error -> `{error: {code, message, hint}}`, redacted. */
import type { ErrorRequestHandler, RequestHandler } from "express";
import { redact } from "../../util/redact.js";
import { HttpError, sendError, toErrorResponse, toOpenAiErrorBody } from "../http-errors.js";

/** Paths of the OpenAI-compatible API (routes/openai.ts). */
export const OPENAI_PREFIX = "/v1/";

export function notFound(): RequestHandler {
  return (req) => {
    throw new HttpError(404, "NOT_FOUND", `No route ${req.method} ${req.path.slice(0, 200)}.`, "GET /openapi.json lists the routes.");
  };
}

export type ServerLogger = (message: string) => void;

export function errorHandler(secrets: readonly string[], maxBodyBytes: number, log: ServerLogger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    // The client is gone (a disconnect aborted the chain): nobody to answer, nothing to log.
    if (res.destroyed || req.socket.destroyed) return;
    const { status, body } = toErrorResponse(error, secrets, maxBodyBytes);
    if (status >= 500) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(redact(`${req.method} ${req.path} -> ${status}: ${detail}`, secrets));
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The OpenAI-compatible routes answer in OpenAI's error shape, which its clients parse.
    if (req.path.startsWith(OPENAI_PREFIX)) res.status(status).json(toOpenAiErrorBody(error, status, body));
    else sendError(res, status, body);
  };
}

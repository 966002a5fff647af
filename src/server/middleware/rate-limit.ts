/** Per-client request budget per minute (FOLIO_RATE_LIMIT_PER_MINUTE), with the standard RateLimit headers. */
import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import type { ErrorBody } from "../http-errors.js";
import { sendError } from "../http-errors.js";

export function rateLimitPerMinute(limit: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (_req, res) => {
      const body: ErrorBody = {
        error: { code: "RATE_LIMITED", message: `Too many requests: the limit is ${limit} per minute.`, hint: "Wait for the time in the Retry-After header, or raise FOLIO_RATE_LIMIT_PER_MINUTE." },
      };
      sendError(res, 429, body);
    },
  });
}

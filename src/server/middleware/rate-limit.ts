/**
 * Per-client budget per minute (FOLIO_RATE_LIMIT_PER_MINUTE) for the requests that cost: questions,
 * searches, uploads and deletes, with the standard RateLimit headers. Reading what is stored (GET of
 * images, PDFs, the library, job progress) with the right token is not counted: the web page fetches
 * a figure gallery's thumbnails or a PDF's ranges in bursts that would spend the budget of real
 * questions. Reads without the token still count, so the limit also slows down guessing it.
 */
import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import { HttpError } from "../http-errors.js";
import { hasToken } from "./auth.js";

export function rateLimitPerMinute(limit: number, token: string | undefined): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skip: (req) => (req.method === "GET" || req.method === "HEAD") && hasToken(req, token),
    // The error handler (middleware/errors.ts) writes the 429 body, after the RateLimit and Retry-After headers set here.
    handler: (_req, _res, next) => {
      next(new HttpError(429, "RATE_LIMITED", `Too many requests: the limit is ${limit} per minute.`, "Wait for the time in the Retry-After header, or raise FOLIO_RATE_LIMIT_PER_MINUTE."));
    },
  });
}

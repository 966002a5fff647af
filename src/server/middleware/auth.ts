/**
 * Optional bearer token (FOLIO_API_TOKEN) for the API routes. Compared in constant time on SHA-256
 * digests, so neither the content nor the length of the token leaks through timing.
 * The web page, /health and /openapi.json stay open: they reveal no corpus content.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { HttpError } from "../http-errors.js";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whether a request carries the token (true when the server sets none). */
export function hasToken(req: Request, token: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
  return Boolean(match?.[1] && tokensEqual(match[1], token));
}

export function requireToken(token: string | undefined): RequestHandler {
  if (!token) return (_req, _res, next) => next();
  return (req, res, next) => {
    const header = req.get("authorization") ?? "";
    if (!hasToken(req, token)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="folio"');
      throw new HttpError(
        401,
        "UNAUTHORIZED",
        header ? "The bearer token is not valid." : "This server needs a bearer token.",
        "Send Authorization: Bearer <FOLIO_API_TOKEN> (in the web page: the token field at the top).",
      );
    }
    next();
  };
}

/** Security headers and CORS (off unless FOLIO_CORS_ORIGINS lists the allowed origins). */
import type { RequestHandler } from "express";
import { HttpError } from "../http-errors.js";

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Content-Security-Policy", CSP);
    next();
  };
}

export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowAll = allowedOrigins.includes("*");
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, "").toLowerCase()));
  return (req, res, next) => {
    const origin = req.get("origin");
    if (!origin) return next();
    res.vary("Origin");
    const ok = allowAll || allowed.has(origin.toLowerCase());
    const preflight = req.method === "OPTIONS" && req.get("access-control-request-method") !== undefined;
    if (!ok) {
      if (preflight) throw new HttpError(403, "FORBIDDEN", `Cross-origin requests from ${origin} are not allowed.`, "Add the origin to FOLIO_CORS_ORIGINS (comma-separated).");
      return next();
    }
    res.setHeader("Access-Control-Allow-Origin", allowAll ? "*" : origin);
    res.setHeader("Access-Control-Expose-Headers", "RateLimit, RateLimit-Policy, Retry-After");
    if (preflight) {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept");
      res.setHeader("Access-Control-Max-Age", "600");
      res.status(204).end();
      return;
    }
    next();
  };
}

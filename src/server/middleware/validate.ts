/** Validates the JSON body with a zod schema; a 400 names each field path and its problem. */
import type { RequestHandler } from "express";
import type { z } from "zod";
import { HttpError } from "../http-errors.js";
import { describeZodError } from "../schemas.js";

export function validateBody<S extends z.ZodTypeAny>(schema: S): RequestHandler {
  return (req, res, next) => {
    if (!req.is("application/json")) {
      throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "The request body must be JSON.", "Send Content-Type: application/json with a JSON object.");
    }
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join(".") || undefined;
      throw new HttpError(400, "INPUT", `Invalid request: ${describeZodError(parsed.error)}.`, "Fix the named field; GET /openapi.json describes every body.", field);
    }
    res.locals.body = parsed.data as z.infer<S>;
    next();
  };
}

/** The validated body stored by validateBody. */
export function validatedBody<T>(locals: Record<string, unknown>): T {
  return locals.body as T;
}

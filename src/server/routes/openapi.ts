/** GET /openapi.json: an OpenAPI 3 description generated from the same zod schemas the routes validate with. */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";
import { Router } from "express";
import { z } from "zod";
import { IMAGE_ID_PATTERN } from "./images.js";
import { ChatBodySchema, ChatResponseSchema, ErrorSchema, HealthSchema, SearchBodySchema, SearchResponseSchema } from "../schemas.js";

type OpenApiDocument = ReturnType<OpenApiGeneratorV3["generateDocument"]>;

export function buildOpenApiDocument(options: { auth: boolean }): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "FOLIO_API_TOKEN, when the server sets one" });
  const security = options.auth ? [{ [bearer.name]: [] }] : [];
  const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });
  const common = {
    400: error("Malformed JSON or an invalid field (the message names the field path and the problem)"),
    ...(options.auth ? { 401: error("Missing or wrong bearer token") } : {}),
    429: error("Rate limit reached (RateLimit and Retry-After headers)"),
  };
  const imageParam = z.object({ id: z.string().regex(IMAGE_ID_PATTERN).openapi({ description: "Image id (hex SHA-256, or its prefix, of the PNG)" }) });

  registry.registerPath({
    method: "post",
    path: "/chat",
    summary: "Answer a question with cited sources",
    description:
      "JSON by default. With `stream: true` or `Accept: text/event-stream`: server-sent events `session` {sessionId}, `query` {standaloneQuestion}, `sources` {sources}, `token` {text}, `citation` (a Citation), then `done` (the ChatResponse) or `error` {code, message, hint}.",
    security,
    request: { body: { content: { "application/json": { schema: ChatBodySchema } } } },
    responses: {
      200: { description: "The answer", content: { "application/json": { schema: ChatResponseSchema }, "text/event-stream": { schema: z.string() } } },
      ...common,
      409: error("Nothing ingested yet"),
      413: error("Body or image too large"),
      422: error("Image search needs Jina embeddings"),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/search",
    summary: "Search chunks, pages and figures",
    security,
    request: { body: { content: { "application/json": { schema: SearchBodySchema } } } },
    responses: {
      200: { description: "Ranked hits", content: { "application/json": { schema: SearchResponseSchema } } },
      ...common,
      409: error("Nothing ingested yet"),
      413: error("Body or image too large"),
      422: error("Image search needs Jina embeddings, or a search mode the embeddings cannot do"),
    },
  });
  for (const [path, what] of [
    ["/figures/{id}", "figure"],
    ["/pages/{id}", "page"],
  ] as const) {
    registry.registerPath({
      method: "get",
      path,
      summary: `A ${what} image (PNG) by image id`,
      security,
      request: { params: imageParam },
      responses: {
        200: { description: "PNG", content: { "image/png": { schema: z.string().openapi({ format: "binary" }) } } },
        400: error("Not an image id"),
        ...(options.auth ? { 401: error("Missing or wrong bearer token") } : {}),
        404: error("Unknown image id"),
      },
    });
  }
  registry.registerPath({
    method: "get",
    path: "/health",
    summary: "Status, store counts and which parts run embedded (no token needed)",
    responses: { 200: { description: "Status", content: { "application/json": { schema: HealthSchema } } } },
  });
  registry.registerPath({
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    responses: { 200: { description: "OpenAPI 3 document", content: { "application/json": { schema: z.object({}).passthrough() } } } },
  });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: "3.0.3",
    info: {
      title: "Folio API",
      version: "0.1.0",
      description:
        "Chat with a research corpus: answers cite paper, page and figure. Errors are JSON {error: {code, message, hint}}. " +
        "The web page (/), GET /health and GET /openapi.json are always open; when the server sets FOLIO_API_TOKEN, POST /chat, POST /search, " +
        "GET /figures/{id} and GET /pages/{id} need Authorization: Bearer <token>. Those routes are rate limited per client (FOLIO_RATE_LIMIT_PER_MINUTE, RateLimit headers).",
    },
    servers: [{ url: "/" }],
  });
}

export function openApiRouter(options: { auth: boolean }): Router {
  const router = Router();
  let document: OpenApiDocument | undefined;
  router.get("/openapi.json", (_req, res) => {
    document ??= buildOpenApiDocument(options);
    res.json(document);
  });
  return router;
}

/** GET /openapi.json: an OpenAPI 3 description generated from the same zod schemas the routes validate with. */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from "@asteasolutions/zod-to-openapi";
import { Router } from "express";
import { z } from "zod";
import { IMAGE_ID_PATTERN } from "./images.js";
import { ChatCompletionBodySchema } from "../openai-schemas.js";
import { DeletedSchema, DocumentDetailSchema, DocumentListSchema, IngestJobSchema, UploadResponseSchema } from "../document-schemas.js";
import { ChatBodySchema, ChatResponseSchema, ErrorSchema, OpenAiErrorSchema, HealthSchema, SearchBodySchema, SearchResponseSchema } from "../schemas.js";

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
  registerLibrary(registry, security, error, options.auth);
  registerOpenAi(registry, security, options.auth);
  registry.registerPath({
    method: "post",
    path: "/mcp",
    summary: "Model Context Protocol over Streamable HTTP (stateless; JSON-RPC bodies)",
    description: "Tools search, ask, list_papers, get_paper, get_figure, get_page and resources folio://paper/{id}; see the README. Any MCP client: point it at this URL, with the bearer token when the server sets one.",
    security,
    request: { body: { content: { "application/json": { schema: z.object({ jsonrpc: z.literal("2.0"), method: z.string(), id: z.union([z.string(), z.number()]).optional() }).passthrough() } } } },
    responses: { 200: { description: "JSON-RPC response", content: { "application/json": { schema: z.object({}).passthrough() } } }, ...(options.auth ? { 401: error("Missing or wrong bearer token") } : {}) },
  });
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
        "The web page (/, with pdf.js under /vendor/pdfjs), GET /health and GET /openapi.json are always open; when the server sets FOLIO_API_TOKEN, every other route " +
        "needs Authorization: Bearer <token>. Questions, searches, uploads and deletes (POST and DELETE) are rate limited per client (FOLIO_RATE_LIMIT_PER_MINUTE, RateLimit headers); reads (GET) are not.",
    },
    servers: [{ url: "/" }],
  });
}

/** The OpenAI-compatible routes, whose errors have OpenAI's shape. */
function registerOpenAi(registry: OpenAPIRegistry, security: Array<Record<string, string[]>>, auth: boolean): void {
  const openAiError = (description: string) => ({ description, content: { "application/json": { schema: OpenAiErrorSchema } } });
  const unauthorized: Record<number, ReturnType<typeof openAiError>> = auth ? { 401: openAiError("Missing or wrong API key (the bearer token)") } : {};
  registry.registerPath({
    method: "get",
    path: "/v1/models",
    summary: "OpenAI-compatible: the models (one, `folio`)",
    security,
    responses: { 200: { description: "Models", content: { "application/json": { schema: z.object({ object: z.literal("list"), data: z.array(z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() })) }) } } }, ...unauthorized },
  });
  registry.registerPath({
    method: "post",
    path: "/v1/chat/completions",
    summary: "OpenAI-compatible chat completions: a cited answer to the last user message",
    description:
      "The earlier messages are the conversation. The content keeps its [n] markers and ends with a References section; `folio` holds the structured citations and sources. " +
      "Options: `k` and `paper` as extra fields, or as a model suffix (`folio@k=8,paper=arxiv:1706.03762`). With `stream: true`: chat.completion.chunk objects as data lines, then `data: [DONE]`.",
    security,
    request: { body: { content: { "application/json": { schema: ChatCompletionBodySchema } } } },
    responses: {
      200: { description: "chat.completion (or its chunks as text/event-stream)", content: { "application/json": { schema: z.object({}).passthrough() }, "text/event-stream": { schema: z.string() } } },
      400: openAiError("Malformed request, empty question, options out of range"),
      ...unauthorized,
      404: openAiError("Unknown model (code model_not_found)"),
      409: openAiError("Nothing ingested yet"),
      429: openAiError("Rate limit reached"),
    },
  });
}

type ErrorResponse = (description: string) => { description: string; content: { "application/json": { schema: typeof ErrorSchema } } };

/** The library: documents, their PDFs, uploads and ingest jobs. */
function registerLibrary(registry: OpenAPIRegistry, security: Array<Record<string, string[]>>, error: ErrorResponse, auth: boolean): void {
  const unauthorized: Record<number, ReturnType<ErrorResponse>> = auth ? { 401: error("Missing or wrong bearer token") } : {};
  const idParam = z.object({ id: z.string().openapi({ description: "docId from GET /documents, percent-encoded (arxiv:1706.03762 -> arxiv%3A1706.03762)" }) });
  const notFound: Record<number, ReturnType<ErrorResponse>> = { 400: error("Not a document id"), ...unauthorized, 404: error("No such document") };
  registry.registerPath({
    method: "get",
    path: "/documents",
    summary: "The papers in the library, newest first",
    security,
    request: { query: z.object({ q: z.string().optional().openapi({ description: "Words that must all occur in the title, authors or year" }) }) },
    responses: { 200: { description: "Documents", content: { "application/json": { schema: DocumentListSchema } } }, ...unauthorized },
  });
  registry.registerPath({
    method: "get",
    path: "/documents/{id}",
    summary: "One paper: metadata, abstract, sections, figures and tables, BibTeX",
    security,
    request: { params: idParam },
    responses: { 200: { description: "The document", content: { "application/json": { schema: DocumentDetailSchema } } }, ...notFound },
  });
  registry.registerPath({
    method: "get",
    path: "/documents/{id}/pdf",
    summary: "The paper's PDF, found from its record (never from a path); range requests supported",
    security,
    request: { params: idParam },
    responses: { 200: { description: "PDF", content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } } }, ...notFound, 404: error("No such document, or no local copy of its PDF") },
  });
  registry.registerPath({
    method: "delete",
    path: "/documents/{id}",
    summary: "Delete a paper: its points, registry record, images only it used, and its uploaded copy",
    security,
    request: { params: idParam },
    responses: { 200: { description: "Deleted", content: { "application/json": { schema: DeletedSchema } } }, ...notFound, 429: error("Rate limit reached"), 503: error("The store is busy with another writer past FOLIO_WRITER_WAIT_SECONDS") },
  });
  registry.registerPath({
    method: "post",
    path: "/documents",
    summary: "Upload PDFs to ingest (multipart/form-data, field `files`)",
    description: "Each file is checked by its content (the %PDF- header, then opened) before it is queued. 202 with the ingest job; follow it at GET /ingest/{job}. Files that fail the check are listed under `rejected`; when none passes, the first one's status is the answer's.",
    security,
    request: { body: { content: { "multipart/form-data": { schema: z.object({ files: z.array(z.string().openapi({ format: "binary" })) }) } } } },
    responses: {
      202: { description: "Accepted and queued", content: { "application/json": { schema: UploadResponseSchema } } },
      400: error("No file, or not the `files` field"),
      ...unauthorized,
      413: error("A file over FOLIO_MAX_UPLOAD_MB, or more than FOLIO_MAX_UPLOAD_FILES files"),
      415: error("Not multipart/form-data, or a file that is not a PDF (whatever its name)"),
      422: error("A PDF ingest cannot read: encrypted, damaged, empty or too many pages (the hint says what to do)"),
      429: error("Rate limit reached"),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/ingest/{job}",
    summary: "An upload's ingest job: JSON, or live progress as server-sent events",
    description: "With Accept: text/event-stream: `job` (the IngestJob so far), then `progress` {phase, done, total, unit, elapsedMs}, `file` (a stored, unchanged or skipped file), `warning` {message}, `notice` {message} (waiting for another writer), and `done` {summary} or `failed` {code, message, hint}; then the stream ends.",
    security,
    request: { params: z.object({ job: z.string().uuid() }) },
    responses: {
      200: { description: "The job", content: { "application/json": { schema: IngestJobSchema }, "text/event-stream": { schema: z.string() } } },
      400: error("Not a job id"),
      ...unauthorized,
      404: error("Unknown job (jobs are kept while the server runs)"),
    },
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

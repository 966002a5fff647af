/**
 * zod schemas of the HTTP bodies and answers. They validate requests and generate /openapi.json,
 * so the description cannot drift from what the routes accept.
 */
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { CHUNK_KINDS, type SearchFilters } from "../store/types.js";

extendZodWithOpenApi(z);

const Kind = z.enum(CHUNK_KINDS).openapi("ChunkKind");
const oneOrMany = <T extends z.ZodTypeAny>(item: T) => z.union([item, z.array(item).min(1).max(100)]);
const Range = z
  .object({ gte: z.number().int().optional(), lte: z.number().int().optional() })
  .strict()
  .refine((r) => r.gte === undefined || r.lte === undefined || r.gte <= r.lte, { message: "gte must not be greater than lte" });

const Lang = z.string().regex(/^[a-z]{2}$/, "a two-letter language code such as en, zh or de");

export const FiltersSchema = z
  .object({
    paper: oneOrMany(z.string().min(1).max(256)).optional().openapi({ description: "Document id(s), as in `folio docs` (alias of docIds)" }),
    docIds: z.array(z.string().min(1).max(256)).max(100).optional(),
    kind: oneOrMany(Kind).optional().openapi({ description: "text, page or figure (alias of kinds)" }),
    kinds: z.array(Kind).max(3).optional(),
    lang: oneOrMany(Lang).optional().openapi({ description: "Chunk language(s), ISO 639-1 as Folio's analyser detects them: en, zh, ja, ko, de, fr, es, ru ... (alias of langs)" }),
    langs: z.array(Lang).max(20).optional(),
    year: z.union([z.number().int(), Range]).optional().openapi({ description: "A year, or {gte, lte}" }),
    pages: Range.optional(),
    includeReferences: z.boolean().optional(),
    qdrant: z.record(z.string(), z.unknown()).optional().openapi({ description: "A raw Qdrant filter (JSON) combined with the others by `must`" }),
    qdrantFilter: z.record(z.string(), z.unknown()).optional().openapi({ description: "Alias of qdrant" }),
  })
  .strict()
  .openapi("Filters");
export type FiltersBody = z.infer<typeof FiltersSchema>;

const ImageField = z
  .string()
  .min(1)
  .openapi({ description: "A data URI, raw base64, or an http(s) URL (fetched only from FOLIO_FETCH_ALLOW_HOSTS). Needs Jina embeddings." });

export const ChatBodySchema = z
  .object({
    message: z.string().trim().min(1, "must not be empty").max(4_000),
    sessionId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, "letters, digits, _ and - only (as returned by a previous answer)")
      .optional(),
    image: ImageField.optional(),
    filters: FiltersSchema.optional(),
    stream: z.boolean().optional().openapi({ description: "Answer with server-sent events (also chosen by Accept: text/event-stream)" }),
    k: z.number().int().min(1).max(50).optional(),
  })
  .strict()
  .openapi("ChatRequest");
export type ChatBody = z.infer<typeof ChatBodySchema>;

export const SearchBodySchema = z
  .object({
    query: z.string().trim().min(1, "must not be empty").max(4_000).optional(),
    image: ImageField.optional(),
    k: z.number().int().min(1).max(100).optional(),
    filters: FiltersSchema.optional(),
    mode: z.enum(["dense", "sparse", "hybrid"]).optional(),
  })
  .strict()
  .refine((b) => b.query !== undefined || b.image !== undefined, { message: "give a query, an image, or both", path: ["query"] })
  .openapi("SearchRequest");
export type SearchBody = z.infer<typeof SearchBodySchema>;

/** HTTP filters -> the store's SearchFilters (aliases merged). The raw Qdrant filter is validated by the store. */
export function toSearchFilters(body: FiltersBody | undefined): SearchFilters | undefined {
  if (!body) return undefined;
  const filters: SearchFilters = {};
  const docIds = [...(body.docIds ?? []), ...(body.paper === undefined ? [] : Array.isArray(body.paper) ? body.paper : [body.paper])];
  if (docIds.length) filters.docIds = [...new Set(docIds)];
  const kinds = [...(body.kinds ?? []), ...(body.kind === undefined ? [] : Array.isArray(body.kind) ? body.kind : [body.kind])];
  if (kinds.length) filters.kinds = [...new Set(kinds)];
  const langs = [...(body.langs ?? []), ...(body.lang === undefined ? [] : Array.isArray(body.lang) ? body.lang : [body.lang])];
  if (langs.length) filters.langs = [...new Set(langs)];
  if (body.year !== undefined) filters.year = typeof body.year === "number" ? { gte: body.year, lte: body.year } : body.year;
  if (body.pages) filters.pages = body.pages;
  if (body.includeReferences !== undefined) filters.includeReferences = body.includeReferences;
  const raw = body.qdrant ?? body.qdrantFilter;
  if (raw) filters.qdrantFilter = raw;
  return filters;
}

// ---- Answers (for the OpenAPI document) ----

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), hint: z.string() }) })
  .openapi("Error", { example: { error: { code: "EMPTY_STORE", message: 'The collection "folio" is empty or does not exist yet.', hint: "Ingest a corpus first: `folio ingest <folder-or-files>`" } } });

export const OpenAiErrorSchema = z
  .object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() }) })
  .openapi("OpenAiError");

export const PageBoxSchema = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .openapi("PageBox", { description: "[x0, y0, x1, y1] in PDF points, origin at the page's top left (pdf.js viewport coordinates at scale 1)" });

export const CitationSchema = z
  .object({
    n: z.number().int(),
    id: z.string(),
    docId: z.string(),
    title: z.string(),
    citationKey: z.string().optional(),
    doi: z.string().optional(),
    source: z.string(),
    kind: Kind,
    page: z.number().int().optional(),
    figureLabel: z.string().optional(),
    imageId: z.string().optional(),
    imageUrl: z.string().optional().openapi({ description: "/figures/:id or /pages/:id when the source has an image" }),
    boxes: z.array(PageBoxSchema).optional().openapi({ description: "Where the source is on its page: a text chunk's line rectangles or a figure's region" }),
    snippet: z.string(),
    score: z.number(),
  })
  .openapi("Citation");

export const ChatResponseSchema = z
  .object({
    answer: z.string(),
    citations: z.array(CitationSchema),
    sources: z.array(CitationSchema),
    sessionId: z.string(),
    standaloneQuestion: z.string(),
    mode: z.enum(["extractive", "llm"]),
    model: z.string(),
    unanswered: z.boolean(),
  })
  .openapi("ChatResponse");

export const SearchHitSchema = z
  .object({
    id: z.string(),
    docId: z.string(),
    kind: Kind,
    text: z.string(),
    title: z.string(),
    page: z.number().int().optional(),
    figureLabel: z.string().optional(),
    caption: z.string().optional(),
    score: z.number(),
    imageId: z.string().optional(),
    imageUrl: z.string().optional(),
    boxes: z.array(PageBoxSchema).optional(),
  })
  .openapi("SearchHit");

export const SearchResponseSchema = z.object({ hits: z.array(SearchHitSchema) }).openapi("SearchResponse");

export const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    store: z.object({
      mode: z.enum(["embedded", "server"]),
      collection: z.string(),
      documents: z.number().int().nullable(),
      points: z.number().int().nullable(),
      text: z.number().int().nullable(),
      pages: z.number().int().nullable(),
      figures: z.number().int().nullable(),
      error: z.string().optional(),
    }),
    embeddings: z.object({ mode: z.enum(["none", "jina"]), images: z.boolean() }),
    llm: z.object({ mode: z.enum(["extractive", "openai"]), model: z.string().optional() }),
    embedded: z.array(z.string()).openapi({ description: "Parts running embedded, without an external service" }),
    imageSearch: z.boolean(),
    auth: z.boolean().openapi({ description: "Whether the API routes (all but /, /health and /openapi.json) need a bearer token" }),
  })
  .openapi("Health");

/** A human-readable reason from a zod error: each issue's field path and problem. */
export function describeZodError(error: z.ZodError, root = "body"): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = [root, ...issue.path].join(".");
      if (issue.code === "unrecognized_keys") return `${where}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
      if (issue.code === "invalid_type" && issue.received === "undefined") return `${where}: required`;
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}

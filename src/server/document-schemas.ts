/** Response shapes of the library routes (documents, uploads, ingest jobs), for the OpenAPI document and the tests. */
import { z } from "zod";
import { IngestSummarySchema, SKIP_REASONS } from "../ingest/index.js";
import { PageBoxSchema } from "./schemas.js";

// ---- Requests ----

/** A docId in a path: any id ingest gives (file:, url:, arxiv:, manifest ids), but no control characters. */
export const DocumentIdSchema = z
  .string()
  .min(1)
  .max(300)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/);

export const JobIdSchema = z.string().uuid();

export const LibraryQuerySchema = z.object({ q: z.string().max(500).optional() }).passthrough();

// ---- Responses ----

export const DocumentSummarySchema = z
  .object({
    docId: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    year: z.number().int().optional(),
    doi: z.string().optional(),
    arxivId: z.string().optional(),
    citationKey: z.string().optional(),
    lang: z.string().optional(),
    pages: z.number().int(),
    figures: z.number().int(),
    chunks: z.number().int(),
    ingestedAt: z.string().openapi({ description: "ISO timestamp" }),
    fileName: z.string().openapi({ description: "The source file's name (never its path on the server)" }),
    pdfUrl: z.string().openapi({ description: "GET it for the PDF (404 when the server has no local copy)" }),
  })
  .openapi("DocumentSummary");

export const DocumentListSchema = z.object({ documents: z.array(DocumentSummarySchema) }).openapi("DocumentList");

export const FigureEntrySchema = z
  .object({
    id: z.string(),
    label: z.string(),
    page: z.number().int().optional(),
    caption: z.string(),
    bbox: PageBoxSchema.optional(),
    imageUrl: z.string().optional(),
  })
  .openapi("FigureEntry");

export const DocumentDetailSchema = DocumentSummarySchema.extend({
  abstract: z.string().optional(),
  sections: z.array(z.string()),
  figureList: z.array(FigureEntrySchema),
  bibtex: z.string(),
}).openapi("DocumentDetail");

export const DeletedSchema = z.object({ deleted: z.string(), title: z.string() }).openapi("Deleted");

const FileResultSchema = z.object({ type: z.enum(["done", "unchanged", "skipped", "pruned"]), name: z.string(), docId: z.string().optional(), title: z.string().optional(), pages: z.number().optional(), reason: z.enum(SKIP_REASONS).optional(), hint: z.string().optional() }).passthrough();

export const UploadResponseSchema = z
  .object({
    job: z.string().uuid(),
    jobUrl: z.string(),
    accepted: z.array(z.object({ name: z.string(), bytes: z.number().int(), pages: z.number().int() })),
    rejected: z.array(z.object({ name: z.string(), status: z.number().int(), code: z.string(), message: z.string(), hint: z.string() })),
  })
  .openapi("UploadResponse");

export const IngestJobSchema = z
  .object({
    id: z.string().uuid(),
    state: z.enum(["queued", "running", "done", "failed"]),
    createdAt: z.string(),
    files: z.array(z.object({ name: z.string(), bytes: z.number().int(), pages: z.number().int() })),
    progress: z.object({ phase: z.enum(["discover", "parse", "store"]), done: z.number(), total: z.number(), unit: z.enum(["files", "chunks"]), elapsedMs: z.number() }).optional(),
    results: z.array(FileResultSchema),
    notices: z.array(z.string()).openapi({ description: "What ingest said as it ran, e.g. that it waits for another writer" }),
    summary: IngestSummarySchema.optional(),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).optional(),
  })
  .openapi("IngestJob");

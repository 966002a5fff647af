/**
 * The seam to the PDF parser (src/ingest/pdf): loaded on first use so text-only runs never pay for
 * pdf.js, run in worker threads when that helps (see pdf-pool.ts), and its errors mapped to skip reasons.
 */
import type { PdfiumTextWorker } from "./pdf/pdfium-remote.js";
import type { ParseOptions, ParsedDocument } from "./types.js";
import type { SkipReason } from "./summary.js";

export type PdfParser = (data: Uint8Array, options: ParseOptions) => Promise<ParsedDocument>;

let parser: Promise<PdfParser> | undefined;

export function loadPdfParser(): Promise<PdfParser> {
  parser ??= import("./pdf/index.js").then((m) => m.parsePdf);
  return parser;
}

/** Starts PDFium's text pass on a worker thread for parses in this thread (see pdf/pdfium-remote.ts). */
export async function startPdfiumTextWorker(): Promise<PdfiumTextWorker> {
  const { PdfiumTextWorker } = await import("./pdf/pdfium-remote.js");
  return PdfiumTextWorker.start();
}

/**
 * Loads the PNG encoder (sharp, a native addon) in this thread before parse workers use it: an addon
 * first loaded by a worker can be unloaded when that worker exits while others still use it (sharp's
 * advice for worker threads; on Linux sharp >= 0.33 also keeps itself loaded).
 */
export async function preloadPngEncoder(): Promise<void> {
  const { loadSharp } = await import("./pdf/render.js");
  await loadSharp();
}

const PROBLEM_REASONS: Record<string, SkipReason> = {
  "not-pdf": "mislabelled",
  corrupt: "broken",
  truncated: "broken",
  encrypted: "encrypted",
  empty: "empty",
  "no-text": "empty",
  "too-many-pages": "too-many-pages",
};

/**
 * Why a PDF failed to parse, from the parser's typed error (its PdfInputError.problem, which
 * survives worker threads); pdf.js's PasswordException by name; anything else is a broken file.
 */
export function classifyPdfError(error: unknown): SkipReason {
  const problem = (error as { problem?: string })?.problem;
  if (problem && PROBLEM_REASONS[problem]) return PROBLEM_REASONS[problem];
  if ((error as { name?: string })?.name === "PasswordException") return "encrypted";
  return "broken";
}

/** The parser's own hint when it gave one (typed FolioErrors carry `hint`). */
export function hintOf(error: unknown): string | undefined {
  const hint = (error as { hint?: unknown })?.hint;
  return typeof hint === "string" && hint ? hint : undefined;
}

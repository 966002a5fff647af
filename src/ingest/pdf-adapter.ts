/** The seam to the PDF parser (src/ingest/pdf), loaded on first use so text-only runs never pay for pdf.js. */
import type { ParseOptions, ParsedDocument } from "./types.js";
import type { SkipReason } from "./summary.js";

export type PdfParser = (data: Uint8Array, options: ParseOptions) => Promise<ParsedDocument>;

let parser: Promise<PdfParser> | undefined;

export function loadPdfParser(): Promise<PdfParser> {
  // A variable specifier keeps this file compiling while the parser is being written.
  const specifier = "./pdf/index.js";
  parser ??= (import(specifier) as Promise<{ parsePdf: PdfParser }>).then((m) => m.parsePdf);
  return parser;
}

/** Why a PDF failed to parse, from pdf.js's exception names and messages. */
export function classifyPdfError(error: unknown): SkipReason {
  const name = (error as { name?: string })?.name ?? "";
  const message = (error as { message?: string })?.message ?? String(error);
  if (/password|encrypt/i.test(name) || /password|encrypt/i.test(message)) return "encrypted";
  if (/too many pages|page limit|maxPages/i.test(message)) return "too-many-pages";
  if (/megapixel|image size limit|maxImagePixels/i.test(message)) return "image-too-large";
  return "broken";
}

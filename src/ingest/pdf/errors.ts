/** Why a PDF could not be read; each case carries a hint that says what to do. */
import { InputError } from "../../errors.js";

export type PdfProblem = "not-pdf" | "corrupt" | "truncated" | "encrypted" | "empty" | "no-text" | "too-many-pages";

export class PdfInputError extends InputError {
  readonly problem: PdfProblem;
  constructor(problem: PdfProblem, message: string, hint: string, cause?: unknown) {
    super(message, hint, cause);
    this.problem = problem;
  }
}

export class NotAPdfError extends PdfInputError {
  constructor(detail: string) {
    super("not-pdf", `Not a PDF file: ${detail}.`, "Check the file: it may be mislabelled (an HTML page or an image saved as .pdf). Download the real PDF again.");
  }
}

export class CorruptPdfError extends PdfInputError {
  constructor(detail: string, cause?: unknown, truncated = false) {
    super(
      truncated ? "truncated" : "corrupt",
      truncated ? `The PDF is truncated: ${detail}.` : `The PDF is damaged and cannot be read: ${detail}.`,
      truncated ? "The download was probably cut short: fetch the file again." : "Re-download the file, or re-save it with a PDF tool (e.g. `qpdf in.pdf out.pdf`) and ingest the copy.",
      cause,
    );
  }
}

export class EncryptedPdfError extends PdfInputError {
  constructor(cause?: unknown) {
    super("encrypted", "The PDF is password-protected.", "Remove the password first (e.g. `qpdf --decrypt --password=... in.pdf out.pdf`) and ingest the decrypted copy.", cause);
  }
}

export class EmptyPdfError extends PdfInputError {
  constructor(problem: "empty" | "no-text", message: string) {
    super(
      problem,
      message,
      problem === "no-text"
        ? "It looks like a scan without a text layer: run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result."
        : "Check the file: it has no pages to read.",
    );
  }
}

export class TooManyPagesError extends PdfInputError {
  constructor(pages: number, maxPages: number) {
    super("too-many-pages", `The PDF has ${pages} pages, more than the limit of ${maxPages}.`, "Raise FOLIO_MAX_PAGES, or split the file (e.g. `qpdf --split-pages`).");
  }
}

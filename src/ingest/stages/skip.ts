/** Why a file is skipped, and what to tell the user to do about it. */
import type { SourceItem } from "../discover.js";
import type { SkipReason } from "../summary.js";

/** Thrown by a stage for a file it cannot take: the run reports it and goes on. */
export class Skip extends Error {
  constructor(
    readonly reason: SkipReason,
    readonly hint: string,
    readonly detail?: string,
  ) {
    super(detail ?? reason);
  }
}

/** Store failures that will fail every document: stop the run instead of skipping each file. */
export const FATAL_CODES = new Set(["EMBEDDINGS_AUTH", "EMBEDDINGS_BALANCE", "STORE_LOCKED", "CONFIG", "EMBEDDINGS_UNAVAILABLE"]);

/** How a source is named in events and records: its absolute path or its URL. */
export function displayOf(item: SourceItem): string {
  return item.type === "file" ? item.path : item.url;
}

/** A PDF without text is most likely a scan: OCR is what helps there, and only there. */
export const SCANNED_PDF_HINT = "The PDF has no text layer (a scan?): run OCR on it first (e.g. `ocrmypdf in.pdf out.pdf`), then ingest the result.";

export function hintFor(reason: SkipReason): string {
  switch (reason) {
    case "unsupported-type":
      return "Folio ingests PDF, Markdown (.md), text (.txt) and PNG/JPEG/WebP images.";
    case "mislabelled":
      return "The file's content does not match its extension: save the real file (e.g. download the PDF, not its web page) or rename it.";
    case "empty":
      return "The file has no text to index: add its text, or leave it out with --exclude.";
    case "too-large":
      return "Raise FOLIO_MAX_FILE_MB, or split the file.";
    case "too-many-pages":
      return "Raise FOLIO_MAX_PAGES, or split the document.";
    case "image-too-large":
      return "Raise FOLIO_MAX_IMAGE_MEGAPIXELS, or downscale the image.";
    case "encrypted":
      return "The PDF is password-protected: save an unencrypted copy and ingest that.";
    case "broken":
      return "The file could not be parsed: check that it opens in a viewer, or re-download it.";
    case "not-found":
      return "Check the path; it does not exist or cannot be read.";
    case "fetch-failed":
      return "Check the network and the URL, or download the file yourself and ingest the local copy.";
    case "store-failed":
      return "Writing to the store failed; re-run the same command to retry (finished documents are kept).";
  }
}

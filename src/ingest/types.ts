/**
 * The contract between the parsers (PDF, Markdown, images) and the ingest pipeline.
 * A parser turns one file into a ParsedDocument; images it renders or crops go to the ImageSink
 * the pipeline gives it as they are produced (so a 500-page PDF never holds all renders in memory)
 * and are referenced here by id.
 */
import type { ImageSink } from "../store/types.js";
import type { PdfiumTextWorker } from "./pdf/pdfium-remote.js";

export interface ParsedBlock {
  /** 1-based page; undefined for formats without pages (Markdown, text). */
  page?: number;
  /** Text in reading order: hyphenated line breaks joined, ligatures repaired, running headers/footers and line numbers dropped. */
  text: string;
  kind: "title" | "heading" | "paragraph" | "caption" | "abstract" | "equation" | "list" | "table";
  /** Nearest section heading above the block ("3.2 Attention"). */
  section?: string;
  /** True inside the references / bibliography section. */
  references: boolean;
  /** The block's extent on its page [x0, y0, x1, y1] in PDF points, origin top left (PDFs only). */
  bbox?: [number, number, number, number];
  /**
   * The block's lines in reading order (PDFs only): each line's box and how many letters and digits
   * it holds, so the chunker can find the lines of a sentence without character offsets (the text
   * was repaired after the lines were read: hyphens, ligatures, spacing).
   */
  lines?: BlockLine[];
}

export interface BlockLine {
  box: [number, number, number, number];
  /** Letters and digits in the line's text. */
  chars: number;
}

export interface ParsedFigure {
  /** "Figure 3", "Table 2" (normalised: "Fig. 3" -> "Figure 3"). */
  label: string;
  kind: "figure" | "table";
  /** The caption text including its label. */
  caption: string;
  page?: number;
  /** Id of the cropped PNG in the image sink; absent when not rendered. */
  imageId?: string;
  /** Region on the page in PDF points [x0, y0, x1, y1], origin top-left. */
  bbox?: [number, number, number, number];
  /** Sentences or paragraphs elsewhere in the document that mention this figure ("as shown in Figure 3"). */
  mentions: Array<{ page?: number; text: string }>;
}

export interface ParsedPage {
  page: number;
  /** The page's full text in reading order. */
  text: string;
  /** Id of the rendered page PNG in the image sink; absent when pages are not rendered. */
  imageId?: string;
}

export interface ParsedDocument {
  title: string;
  authors: string[];
  abstract?: string;
  year?: number;
  doi?: string;
  arxivId?: string;
  pageCount: number;
  pages: ParsedPage[];
  /** The chunker's input, in reading order. */
  blocks: ParsedBlock[];
  figures: ParsedFigure[];
  /** Non-fatal problems worth reporting (e.g. "page 7: figure crop failed"). */
  warnings: string[];
}

export interface ParseOptions {
  /** Where rendered pages and cropped figures go (in a worker thread: relayed to the pipeline's). */
  images: ImageSink;
  /** Render every page to PNG at pageDpi. */
  renderPages: boolean;
  pageDpi: number;
  /** Crop figures and tables at figureDpi. */
  cropFigures: boolean;
  figureDpi: number;
  maxPages: number;
  maxImagePixels: number;
  /** Engine of the PDF text pass (default pdfium; pdf.js reads what PDFium cannot). */
  textEngine?: "pdfium" | "pdfjs";
  /** Engine of figure regions and renders (default pdfium; pdf.js renders what PDFium cannot). */
  renderEngine?: "pdfium" | "pdfjs";
  /** PDFium on a worker thread for the text pass (parses in the main thread only; not cloneable). */
  textWorker?: PdfiumTextWorker;
  signal?: AbortSignal;
}

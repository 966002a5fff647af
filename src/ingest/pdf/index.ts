/**
 * PDF parser: research papers to structured text, pages and figures (see ../types.ts).
 *
 * Pass 1 reads every page's text layer (no rendering) into lines; the document-wide passes then
 * drop running headers and footers, order each page's lines (columns), group them into blocks,
 * find the structure and resolve hyphenated line breaks against the document's own vocabulary.
 * Pass 2 runs only when figures are cropped or pages rendered: one page at a time, its drawing
 * operations locate figures next to their captions and the page or regions are rendered to PNG.
 */
import type { PDFDocumentProxy, PDFPageProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import { saveImage } from "../images-store.js";
import type { ParsedBlock, ParsedDocument, ParsedPage, ParseOptions } from "../types.js";
import { blocksOfFlow, classifyBlock, removeMarginalia, type RawBlock } from "./blocks.js";
import { CorruptPdfError, EmptyPdfError, EncryptedPdfError, NotAPdfError, TooManyPagesError } from "./errors.js";
import { attachFigureMentions, figuresFromBlocks, findRegion, graphicsBoxes, type FigureCandidate, type OpsTable } from "./figures.js";
import { detectColumns, linesFromItems, readingOrder, type ColumnLayout, type PageText, type PdfTextItemLike } from "./layout.js";
import { documentOptions, loadPdfjs } from "./pdfjs.js";
import { renderRegion } from "./render.js";
import { arxivFromStamp, bodyFontSize, findDoi, findVenueYear, structure, yearFromPdfDate } from "./structure.js";
import { addToVocabulary, normalizeWhitespace, resolveLineBreakHyphens, type Vocabulary } from "./text-repair.js";

export * from "./errors.js";
export { saveImage } from "../images-store.js";

const decoder = new TextDecoder("latin1");

function describeNonPdf(data: Uint8Array): string {
  const head = decoder.decode(data.subarray(0, 512)).trimStart().toLowerCase();
  if (data.length === 0) return "the file is empty";
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) return "it is an HTML page";
  if (data[0] === 0x89 && head.startsWith("\u0089png")) return "it is a PNG image";
  if (data[0] === 0xff && data[1] === 0xd8) return "it is a JPEG image";
  if (head.startsWith("pk")) return "it is a ZIP archive";
  return "no %PDF- header";
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException("The parse was aborted.", "AbortError");
}

async function openDocument(data: Uint8Array): Promise<PDFDocumentProxy> {
  const header = decoder.decode(data.subarray(0, 1024));
  if (!header.includes("%PDF-")) throw new NotAPdfError(describeNonPdf(data));
  const tail = decoder.decode(data.subarray(Math.max(0, data.length - 2048)));
  const truncated = !tail.includes("%%EOF");
  const pdfjs = await loadPdfjs();
  let doc: PDFDocumentProxy;
  try {
    doc = await pdfjs.getDocument(await documentOptions(data)).promise;
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === "PasswordException") throw new EncryptedPdfError(error);
    const message = error instanceof Error ? error.message : String(error);
    throw new CorruptPdfError(truncated ? "the end of the file is missing" : message, error, truncated);
  }
  if (truncated) {
    await doc.destroy().catch(() => undefined);
    throw new CorruptPdfError("the end of the file (%%EOF) is missing", undefined, true);
  }
  return doc;
}

interface PassOnePage extends PageText {
  viewportTransform: number[];
}

async function readTextLayer(page: PDFPageProxy, pageNumber: number): Promise<PassOnePage> {
  const viewport = page.getViewport({ scale: 1 });
  const content = await page.getTextContent();
  const items = content.items.filter((item): item is PdfTextItemLike & (typeof content.items)[number] => "str" in item);
  const text = linesFromItems(items, viewport.transform, pageNumber, viewport.width, viewport.height);
  return { ...text, viewportTransform: viewport.transform };
}

/**
 * Parses run one at a time per thread: pdf.js's in-thread worker mixed up documents opened
 * concurrently ("Invalid page request" for the last page of one of them), and parsing is CPU-bound,
 * so queueing costs nothing. Use worker threads or processes for parallelism.
 */
let queue: Promise<unknown> = Promise.resolve();

export function parsePdf(data: Uint8Array, options: ParseOptions): Promise<ParsedDocument> {
  const run = queue.then(async () => {
    throwIfAborted(options.signal);
    const doc = await openDocument(data);
    try {
      return await parseDocument(doc, options);
    } finally {
      await doc.destroy().catch(() => undefined);
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

async function parseDocument(doc: PDFDocumentProxy, options: ParseOptions): Promise<ParsedDocument> {
  const warnings: string[] = [];
  const pageCount = doc.numPages;
  if (pageCount === 0) throw new EmptyPdfError("empty", "The PDF has no pages.");
  if (pageCount > options.maxPages) throw new TooManyPagesError(pageCount, options.maxPages);

  // Pass 1: text layers.
  const pages: PassOnePage[] = [];
  let failedPages = 0;
  let lastError: unknown;
  for (let n = 1; n <= pageCount; n++) {
    throwIfAborted(options.signal);
    let page: PDFPageProxy | undefined;
    try {
      page = await doc.getPage(n);
      pages.push(await readTextLayer(page, n));
    } catch (error) {
      failedPages++;
      lastError = error;
      warnings.push(`page ${n}: text could not be read (${error instanceof Error ? error.message : String(error)})`);
      pages.push({ page: n, width: 612, height: 792, lines: [], rotated: [], viewportTransform: [1, 0, 0, -1, 0, 792] });
    } finally {
      page?.cleanup();
    }
  }
  if (failedPages === pageCount) throw new CorruptPdfError("no page could be read", lastError);
  const textChars = pages.reduce((n, p) => n + p.lines.reduce((m, l) => m + l.text.length, 0), 0);
  if (textChars === 0) {
    throw new EmptyPdfError("no-text", `The PDF has ${pageCount} page${pageCount === 1 ? "" : "s"} but no text layer (an image-only scan, or blank pages).`);
  }

  const stampTexts = [...(pages[0]?.rotated ?? []), ...(pages[0]?.lines.map((l) => l.text) ?? [])];
  removeMarginalia(pages);

  // Blocks in reading order.
  const layouts = new Map<number, ColumnLayout>();
  const rawBlocks: RawBlock[] = [];
  for (const page of pages) {
    const layout = detectColumns(page.lines, page.width);
    layouts.set(page.page, layout);
    readingOrder(page.lines, layout).forEach((flow, index) => rawBlocks.push(...blocksOfFlow(flow, page.page, index)));
  }
  const bodySize = bodyFontSize(rawBlocks);
  for (const block of rawBlocks) classifyBlock(block, bodySize);

  const metadata = await doc.getMetadata().catch(() => undefined);
  const info = (metadata?.info ?? {}) as Record<string, unknown>;
  const metadataTitle = typeof info.Title === "string" ? info.Title : undefined;
  const pageHeights = new Map(pages.map((p) => [p.page, p.height]));
  const structured = structure(rawBlocks, pageHeights, bodySize, metadataTitle);

  const vocabulary: Vocabulary = new Map();
  for (const block of structured.blocks) addToVocabulary(vocabulary, block.text.replace(/\S*\uE000\S*/g, " "));
  for (const block of structured.blocks) block.text = normalizeWhitespace(resolveLineBreakHyphens(block.text, vocabulary));

  const blocks: ParsedBlock[] = structured.blocks
    .filter((b) => b.text.length > 0)
    .map((b) => ({ page: b.page, text: b.text, kind: b.kind, section: b.section, references: b.references }));

  const candidates = figuresFromBlocks(structured.blocks);
  const figures = candidates.map((c) => c.figure);
  attachFigureMentions(figures, blocks);

  const parsedPages: ParsedPage[] = pages.map((p) => ({
    page: p.page,
    text: blocks
      .filter((b) => b.page === p.page)
      .map((b) => b.text)
      .join("\n\n"),
  }));

  if (options.cropFigures || options.renderPages) {
    await renderPass(doc, pages, parsedPages, candidates, structured.blocks, layouts, bodySize, options, warnings);
  }

  const stamp = arxivFromStamp(stampTexts);
  const firstPageText = parsedPages[0]?.text ?? "";
  const frontText = blocks
    .filter((b) => (b.page ?? 0) <= 2 && !b.references)
    .map((b) => b.text)
    .join("\n");
  const doi = findDoi(stampTexts.join("\n") + "\n" + frontText);
  const year = stamp?.year ?? findVenueYear(stampTexts.join("\n") + "\n" + firstPageText) ?? yearFromPdfDate(info.CreationDate);

  const abstract = structured.info.abstract === undefined ? undefined : resolveLineBreakHyphens(structured.info.abstract, vocabulary);
  return {
    title: structured.info.title === undefined ? "Untitled" : resolveLineBreakHyphens(structured.info.title, vocabulary),
    authors: structured.info.authors,
    ...(abstract ? { abstract } : {}),
    ...(year ? { year } : {}),
    ...(doi ? { doi } : {}),
    ...(stamp ? { arxivId: stamp.arxivId } : {}),
    pageCount,
    pages: parsedPages,
    blocks,
    figures,
    warnings,
  };
}

async function renderPass(
  doc: PDFDocumentProxy,
  pages: PassOnePage[],
  parsedPages: ParsedPage[],
  candidates: FigureCandidate[],
  blocks: RawBlock[],
  layouts: Map<number, ColumnLayout>,
  bodySize: number,
  options: ParseOptions,
  warnings: string[],
): Promise<void> {
  const { OPS } = await loadPdfjs();
  for (const pageText of pages) {
    throwIfAborted(options.signal);
    const onPage = options.cropFigures ? candidates.filter((c) => c.figure.page === pageText.page) : [];
    if (!options.renderPages && onPage.length === 0) continue;
    let page: PDFPageProxy | undefined;
    try {
      page = await doc.getPage(pageText.page);
      if (options.renderPages) {
        try {
          const png = await renderRegion(page, options.pageDpi, options.maxImagePixels);
          const parsed = parsedPages[pageText.page - 1];
          if (parsed) parsed.imageId = await saveImage(options.imagesDir, png);
        } catch (error) {
          warnings.push(`page ${pageText.page}: rendering failed (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      if (onPage.length) {
        const operators = await page.getOperatorList();
        const graphics = graphicsBoxes(operators.fnArray, operators.argsArray, OPS as unknown as OpsTable, pageText.viewportTransform, pageText.width, pageText.height);
        const context = {
          pageWidth: pageText.width,
          pageHeight: pageText.height,
          layout: layouts.get(pageText.page) ?? { twoColumn: false, gutter: pageText.width / 2, left: 0, right: pageText.width },
          blocks: blocks.filter((b) => b.page === pageText.page),
          graphics,
          bodySize,
          contentTop: pageText.headerBottom ?? 0,
          contentBottom: pageText.footerTop ?? pageText.height,
        };
        for (const candidate of onPage) {
          const region = findRegion(candidate.block, candidate.figure.kind, context);
          if (!region) {
            warnings.push(`page ${pageText.page}: no region found for ${candidate.figure.label}`);
            continue;
          }
          candidate.figure.bbox = region;
          try {
            const png = await renderRegion(page, options.figureDpi, options.maxImagePixels, region);
            candidate.figure.imageId = await saveImage(options.imagesDir, png);
          } catch (error) {
            warnings.push(`page ${pageText.page}: crop of ${candidate.figure.label} failed (${error instanceof Error ? error.message : String(error)})`);
          }
        }
      }
    } catch (error) {
      warnings.push(`page ${pageText.page}: could not be rendered (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      page?.cleanup();
    }
  }
}

/**
 * PDF parser: research papers to structured text, pages and figures (see ../types.ts).
 *
 * Pass 1 reads every page's text layer (no rendering) into lines, with PDFium (./pdfium-text.ts,
 * several times faster) and pdf.js for the documents and pages PDFium cannot read; the document-wide passes then
 * drop running headers and footers, order each page's lines (columns), group them into blocks,
 * find the structure and resolve hyphenated line breaks against the document's own vocabulary.
 * Pass 2 runs only when figures are cropped or pages rendered: one page at a time, what it draws
 * locates figures next to their captions and the page or regions are rendered to PNG, with PDFium
 * (./pdfium-render.ts) and pdf.js for rotated pages and what PDFium fails on.
 * pdf.js is opened only when a fallback needs it.
 */
import type { PDFDocumentProxy, PDFPageProxy } from "pdfjs-dist/legacy/build/pdf.mjs";
import { errorMessage } from "../../errors.js";
import { abortError } from "../../util/abort.js";
import { hasPdfHeader } from "../sniff.js";
import type { ParsedBlock, ParsedDocument, ParsedFigure, ParsedPage, ParseOptions } from "../types.js";
import { blockLines, blocksOfFlow, classifyBlock, removeMarginalia, type RawBlock } from "./blocks.js";
import { CorruptPdfError, EmptyPdfError, EncryptedPdfError, NotAPdfError, TooManyPagesError } from "./errors.js";
import { attachFigureMentions, figuresFromBlocks, type FigureCandidate } from "./figures.js";
import { graphicsFromOperators, pageGraphics, type OpsTable } from "./graphics.js";
import { CaptionSides, findRegion } from "./regions.js";
import { detectColumns, linesFromItems, readingOrder, type ColumnLayout, type PageText, type PdfTextItemLike } from "./layout.js";
import { documentOptions, loadPdfjs } from "./pdfjs.js";
import { FIGURES } from "./heuristics.js";
import { PdfiumWorkerUnavailableError, type RemoteOpenResult } from "./pdfium-remote.js";
import { PdfiumDocument, type PdfiumOpenResult, type PdfiumTextSource } from "./pdfium-text.js";
import { PdfiumPage } from "./pdfium-render.js";
import { encodePng, renderGeometry, renderWithPdfjs, trimRgbaToInk, trimToInk } from "./render.js";
import { times, type Box } from "./matrix.js";
import { arxivFromStamp, bodyFontSize, findDoi, findVenueYear, structure, yearFromPdfDate } from "./structure.js";
import { addToVocabulary, normalizeWhitespace, resolveLineBreakHyphens, type Vocabulary } from "./text-repair.js";

export * from "./errors.js";

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
  if (signal?.aborted) throw abortError(signal, "The parse was aborted.");
}

const isTruncated = (data: Uint8Array) => !decoder.decode(data.subarray(Math.max(0, data.length - 2048))).includes("%%EOF");

/** Opens the file in pdf.js; `data` passed the header check and `truncated` is isTruncated(data). */
async function openDocument(data: Uint8Array, truncated: boolean): Promise<PDFDocumentProxy> {
  const pdfjs = await loadPdfjs();
  let doc: PDFDocumentProxy;
  try {
    doc = await pdfjs.getDocument(await documentOptions(data)).promise;
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === "PasswordException") throw new EncryptedPdfError(error);
    const message = errorMessage(error);
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

export type PdfTextEngine = NonNullable<ParseOptions["textEngine"]>;

/**
 * The open document: PDFium for the text pass when it reads the file, pdf.js opened on first use
 * (pages PDFium cannot map or draw, documents PDFium cannot open), so ordinary papers never load pdf.js.
 */
class PdfSource {
  private pdfjsDoc: Promise<PDFDocumentProxy> | undefined;
  private renderDoc: Promise<PdfiumDocument | undefined> | undefined;
  constructor(
    private readonly data: Uint8Array,
    private readonly truncated: boolean,
    readonly pdfium: PdfiumTextSource | undefined,
    /** PDFium was asked for the text pass and could not open the file: pass 2 does not ask again. */
    private readonly pdfiumRefused = false,
  ) {}

  /**
   * `data` passed the header check (hasPdfHeader) and `truncated` is isTruncated(data), both worked
   * out once by parsePdf; `remote`: the document already posted to a PDFium worker (see parsePdf).
   */
  static async open(data: Uint8Array, truncated: boolean, engine: PdfTextEngine, warnings: string[], remote?: Promise<PdfiumOpenResult | RemoteOpenResult>): Promise<PdfSource> {
    // Truncated files keep pdf.js's diagnosis (and its typed errors).
    if (engine === "pdfium" && !truncated) {
      try {
        // A worker that stopped is only slower: read the file in this thread instead.
        const opened = await (remote ?? PdfiumDocument.open(data)).catch((error: unknown) => {
          if (error instanceof PdfiumWorkerUnavailableError) return PdfiumDocument.open(data);
          throw error;
        });
        if (opened.ok) return new PdfSource(data, truncated, opened.doc);
        if (opened.password) throw new EncryptedPdfError();
        warnings.push(`PDFium could not open the file (error ${opened.code}); its text was read with pdf.js`);
      } catch (error) {
        if (error instanceof EncryptedPdfError) throw error;
        warnings.push(`PDFium failed (${errorMessage(error)}); the text was read with pdf.js`);
      }
    }
    const source = new PdfSource(data, truncated, undefined, engine === "pdfium" && !truncated);
    await source.pdfjs();
    return source;
  }

  pdfjs(): Promise<PDFDocumentProxy> {
    this.pdfjsDoc ??= openDocument(this.data, this.truncated);
    return this.pdfjsDoc;
  }

  /**
   * The document in this thread's PDFium for pass 2: the text pass's own when it ran here, else
   * opened now (the text pass ran on the PDFium worker, or with pdf.js); undefined when PDFium cannot
   * open the file (said once in the warnings) or stopped on it.
   */
  pdfiumHere(warnings: string[]): Promise<PdfiumDocument | undefined> {
    if (this.pdfium instanceof PdfiumDocument) return Promise.resolve(this.pdfium.usable ? this.pdfium : undefined);
    if (this.pdfiumRefused || this.truncated || this.pdfium?.broken) return Promise.resolve(undefined);
    this.renderDoc ??= PdfiumDocument.open(this.data).then(
      (opened) => {
        if (opened.ok) return opened.doc;
        warnings.push(`PDFium could not open the file for figures and page images (error ${opened.code}); they were drawn with pdf.js`);
        return undefined;
      },
      (error: unknown) => {
        warnings.push(`PDFium failed on the file (${errorMessage(error)}); figures and page images were drawn with pdf.js`);
        return undefined;
      },
    );
    return this.renderDoc;
  }

  get pageCount(): Promise<number> {
    return this.pdfium ? Promise.resolve(this.pdfium.pageCount) : this.pdfjs().then((doc) => doc.numPages);
  }

  async info(): Promise<Record<string, unknown>> {
    if (this.pdfium && !this.pdfium.broken) return this.pdfium.info();
    const metadata = await (await this.pdfjs()).getMetadata().catch(() => undefined);
    return (metadata?.info ?? {}) as Record<string, unknown>;
  }

  /** Pass 1 for one page: PDFium, else pdf.js (rotated pages, or PDFium failed on the page). */
  async textLayer(pageNumber: number, warnings: string[]): Promise<PassOnePage> {
    if (this.pdfium && !this.pdfium.broken) {
      try {
        const text = await this.pdfium.pageText(pageNumber);
        if (text) return { ...linesFromItems(text.items, text.viewportTransform, pageNumber, text.width, text.height), viewportTransform: text.viewportTransform };
      } catch (error) {
        warnings.push(`page ${pageNumber}: PDFium could not read the text (${errorMessage(error)}); read with pdf.js`);
      }
    }
    return this.pdfjsTextLayer(pageNumber);
  }

  async pdfjsTextLayer(pageNumber: number): Promise<PassOnePage> {
    const doc = await this.pdfjs();
    let page: PDFPageProxy | undefined;
    try {
      page = await doc.getPage(pageNumber);
      return await readTextLayer(page, pageNumber);
    } finally {
      page?.cleanup();
    }
  }

  async close(): Promise<void> {
    // PdfiumDocument.close never throws; a remote document's close only posts a message.
    this.pdfium?.close();
    (await this.renderDoc)?.close();
    const doc = await this.pdfjsDoc?.catch(() => undefined);
    await doc?.destroy().catch(() => undefined);
  }
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
  const engine = options.textEngine ?? "pdfium";
  // Posted to the PDFium worker now, not when this parse's turn comes: the worker reads this file
  // while the thread lays out the one before.
  const worker = options.textWorker;
  const isPdf = hasPdfHeader(data);
  const truncated = isTruncated(data);
  const remote = engine === "pdfium" && worker?.usable && isPdf && !truncated ? worker.open(data, options.maxPages) : undefined;
  const run = queue.then(async () => {
    let source: PdfSource | undefined;
    try {
      throwIfAborted(options.signal);
      const warnings: string[] = [];
      if (!isPdf) throw new NotAPdfError(describeNonPdf(data));
      source = await PdfSource.open(data, truncated, engine, warnings, remote);
      return await parseDocument(source, options, warnings);
    } finally {
      if (source) await source.close();
      else void remote?.then((opened) => opened.ok && opened.doc.close(), () => undefined);
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

function checkPageCount(pageCount: number, maxPages: number): number {
  if (pageCount === 0) throw new EmptyPdfError("empty", "The PDF has no pages.");
  if (pageCount > maxPages) throw new TooManyPagesError(pageCount, maxPages);
  return pageCount;
}

/**
 * Opens a PDF only to say whether ingest can read it and how many pages it has (an upload's check
 * before it is queued): throws the parser's typed errors (not a PDF, encrypted, corrupt, empty, too
 * many pages), each with its hint.
 */
export function probePdf(data: Uint8Array, maxPages: number): Promise<{ pageCount: number }> {
  const run = queue.then(async () => {
    if (!hasPdfHeader(data)) throw new NotAPdfError(describeNonPdf(data));
    const source = await PdfSource.open(data, isTruncated(data), "pdfium", []);
    try {
      const pageCount = checkPageCount(await source.pageCount, maxPages);
      return { pageCount };
    } finally {
      await source.close();
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

async function parseDocument(source: PdfSource, options: ParseOptions, warnings: string[]): Promise<ParsedDocument> {
  const pageCount = checkPageCount(await source.pageCount, options.maxPages);

  // Pass 1: text layers.
  let pages: PassOnePage[] = [];
  let failedPages = 0;
  let lastError: unknown;
  const readPages = async (read: (n: number) => Promise<PassOnePage>) => {
    pages = [];
    failedPages = 0;
    for (let n = 1; n <= pageCount; n++) {
      throwIfAborted(options.signal);
      try {
        pages.push(await read(n));
      } catch (error) {
        failedPages++;
        lastError = error;
        warnings.push(`page ${n}: text could not be read (${errorMessage(error)})`);
        pages.push({ page: n, width: 612, height: 792, lines: [], rotated: [], viewportTransform: [1, 0, 0, -1, 0, 792] });
      }
    }
  };
  const countChars = () => pages.reduce((n, p) => n + p.lines.reduce((m, l) => m + l.text.length, 0), 0);
  await readPages((n) => source.textLayer(n, warnings));
  // Before calling a document image-only, let pdf.js try too (fonts PDFium cannot map to text).
  if (source.pdfium && (failedPages === pageCount || countChars() === 0)) {
    const previous = warnings.length;
    await readPages((n) => source.pdfjsTextLayer(n));
    if (failedPages < pageCount && countChars() > 0) warnings.push("PDFium found no text; the text was read with pdf.js");
    else warnings.splice(previous);
  }
  if (failedPages === pageCount) throw new CorruptPdfError("no page could be read", lastError);
  const textChars = countChars();
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

  const info = await source.info();
  const metadataTitle = typeof info.Title === "string" ? info.Title : undefined;
  const pageHeights = new Map(pages.map((p) => [p.page, p.height]));
  const structured = structure(rawBlocks, pageHeights, bodySize, metadataTitle);

  const vocabulary: Vocabulary = new Map();
  for (const block of structured.blocks) addToVocabulary(vocabulary, block.text.replace(/\S*\uE000\S*/g, " "));
  for (const block of structured.blocks) block.text = normalizeWhitespace(resolveLineBreakHyphens(block.text, vocabulary));

  const sourceBlocks = structured.blocks.filter((b) => b.text.length > 0);
  let blocks: ParsedBlock[] = sourceBlocks.map((b) => ({ page: b.page, text: b.text, kind: b.kind, section: b.section, references: b.references, bbox: [b.x0, b.top, b.x1, b.bottom], lines: blockLines(b.lines) }));

  const candidates = figuresFromBlocks(structured.blocks);
  const figures = candidates.map((c) => c.figure);
  attachFigureMentions(figures, blocks);

  const pageTextOf = (page: number) =>
    blocks
      .filter((b) => b.page === page)
      .map((b) => b.text)
      .join("\n\n");
  const parsedPages: ParsedPage[] = pages.map((p) => ({ page: p.page, text: pageTextOf(p.page) }));

  if (options.cropFigures || options.renderPages) {
    await renderPass(source, pages, parsedPages, candidates, structured.blocks, layouts, bodySize, options, warnings);
    // Labels drawn inside a vector figure ("Stage 1", "Query") are text too: keep them out of the body text.
    const labels = new Set(sourceBlocks.filter((b) => isFigureLabelBlock(b, figures)));
    if (labels.size > 0) {
      blocks = blocks.filter((_, i) => !labels.has(sourceBlocks[i]!));
      for (const parsed of parsedPages) parsed.text = pageTextOf(parsed.page);
    }
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

/**
 * A block drawn inside a figure's region: short lines (labels, axis ticks), not a caption, and almost
 * entirely within the cropped box. Body paragraphs have long lines, so a region found too large never
 * swallows them; tables are left alone (their text is content).
 */
function isFigureLabelBlock(block: RawBlock, figures: ParsedFigure[]): boolean {
  if (block.kind === "caption" || block.kind === "heading" || block.kind === "title") return false;
  const meanLineChars = block.text.length / Math.max(block.lines.length, 1);
  if (meanLineChars > FIGURES.labelMaxLineChars) return false;
  const area = Math.max((block.x1 - block.x0) * (block.bottom - block.top), 1);
  return figures.some((f) => {
    if (f.kind !== "figure" || f.page !== block.page || !f.bbox) return false;
    const [x0, y0, x1, y1] = f.bbox;
    const overlap = Math.max(0, Math.min(x1, block.x1) - Math.max(x0, block.x0)) * Math.max(0, Math.min(y1, block.bottom) - Math.max(y0, block.top));
    return overlap / area >= FIGURES.labelMinOverlap;
  });
}

/** Pass 2 on one page: the drawn boxes (top-left page points) and PNG renders, by PDFium or pdf.js. */
interface PassTwoPage {
  graphics(): Promise<Box[]>;
  render(dpi: number, region?: Box): Promise<Buffer>;
  /** The region at the DPI, trimmed to its ink: the PNG and the box it shows. */
  crop(dpi: number, region: Box): Promise<{ png: Buffer; box: Box }>;
  close(): void;
}

function pdfiumPassTwoPage(page: PdfiumPage, text: PassOnePage, maxPixels: number): PassTwoPage {
  const draw = (dpi: number, region?: Box) => {
    const geometry = renderGeometry(text.width, text.height, dpi, maxPixels, region);
    const { scale, region: [x0, y0] } = geometry;
    // User space -> the page's top-left points (the text pass's viewport) -> the region's pixels.
    const transform = times([scale, 0, 0, scale, -x0 * scale, -y0 * scale], text.viewportTransform);
    return page.render(transform, geometry.width, geometry.height);
  };
  return {
    graphics: async () => pageGraphics(page.graphics(), text.viewportTransform, text.width, text.height),
    render: (dpi, region) => encodePng(draw(dpi, region)),
    crop: async (dpi, region) => {
      const trimmed = trimRgbaToInk(draw(dpi, region), region);
      return { png: await encodePng(trimmed.image), box: trimmed.box };
    },
    close: () => page.close(),
  };
}

async function pdfjsPassTwoPage(doc: PDFDocumentProxy, text: PassOnePage, maxPixels: number): Promise<PassTwoPage> {
  const { OPS, AnnotationMode } = await loadPdfjs();
  const page = await doc.getPage(text.page);
  return {
    graphics: async () => {
      // Without annotations, as PDFium's page objects: their appearance streams came back in their
      // own coordinates (boxes at the page's corner), and links and form fields are not figures.
      const operators = await page.getOperatorList({ annotationMode: AnnotationMode.DISABLE });
      return pageGraphics(graphicsFromOperators(operators.fnArray, operators.argsArray, OPS as unknown as OpsTable), text.viewportTransform, text.width, text.height);
    },
    render: (dpi, region) => renderWithPdfjs(page, renderGeometry(text.width, text.height, dpi, maxPixels, region)),
    crop: async (dpi, region) => trimToInk(await renderWithPdfjs(page, renderGeometry(text.width, text.height, dpi, maxPixels, region)), region),
    close: () => page.cleanup(),
  };
}

/** What pass 2 draws on one page, shared by both engines. */
interface PageWork {
  text: PassOnePage;
  parsed: ParsedPage | undefined;
  figures: FigureCandidate[];
  blocks: RawBlock[];
  layout: ColumnLayout;
  bodySize: number;
  captionSides: CaptionSides;
}

/**
 * Draws one page's image and crops. `lenient` (pdf.js, the last resort) turns each failed image into
 * a warning and goes on; otherwise the first failure is thrown so the caller can redo the page with pdf.js.
 */
async function drawPage(page: PassTwoPage, work: PageWork, options: ParseOptions, warnings: string[], lenient: boolean): Promise<void> {
  const { text } = work;
  const attempt = async (what: string, draw: () => Promise<void>) => {
    try {
      await draw();
    } catch (error) {
      if (!lenient || options.signal?.aborted) throw error;
      warnings.push(`page ${text.page}: ${what} failed (${errorMessage(error)})`);
    }
  };
  if (options.renderPages && work.parsed) {
    const parsed = work.parsed;
    await attempt("rendering", async () => {
      parsed.imageId = await options.images.put(await page.render(options.pageDpi));
    });
  }
  if (work.figures.length === 0) return;
  const context = {
    pageWidth: text.width,
    pageHeight: text.height,
    layout: work.layout,
    blocks: work.blocks,
    graphics: await page.graphics(),
    rotatedText: text.rotatedBoxes ?? [],
    captionSides: work.captionSides,
    bodySize: work.bodySize,
    contentTop: text.headerBottom ?? 0,
    contentBottom: text.footerTop ?? text.height,
  };
  for (const candidate of work.figures) {
    const region = findRegion(candidate.block, candidate.figure.kind, context);
    if (!region) {
      warnings.push(`page ${text.page}: no region found for ${candidate.figure.label}`);
      continue;
    }
    candidate.figure.bbox = region;
    await attempt(`crop of ${candidate.figure.label}`, async () => {
      // What the region's drawings span can be wider than what they paint (an image's white
      // margins): the crop and its box end where the ink does.
      const crop = await page.crop(options.figureDpi, region);
      candidate.figure.bbox = crop.box;
      candidate.figure.imageId = await options.images.put(crop.png);
    });
  }
}

/**
 * Pass 2: each page with PDFium when it has the document and the page is unrotated, else with
 * pdf.js; a page PDFium fails on is drawn again with pdf.js (with a warning), and when pdf.js cannot
 * open the file either, that is said once.
 */
async function renderPass(
  source: PdfSource,
  pages: PassOnePage[],
  parsedPages: ParsedPage[],
  candidates: FigureCandidate[],
  blocks: RawBlock[],
  layouts: Map<number, ColumnLayout>,
  bodySize: number,
  options: ParseOptions,
  warnings: string[],
): Promise<void> {
  const usePdfium = (options.renderEngine ?? "pdfium") === "pdfium";
  let pdfjsFailed = false;
  const captionSides = new CaptionSides();
  for (const text of pages) {
    throwIfAborted(options.signal);
    const figures = options.cropFigures ? candidates.filter((c) => c.figure.page === text.page) : [];
    if (!options.renderPages && figures.length === 0) continue;
    const work: PageWork = {
      text,
      parsed: parsedPages[text.page - 1],
      figures,
      blocks: blocks.filter((b) => b.page === text.page),
      layout: layouts.get(text.page) ?? { twoColumn: false, gutter: text.width / 2, left: 0, right: text.width },
      bodySize,
      captionSides,
    };

    const pdfium = usePdfium ? await source.pdfiumHere(warnings) : undefined;
    if (pdfium) {
      let page: PdfiumPage | undefined;
      // A page drawn again by pdf.js gives its own warnings ("no region found ..."): drop PDFium's.
      const warned = warnings.length;
      try {
        page = PdfiumPage.load(pdfium, text.page);
        if (page) {
          await drawPage(pdfiumPassTwoPage(page, text, options.maxImagePixels), work, options, warnings, false);
          continue;
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
        warnings.splice(warned);
        warnings.push(`page ${text.page}: PDFium could not draw the page (${errorMessage(error)}); drawn with pdf.js`);
      } finally {
        page?.close();
      }
    }

    if (pdfjsFailed) continue;
    let doc: PDFDocumentProxy;
    try {
      doc = await source.pdfjs();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      pdfjsFailed = true;
      warnings.push(`figures and page images were skipped from page ${text.page} on: pdf.js could not open the file (${errorMessage(error)})`);
      continue;
    }
    let page: PassTwoPage | undefined;
    try {
      page = await pdfjsPassTwoPage(doc, text, options.maxImagePixels);
      await drawPage(page, work, options, warnings, true);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      warnings.push(`page ${text.page}: could not be rendered (${errorMessage(error)})`);
    } finally {
      page?.close();
    }
  }
}

/** Stage 4, parse: a source's bytes into a ParsedDocument, by kind (PDF, image, Markdown, text). */
import { errorMessage } from "../../errors.js";
import { captionFromFileName, parseImage, readImageSize } from "../image.js";
import { parseMarkdown } from "../markdown.js";
import { classifyPdfError, hintOf, type PdfParser } from "../pdf-adapter.js";
import { parseText } from "../text.js";
import type { ParsedDocument } from "../types.js";
import type { StageContext } from "./context.js";
import type { Fingerprint } from "./fingerprint.js";
import type { PlannedItem } from "./plan.js";
import type { ReadSource } from "./read.js";
import { hintFor, Skip } from "./skip.js";

export async function parseSource({ item }: PlannedItem, source: ReadSource, fp: Fingerprint, ctx: StageContext, parsePdf: PdfParser): Promise<ParsedDocument> {
  const { options } = ctx;
  const { data, filePath, kind } = source;
  if (kind === "pdf") {
    let parsed: ParsedDocument;
    try {
      parsed = await parsePdf(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
        images: ctx.store.images,
        renderPages: ctx.renderPages,
        pageDpi: options.pageDpi,
        cropFigures: ctx.cropFigures,
        figureDpi: options.figureDpi,
        maxPages: options.maxPages,
        maxImagePixels: options.maxImagePixels,
        ...(options.pdfTextEngine ? { textEngine: options.pdfTextEngine } : {}),
        ...(options.pdfRenderEngine ? { renderEngine: options.pdfRenderEngine } : {}),
        signal: ctx.signal,
      });
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      const reason = classifyPdfError(error);
      throw new Skip(reason, hintOf(error) ?? hintFor(reason), errorMessage(error));
    }
    if (parsed.pageCount > options.maxPages) throw new Skip("too-many-pages", hintFor("too-many-pages"), `${parsed.pageCount} pages, over the ${options.maxPages}-page limit`);
    return parsed;
  }
  if (kind === "image") {
    const size = readImageSize(data);
    if (!size) throw new Skip("broken", hintFor("broken"), "the image header could not be read");
    if (size.width * size.height > options.maxImagePixels) {
      throw new Skip("image-too-large", hintFor("image-too-large"), `${size.width}x${size.height} pixels, over the ${(options.maxImagePixels / 1e6).toFixed(1)} megapixel limit`);
    }
    const caption = fp.sidecar?.text ?? item.manifest?.caption ?? captionFromFileName(filePath);
    try {
      return await parseImage({ data, size, filePath, images: ctx.store.images, caption, title: item.manifest?.title });
    } catch (error) {
      throw new Skip("broken", hintFor("broken"), `the image could not be decoded: ${errorMessage(error)}`);
    }
  }
  const text = fp.markdownText ?? new TextDecoder("utf-8").decode(data);
  if (!text.trim()) throw new Skip("empty", hintFor("empty"), "the file holds only whitespace");
  return kind === "markdown" ? await parseMarkdown(text, { filePath, images: ctx.store.images, maxImagePixels: options.maxImagePixels, maxImageBytes: options.maxFileBytes }) : parseText(text, filePath);
}

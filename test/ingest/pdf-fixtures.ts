/** Small PDFs generated with pdf-lib for the ingest tests (the parser's own fixtures live in test/ingest/pdf). */
import { PDFDocument, PDFHexString, PDFName, StandardFonts, rgb } from "pdf-lib";
import { wrap } from "../fixtures/make-pdfs.js";

export interface FixturePage {
  heading?: string;
  paragraphs: string[];
  /** Draws a filled box with this caption under it. */
  figureCaption?: string;
}

/** A single-column paper: a title on page 1, a bold heading and paragraphs per page, optional figure boxes. */
export async function makePaperPdf(title: string, pages: FixturePage[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  const regular = await doc.embedFont(StandardFonts.TimesRoman);
  const bold = await doc.embedFont(StandardFonts.TimesRomanBold);
  pages.forEach((spec, index) => {
    const page = doc.addPage([612, 792]);
    let y = 720;
    if (index === 0) {
      page.drawText(title, { x: 72, y, size: 18, font: bold });
      y -= 40;
    }
    if (spec.heading) {
      page.drawText(spec.heading, { x: 72, y, size: 13, font: bold });
      y -= 24;
    }
    for (const paragraph of spec.paragraphs) {
      for (const line of wrap(paragraph, regular, 10, 468)) {
        page.drawText(line, { x: 72, y, size: 10, font: regular });
        y -= 13;
      }
      y -= 8;
    }
    if (spec.figureCaption) {
      y -= 10;
      page.drawRectangle({ x: 150, y: y - 160, width: 300, height: 160, color: rgb(0.2, 0.4, 0.7), borderColor: rgb(0, 0, 0), borderWidth: 1 });
      page.drawRectangle({ x: 200, y: y - 120, width: 80, height: 60, color: rgb(0.9, 0.6, 0.1) });
      y -= 180;
      for (const line of wrap(spec.figureCaption, regular, 9, 468)) {
        page.drawText(line, { x: 72, y, size: 9, font: regular });
        y -= 12;
      }
    }
    page.drawText(String(index + 1), { x: 300, y: 40, size: 9, font: regular });
  });
  return doc.save({ useObjectStreams: false });
}

/**
 * A PDF whose standard security handler (RC4, revision 2, 40-bit key; an /Encrypt dictionary added to
 * a pdf-lib document) needs a password nobody knows. The parser tests' revision 3 flavour, written by
 * hand, is makeRc4Rev3EncryptedPdf in test/fixtures/make-pdfs.ts.
 */
export async function makeRc4Rev2EncryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([300, 300]).drawText("secret", { x: 50, y: 150, size: 12, font });
  const ctx = doc.context;
  const bytes = (seed: number) => PDFHexString.of(Array.from({ length: 32 }, (_, i) => ((i * 37 + seed) % 256).toString(16).padStart(2, "0")).join(""));
  const encrypt = ctx.obj({ Filter: PDFName.of("Standard"), V: 1, R: 2, Length: 40, P: -44, O: bytes(11), U: bytes(99) });
  ctx.trailerInfo.Encrypt = ctx.register(encrypt);
  ctx.trailerInfo.ID = ctx.obj([bytes(1), bytes(1)]);
  return doc.save({ useObjectStreams: false });
}

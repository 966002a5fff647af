/**
 * A second reader of PDF text positions for tests: pdf.js's text items of each page, in top-left
 * PDF points (the browser viewer's coordinates at scale 1), to check the boxes Folio stores and
 * draws against where the words really are.
 */
import type { PageBox } from "../../src/ingest/chunk-geometry.js";
import { documentOptions, loadPdfjs } from "../../src/ingest/pdf/pdfjs.js";

export interface TextLine {
  text: string;
  box: PageBox;
}

export async function pdfjsLines(data: Uint8Array): Promise<Map<number, TextLine[]>> {
  const pdfjs = await loadPdfjs();
  const doc = await pdfjs.getDocument(await documentOptions(data)).promise;
  const pages = new Map<number, TextLine[]>();
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const viewport = page.getViewport({ scale: 1 });
    const lines: TextLine[] = [];
    for (const item of (await page.getTextContent()).items) {
      if (!("str" in item) || !item.str.trim()) continue;
      const [, , c, d, x, y] = pdfjs.Util.transform(viewport.transform, item.transform) as number[];
      const height = Math.hypot(c ?? 0, d ?? 0);
      lines.push({ text: item.str, box: [x ?? 0, (y ?? 0) - height, (x ?? 0) + item.width, y ?? 0] });
    }
    pages.set(n, lines);
  }
  await doc.destroy();
  return pages;
}

const WORD = /\p{L}{5,}/gu;
export const wordsOf = (text: string): Set<string> => new Set(text.match(WORD) ?? []);

/** Whether a line's middle lies inside one of the boxes (vertically, within `slack` pt) and they overlap across. */
export function lineInside(line: PageBox, boxes: readonly PageBox[], slack = 1.5): boolean {
  return boxes.some((b) => {
    const midY = (line[1] + line[3]) / 2;
    return midY >= b[1] - slack && midY <= b[3] + slack && Math.min(line[2], b[2]) - Math.max(line[0], b[0]) > 0;
  });
}

/** The words of `text` that occur on exactly one line of the page, with that line. */
export function uniqueWordLines(text: string, lines: readonly TextLine[]): Array<{ word: string; line: TextLine }> {
  const linesWith = new Map<string, TextLine[]>();
  for (const line of lines) for (const w of wordsOf(line.text)) linesWith.set(w, [...(linesWith.get(w) ?? []), line]);
  const out: Array<{ word: string; line: TextLine }> = [];
  for (const word of wordsOf(text)) {
    const holders = linesWith.get(word);
    if (holders?.length === 1) out.push({ word, line: holders[0]! });
  }
  return out;
}

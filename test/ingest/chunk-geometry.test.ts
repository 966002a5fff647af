/**
 * Text chunks know where they are on their page: the boxes the web page highlights. Checked against
 * a second reader: pdf.js's own text positions (the engine the browser viewer renders with), on
 * the demo PDFs and, when ../shared is there, on real arXiv papers (one and two columns).
 * - recall: a word that occurs once on the page and is in the chunk lies on a line inside the boxes;
 * - precision: lines inside the boxes share words with the chunk (the boxes are not a whole page);
 * - size: a chunk has few boxes (line boxes are merged).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/ingest/chunker.js";
import { mergeLineBoxes, type PageBox } from "../../src/ingest/chunk-geometry.js";
import { parsePdf } from "../../src/ingest/pdf/index.js";
import type { ChunkInput } from "../../src/store/types.js";
import { packagePath } from "../../src/util/paths.js";
import { lineInside as inside, pdfjsLines, uniqueWordLines, wordsOf, type TextLine } from "../helpers/pdf-text.js";
import { useTempDir } from "../helpers/tmp.js";
import { PAPERS, hasCorpusPapers } from "./helpers.js";
import { textOnlyOptions } from "./pdf/text-options.js";

interface Agreement {
  words: number;
  wordsInside: number;
  linesInside: number;
  strayLinesInside: number;
  chunks: number;
  boxes: number;
}

function agreement(chunks: ChunkInput[], pages: Map<number, TextLine[]>): Agreement {
  const a: Agreement = { words: 0, wordsInside: 0, linesInside: 0, strayLinesInside: 0, chunks: 0, boxes: 0 };
  for (const chunk of chunks) {
    const { boxes, page } = chunk.metadata;
    if (chunk.metadata.kind !== "text" || !boxes?.length || !page) continue;
    a.chunks++;
    a.boxes += boxes.length;
    const lines = pages.get(page) ?? [];
    const chunkWords = wordsOf(chunk.text);
    for (const { line } of uniqueWordLines(chunk.text, lines)) {
      a.words++;
      if (inside(line.box, boxes)) a.wordsInside++;
    }
    for (const line of lines) {
      const words = wordsOf(line.text);
      if (words.size < 2 || !inside(line.box, boxes, 0)) continue;
      a.linesInside++;
      if (![...words].some((w) => chunkWords.has(w))) a.strayLinesInside++;
    }
  }
  return a;
}

const imagesDir = useTempDir("chunk-geometry");
const chunkOptions = { chunkTokens: 256, chunkOverlapTokens: 32 };

async function measure(file: string): Promise<Agreement> {
  const data = new Uint8Array(await readFile(file));
  const doc = await parsePdf(data, textOnlyOptions(imagesDir()));
  const chunks = chunkDocument(doc, { docId: "d", title: doc.title, authors: [], source: file }, chunkOptions);
  return agreement(chunks, await pdfjsLines(data));
}

function expectAgreement(a: Agreement): void {
  expect(a.chunks).toBeGreaterThan(0);
  expect(a.words).toBeGreaterThan(a.chunks);
  expect(a.wordsInside / a.words).toBeGreaterThanOrEqual(0.97);
  expect(a.strayLinesInside / a.linesInside).toBeLessThanOrEqual(0.08);
  expect(a.boxes / a.chunks).toBeLessThanOrEqual(3);
}

describe("text chunks carry their boxes on the page", () => {
  it("merges a column's lines into one rectangle and starts another at a column change", () => {
    const left: PageBox[] = [
      [50, 100, 290, 110],
      [50, 112, 288, 122],
      [50, 124, 200, 134],
    ];
    const right: PageBox[] = [
      [310, 60, 550, 70],
      [310, 72, 549, 82],
    ];
    expect(mergeLineBoxes([...left, ...right])).toEqual([
      [50, 100, 290, 134],
      [310, 60, 550, 82],
    ]);
    // A line far below (a paragraph after a figure) is a new rectangle.
    expect(mergeLineBoxes([left[0]!, [50, 300, 290, 310]])).toHaveLength(2);
    // Pieces of one row (a table's cells) join.
    expect(mergeLineBoxes([[50, 100, 120, 110], [200, 100, 290, 110]])).toEqual([[50, 100, 290, 110]]);
  });

  it.each(["dense-sparse-hybrid-retrieval.pdf", "late-interaction-multi-vector.pdf"])("the demo paper %s agrees with pdf.js", async (name) => {
    expectAgreement(await measure(packagePath("data", "papers", name)));
  }, 60_000);

  describe.skipIf(!hasCorpusPapers)("real arXiv papers", () => {
    const results = new Map<string, Agreement>();
    const names = ["1706.03762.pdf", "1810.04805.pdf", "2005.11401.pdf", "2203.02155.pdf"];
    beforeAll(async () => {
      for (const name of names) results.set(name, await measure(path.join(PAPERS, name)));
    }, 240_000);
    it.each(names)("%s agrees with pdf.js", (name) => {
      expectAgreement(results.get(name)!);
    });
  });
});

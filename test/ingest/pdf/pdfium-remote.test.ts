/**
 * PDFium's text pass on a worker thread (pdfium-remote.ts): a parse fed by the worker equals the
 * parse in this thread, documents posted back to back keep their own pages, broken and encrypted
 * files get the same typed errors, and a stopped worker only means parsing in this thread again.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePdf, PdfInputError } from "../../../src/ingest/pdf/index.js";
import { PdfiumTextWorker, PdfiumWorkerUnavailableError } from "../../../src/ingest/pdf/pdfium-remote.js";
import type { ParsedDocument, ParseOptions } from "../../../src/ingest/types.js";
import { makeBlankPdf, makeRc4Rev3EncryptedPdf, makeTwoColumnPaper } from "../../fixtures/make-pdfs.js";
import { useTempDir } from "../../helpers/tmp.js";
import { PAPERS as papers, hasCorpusPapers } from "../helpers.js";
import { textOnlyOptions } from "./text-options.js";

const imagesDir = useTempDir("pdfium-remote");
let worker: PdfiumTextWorker;
const options = (textWorker?: PdfiumTextWorker): ParseOptions => textOnlyOptions(imagesDir(), textWorker ? { textWorker } : {});

// The generated two-column paper and its in-thread parse, made once; the tests only read them (parsePdf and PdfiumTextWorker.open copy their input; nothing is detached).
let paper: Uint8Array;
let local: ParsedDocument;

beforeAll(async () => {
  worker = PdfiumTextWorker.start();
  paper = await makeTwoColumnPaper();
  local = await parsePdf(paper, options());
});
afterAll(async () => {
  await worker.close();
});

describe("PDFium text pass on a worker thread", () => {
  it("gives exactly the in-thread parse of the generated paper", async () => {
    const before = worker.pagesRead;
    const remote = await parsePdf(paper, options(worker));
    expect(worker.pagesRead - before).toBe(remote.pageCount);
    expect(remote.blocks.length).toBeGreaterThan(5);
    expect(remote).toEqual(local);
  });

  it.skipIf(!hasCorpusPapers)("keeps each document's pages apart when several are posted at once, and matches the in-thread parses", async () => {
    const names = ["1706.03762.pdf", "2007.01282.pdf", "2407.01449-p1-5.pdf"];
    const files = await Promise.all(names.map((name) => readFile(path.join(papers, name)).then((b) => new Uint8Array(b))));
    // All three posted before the first is laid out: the worker reads ahead.
    const before = worker.pagesRead;
    const remote = await Promise.all(files.map((data) => parsePdf(data, options(worker))));
    expect(worker.pagesRead - before).toBe(remote.reduce((n, doc) => n + doc.pageCount, 0));
    for (const [i, data] of files.entries()) {
      const local = await parsePdf(data, options());
      expect(remote[i]!.pageCount).toBe(local.pageCount);
      expect(remote[i]!.title).toBe(local.title);
      expect(remote[i]!.blocks).toEqual(local.blocks);
      expect(remote[i]!.figures).toEqual(local.figures);
    }
    expect(remote[0]!.title).toMatch(/Attention Is All You Need/i);
  });

  it("reports encrypted and blank files with the same typed errors as in-thread parsing", async () => {
    const encrypted = makeRc4Rev3EncryptedPdf();
    const remoteError = await parsePdf(encrypted, options(worker)).catch((e: unknown) => e);
    const localError = await parsePdf(encrypted, options()).catch((e: unknown) => e);
    expect(remoteError).toBeInstanceOf(PdfInputError);
    expect((remoteError as PdfInputError).problem).toBe("encrypted");
    expect((remoteError as PdfInputError).problem).toBe((localError as PdfInputError).problem);

    const blank = await makeBlankPdf();
    const blankError = await parsePdf(blank, options(worker)).catch((e: unknown) => e);
    expect((blankError as PdfInputError).problem).toBe("no-text");
  });

  it("falls back to pdf.js diagnostics for a corrupt file PDFium cannot open", async () => {
    const corrupt = new TextEncoder().encode("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ngarbage\n%%EOF\n");
    const error = await parsePdf(corrupt, options(worker)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PdfInputError);
    expect((error as PdfInputError).problem).toBe("corrupt");
  });

  it("after the worker stops, opens reject with a typed error and parses run in this thread", async () => {
    const stopped = PdfiumTextWorker.start();
    await stopped.close();
    expect(stopped.usable).toBe(false);
    await expect(stopped.open(paper, 10)).rejects.toBeInstanceOf(PdfiumWorkerUnavailableError);
    const parsed = await parsePdf(paper, options(stopped));
    expect(parsed).toEqual(local);
  });
});

/**
 * Worker thread body for PdfiumTextWorker (pdfium-remote.ts): opens each posted PDF in PDFium and
 * posts back its metadata and then every page's text items, in order, as soon as each is read. The
 * main thread lays out page n while this thread reads page n + 1 and the next document: on two cores
 * PDFium's share of a text-only ingest runs beside layout, chunking, BM25 and store writes.
 */
import { parentPort } from "node:worker_threads";
import { loadPdfium, PdfiumDocument } from "./pdfium-text.js";
import type { PdfiumThreadReply, PdfiumThreadRequest } from "./pdfium-remote.js";
import { errorMessage } from "../../errors.js";

const port = parentPort;

function extract(request: PdfiumThreadRequest, post: (reply: PdfiumThreadReply) => void): Promise<void> {
  return PdfiumDocument.open(request.data).then(
    (opened) => {
      if (!opened.ok) {
        post({ id: request.id, type: "opened", ok: false, password: opened.password, code: opened.code });
        return;
      }
      const doc = opened.doc;
      try {
        const pageCount = doc.pageCount;
        post({ id: request.id, type: "opened", ok: true, pageCount, meta: doc.info() });
        // A document over the caller's page limit is refused unread: no page of it is read.
        const last = pageCount > request.maxPages ? 0 : pageCount;
        for (let page = 1; page <= last; page++) {
          try {
            post({ id: request.id, type: "page", page, text: doc.pageText(page) });
          } catch (error) {
            // After a trap the instance is gone: the caller reads this page and the rest with pdf.js.
            post({ id: request.id, type: "page", page, error: errorMessage(error), trapped: doc.broken });
            if (doc.broken) return;
          }
        }
      } finally {
        doc.close();
      }
    },
    (error: unknown) => post({ id: request.id, type: "failed", message: errorMessage(error) }),
  );
}

if (port) {
  // Compile the WASM while the first file is read and hashed.
  void loadPdfium().catch(() => undefined);
  let chain: Promise<void> = Promise.resolve();
  port.on("message", (request: PdfiumThreadRequest) => {
    chain = chain.then(() => extract(request, (reply) => port.postMessage(reply))).catch((error: unknown) => port.postMessage({ id: request.id, type: "failed", message: errorMessage(error) } satisfies PdfiumThreadReply));
  });
  port.postMessage({ type: "ready" } satisfies PdfiumThreadReply);
}

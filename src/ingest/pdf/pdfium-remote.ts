/**
 * PDFium's text pass on a worker thread (see pdfium-thread.ts), for parses that run in this thread:
 * open() posts a copy of the PDF and returns at once with a document whose pages arrive one by one,
 * so PDFium reads the next pages and files while this thread lays out the previous ones.
 * Documents are read in the order they were opened.
 */
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../../util/worker.js";
import type { PdfiumOpenFailure, PdfiumPageText, PdfiumTextSource } from "./pdfium-text.js";

export interface PdfiumThreadRequest {
  id: number;
  data: Uint8Array;
  maxPages: number;
}

export type PdfiumThreadReply =
  | { type: "ready" }
  | { id: number; type: "opened"; ok: true; pageCount: number; meta: Record<string, string> }
  | { id: number; type: "opened"; ok: false; password: boolean; code: number }
  | { id: number; type: "page"; page: number; text?: PdfiumPageText; error?: string; trapped?: boolean }
  | { id: number; type: "failed"; message: string };

/** The worker could not start or stopped: the caller reads the file in its own thread instead. */
export class PdfiumWorkerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PdfiumWorkerUnavailableError";
  }
}

export type RemoteOpenResult = { ok: true; doc: RemotePdfiumDocument } | PdfiumOpenFailure;

interface PageSlot {
  promise: Promise<PdfiumPageText | undefined>;
  resolve: (text: PdfiumPageText | undefined) => void;
  reject: (error: Error) => void;
}

/** A document open on the worker; pageText(n) waits for page n. */
export class RemotePdfiumDocument implements PdfiumTextSource {
  private readonly pages = new Map<number, PageSlot>();
  /** Pages arrive in order: every page up to this one was delivered. */
  private delivered = 0;
  private trapped = false;
  private closed = false;

  constructor(
    readonly pageCount: number,
    private readonly meta: Record<string, string>,
    private readonly onClose: () => void,
  ) {}

  get broken(): boolean {
    return this.trapped;
  }

  info(): Record<string, string> {
    return { ...this.meta };
  }

  private slot(page: number): PageSlot {
    let slot = this.pages.get(page);
    if (!slot) {
      let resolve!: PageSlot["resolve"];
      let reject!: PageSlot["reject"];
      const promise = new Promise<PdfiumPageText | undefined>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A page nobody asks for (the caller stopped early) must not be an unhandled rejection.
      promise.catch(() => undefined);
      slot = { promise, resolve, reject };
      this.pages.set(page, slot);
    }
    return slot;
  }

  pageText(pageNumber: number): Promise<PdfiumPageText | undefined> {
    if (this.closed) return Promise.reject(new Error("the document is closed"));
    if (pageNumber < 1 || pageNumber > this.pageCount) return Promise.reject(new RangeError(`page ${pageNumber} is out of range`));
    const promise = this.slot(pageNumber).promise;
    // Delivered pages are handed over once; the map then holds only pages still to come.
    promise.then(() => this.pages.delete(pageNumber), () => this.pages.delete(pageNumber));
    return promise;
  }

  /** @internal From the worker. */
  deliver(reply: Extract<PdfiumThreadReply, { type: "page" }>): void {
    if (this.closed) return;
    this.delivered = reply.page;
    const slot = this.slot(reply.page);
    if (reply.error === undefined) {
      slot.resolve(reply.text);
      return;
    }
    slot.reject(new Error(reply.error));
    if (reply.trapped) this.fail(new Error(`PDFium stopped at page ${reply.page} (${reply.error})`), true);
  }

  /** @internal Every page not yet delivered fails (the worker trapped or stopped). */
  fail(error: Error, trapped = false): void {
    if (trapped) this.trapped = true;
    if (this.closed) return;
    for (let page = this.delivered + 1; page <= this.pageCount; page++) this.slot(page).reject(error);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pages.clear();
    this.onClose();
  }
}

interface OpenRequest {
  /** The last page the worker reads (maxPages until the page count is known; 0 for none). */
  lastPage: number;
  resolve: (result: RemoteOpenResult) => void;
  reject: (error: Error) => void;
  doc?: RemotePdfiumDocument;
}

/** One worker thread reading PDFs with PDFium for this thread's parses. */
export class PdfiumTextWorker {
  private readonly worker: Worker;
  private readonly requests = new Map<number, OpenRequest>();
  private nextId = 0;
  private ready = false;
  private failure: Error | undefined;
  /** Pages whose text came back from the worker (for progress and tests). */
  pagesRead = 0;

  private constructor() {
    this.worker = startModuleWorker(new URL("./pdfium-thread.js", import.meta.url), import.meta.url);
    this.worker.on("message", (reply: PdfiumThreadReply) => this.onReply(reply));
    this.worker.on("error", (error) => this.stop(new PdfiumWorkerUnavailableError(`the PDFium worker failed: ${error.message}`)));
    this.worker.on("exit", (code) => this.stop(new PdfiumWorkerUnavailableError(`the PDFium worker exited (code ${code})`)));
  }

  /** Starts the worker now, so its WASM compiles while the caller discovers and reads files. */
  static start(): PdfiumTextWorker {
    return new PdfiumTextWorker();
  }

  /** False once the worker failed; callers then read PDFs in their own thread. */
  get usable(): boolean {
    return this.failure === undefined;
  }

  /** Posts a copy of `data` (the caller keeps its buffer); every page is read eagerly unless there are more than `maxPages`. */
  open(data: Uint8Array, maxPages: number): Promise<RemoteOpenResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const copy = new Uint8Array(data);
    return new Promise<RemoteOpenResult>((resolve, reject) => {
      this.requests.set(id, { lastPage: maxPages, resolve, reject });
      this.worker.postMessage({ id, data: copy, maxPages } satisfies PdfiumThreadRequest, [copy.buffer]);
    });
  }

  private onReply(reply: PdfiumThreadReply): void {
    if (reply.type === "ready") {
      this.ready = true;
      return;
    }
    const request = this.requests.get(reply.id);
    if (!request) return;
    switch (reply.type) {
      case "opened":
        if (!reply.ok) {
          this.requests.delete(reply.id);
          request.resolve({ ok: false, password: reply.password, code: reply.code });
          return;
        }
        request.doc = new RemotePdfiumDocument(reply.pageCount, reply.meta, () => this.requests.delete(reply.id));
        // Over the page limit the worker reads no page (the caller refuses the document).
        request.lastPage = reply.pageCount > request.lastPage ? 0 : reply.pageCount;
        request.resolve({ ok: true, doc: request.doc });
        if (request.lastPage === 0) this.requests.delete(reply.id);
        return;
      case "page":
        this.pagesRead++;
        request.doc?.deliver(reply);
        if (reply.page >= request.lastPage || reply.trapped) this.requests.delete(reply.id);
        return;
      case "failed":
        this.requests.delete(reply.id);
        if (request.doc) request.doc.fail(new Error(reply.message), true);
        else request.reject(new Error(reply.message));
        return;
    }
  }

  private stop(error: Error): void {
    if (this.failure) return;
    this.failure = this.ready ? error : new PdfiumWorkerUnavailableError(`PDF worker threads are unavailable here (${error.message})`);
    for (const request of this.requests.values()) {
      if (request.doc) request.doc.fail(this.failure, true);
      else request.reject(this.failure);
    }
    this.requests.clear();
  }

  async close(): Promise<void> {
    this.stop(new PdfiumWorkerUnavailableError("the PDFium worker was closed"));
    await this.worker.terminate().catch(() => undefined);
  }
}

/**
 * A small pool of worker threads for PDF parsing. pdf.js is CPU-bound and single-threaded, so on
 * a multi-core machine parsing in workers lets files parse in parallel while the main thread does
 * BM25 and store writes. Each worker parses one file at a time; results come back by structured clone,
 * and the images a parse produces come here one by one, to the caller's image sink.
 */
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../util/worker.js";
import type { ImageSink } from "../store/types.js";
import { errorMessage } from "../errors.js";
import type { ParseOptions, ParsedDocument } from "./types.js";

interface Pending {
  resolve: (doc: ParsedDocument) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The id of the job the worker is parsing; undefined while it is idle. */
  job?: number;
  /** The worker loaded its module; a failure before that means workers do not work here. */
  ready: boolean;
}

/** What a worker is sent: the file and the options that can be cloned (no signal, workers or sink). */
export interface WorkerTask {
  id: number;
  data: Uint8Array;
  options: Omit<ParseOptions, "signal" | "textWorker" | "images">;
}

/** The answer to a worker's image: its id in the sink, or why it could not be kept. */
export interface ImageReply {
  seq: number;
  imageId?: string;
  error?: string;
}

interface Job extends WorkerTask {
  images: ImageSink;
}

type WorkerReply =
  | { id: number; ok: true; doc: ParsedDocument }
  | { id: number; ok: false; error: { name: string; message: string; problem?: string; hint?: string } }
  | { id: number; image: { seq: number; png: Uint8Array } };

/** Thrown when worker threads cannot start here: the caller parses in its own thread instead. */
export class PdfPoolUnavailableError extends Error {}

function startWorker(): Worker {
  return startModuleWorker(new URL("./pdf-worker.js", import.meta.url), import.meta.url);
}

export class PdfWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly pending = new Map<number, Pending>();
  /** the image sink of each job being parsed */
  private readonly sinks = new Map<number, ImageSink>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly size: number) {}

  parse(data: Uint8Array, options: ParseOptions): Promise<ParsedDocument> {
    if (this.closed) return Promise.reject(new PdfPoolUnavailableError("the PDF worker pool is closed"));
    // The signal and a main-thread PDFium worker stay here (neither can be cloned).
    const { signal: _signal, textWorker: _textWorker, images, ...transferable } = options;
    const id = this.nextId++;
    return new Promise<ParsedDocument>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, data, options: transferable, images });
      this.pump();
    });
  }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, ready: false };
    worker.on("message", (reply: WorkerReply | { ready: true }) => {
      if ("ready" in reply) {
        slot.ready = true;
        return;
      }
      if ("image" in reply) {
        this.keepImage(slot, reply.id, reply.image);
        return;
      }
      slot.job = undefined;
      this.sinks.delete(reply.id);
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (waiting) {
        if (reply.ok) waiting.resolve(reply.doc);
        else waiting.reject(Object.assign(new Error(reply.error.message), reply.error));
      }
      this.pump();
    });
    worker.on("error", (error) => this.fail(slot, error));
    worker.on("exit", (code) => {
      if (!this.closed) this.fail(slot, new Error(`PDF worker exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  /** Keeps one image a worker produced, and tells the worker its id. */
  private keepImage(slot: Slot, job: number, image: { seq: number; png: Uint8Array }): void {
    const sink = this.sinks.get(job);
    const answer = (reply: ImageReply) => slot.worker.postMessage(reply);
    if (!sink) return answer({ seq: image.seq, error: "the parse was cancelled" });
    sink.put(image.png).then(
      (imageId) => answer({ seq: image.seq, imageId }),
      (error: unknown) => answer({ seq: image.seq, error: errorMessage(error) }),
    );
  }

  /** A crashed worker fails only the file it was parsing; a fresh worker takes its place. */
  private fail(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    if (!slot.ready) {
      // Workers cannot start in this environment: every waiting parse goes back to the caller.
      this.closed = true;
      const unavailable = new PdfPoolUnavailableError(`PDF worker threads are unavailable: ${error.message}`);
      for (const [id, waiting] of this.pending) {
        waiting.reject(unavailable);
        this.pending.delete(id);
      }
      this.queue.length = 0;
      for (const s of this.slots) void s.worker.terminate().catch(() => undefined);
      this.slots.length = 0;
      return;
    }
    this.slots.splice(index, 1);
    const id = slot.job;
    slot.job = undefined;
    void slot.worker.terminate().catch(() => undefined);
    if (id !== undefined) {
      this.pending.get(id)?.reject(error);
      this.pending.delete(id);
      this.sinks.delete(id);
    }
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === undefined);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job.id;
      this.sinks.set(job.id, job.images);
      // A private copy is transferred (no copy on the way), the caller keeps its buffer.
      const copy = new Uint8Array(job.data);
      const task: WorkerTask = { id: job.id, data: copy, options: job.options };
      slot.worker.postMessage(task, [copy.buffer]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [id, waiting] of this.pending) {
      waiting.reject(new Error("the PDF worker pool was closed"));
      this.pending.delete(id);
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
    this.slots.length = 0;
    this.sinks.clear();
  }
}

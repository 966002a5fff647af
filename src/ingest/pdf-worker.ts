/**
 * Worker thread body: parses PDFs posted by PdfWorkerPool (pdf-pool.ts) and posts the ParsedDocument
 * back. Images the parser renders or crops are relayed to the pool's thread, whose image sink keeps
 * them (one at a time per parse, so renders never pile up here).
 */
import { parentPort } from "node:worker_threads";
import { loadPdfParser } from "./pdf-adapter.js";
import type { ImageReply, WorkerTask } from "./pdf-pool.js";

const port = parentPort;
if (port) {
  const waiting = new Map<number, { resolve: (id: string) => void; reject: (error: Error) => void }>();
  let nextSeq = 0;
  /** An image sink that sends each PNG to the pool and waits for its id. */
  const relay = (task: number) => ({
    put(png: Uint8Array): Promise<string> {
      const seq = nextSeq++;
      const copy = new Uint8Array(png);
      return new Promise<string>((resolve, reject) => {
        waiting.set(seq, { resolve, reject });
        port.postMessage({ id: task, image: { seq, png: copy } }, [copy.buffer]);
      });
    },
  });
  port.postMessage({ ready: true });
  port.on("message", (message: WorkerTask | ImageReply) => {
    if ("seq" in message) {
      const pending = waiting.get(message.seq);
      waiting.delete(message.seq);
      if (message.imageId !== undefined) pending?.resolve(message.imageId);
      else pending?.reject(new Error(message.error ?? "the image could not be kept"));
      return;
    }
    const task = message;
    void (async () => {
      try {
        const parse = await loadPdfParser();
        const doc = await parse(task.data, { ...task.options, images: relay(task.id) });
        port.postMessage({ id: task.id, ok: true, doc });
      } catch (error) {
        const e = error as { name?: string; message?: string; problem?: string; hint?: string };
        port.postMessage({ id: task.id, ok: false, error: { name: e?.name ?? "Error", message: e?.message ?? String(error), problem: e?.problem, hint: e?.hint } });
      }
    })();
  });
}

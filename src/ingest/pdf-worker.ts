/** Worker thread body: parses PDFs posted by PdfWorkerPool (pdf-pool.ts) and posts the ParsedDocument back. */
import { parentPort } from "node:worker_threads";
import { loadPdfParser } from "./pdf-adapter.js";
import type { ParseOptions } from "./types.js";

interface Task {
  id: number;
  data: Uint8Array;
  options: Omit<ParseOptions, "signal" | "textWorker">;
}

const port = parentPort;
if (port) {
  port.postMessage({ ready: true });
  port.on("message", (task: Task) => {
    void (async () => {
      try {
        const parse = await loadPdfParser();
        const doc = await parse(task.data, task.options);
        port.postMessage({ id: task.id, ok: true, doc });
      } catch (error) {
        const e = error as { name?: string; message?: string; problem?: string; hint?: string };
        port.postMessage({ id: task.id, ok: false, error: { name: e?.name ?? "Error", message: e?.message ?? String(error), problem: e?.problem, hint: e?.hint } });
      }
    })();
  });
}

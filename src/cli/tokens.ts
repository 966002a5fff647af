/** The token lines of an ingest summary: the estimate, what the server counted, and the budget. */
import type { Writable } from "node:stream";
import type { IngestSummary } from "../ingest/index.js";
import { countOf as count, formatCount as n, formatPrice } from "../util/numbers.js";
import { writeLine } from "./io.js";

const money = (price: { amount: number } | undefined) => (price ? `, about ${formatPrice(price.amount)} at your price` : "");

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function printTokens(out: Writable, s: IngestSummary): void {
  const e = s.estimate;
  if (e) {
    const c = e.cost;
    const line = (label: string, count: { inputs: number; tokens: number }) => writeLine(out, `  ${label.padEnd(14)} ${n(count.inputs).padStart(7)} inputs ${n(count.tokens).padStart(11)} tokens`);
    writeLine(out, `Embedding would send ${count(c.tokens, "token", "tokens")} in ${count(c.requests, "request", "requests")}${money(e.price)}:`);
    line("text chunks", c.text);
    line("page images", c.pages);
    line("figures", c.figures);
    if (c.multivector.inputs) line("multi-vectors", c.multivector);
    line("from cache", c.cached);
    if (c.lateChunkingWindows) writeLine(out, `  late chunking: ${count(c.lateChunkingWindows, "window", "windows")}`);
    const st = c.storage;
    writeLine(out, `Storage: ${n(st.points)} points; dense ${formatBytes(st.denseBytes)}, multi-vector ${formatBytes(st.multivectorBytes)}, sparse ${formatBytes(st.sparseBytes)}, payload ${formatBytes(st.payloadBytes)}.`);
    if (s.usage === null) writeLine(out, "No embeddings endpoint is set: only local BM25 runs, so nothing would be sent. Set JINA_API_KEY (or JINA_BASE_URL) and estimate again.");
    return;
  }
  const u = s.usage;
  if (u) {
    const retries = u.retries ? `, ${count(u.retries, "retry", "retries")}` : "";
    const windows = u.lateChunkingWindows ? `, ${count(u.lateChunkingWindows, "late-chunking window", "late-chunking windows")}` : "";
    writeLine(out, `Embedding used ${count(u.tokens, "token", "tokens")} (the server's count) in ${count(u.requests, "request", "requests")}${retries}${money(u.price)}; cache ${count(u.cacheHits, "hit", "hits")}, ${count(u.cacheMisses, "miss", "misses")}${windows}.`);
  }
  const b = s.budget;
  if (b?.reached) {
    writeLine(out, `Token budget reached: ${n(b.spentTokens)} of ${n(b.maxTokens)} tokens used. ${n(b.remaining.documents)} ${b.remaining.documents === 1 ? "document remains" : "documents remain"}, about ${n(b.remaining.tokens)} tokens${money(b.remaining.price)}.`);
    writeLine(out, "  What was stored is whole; run the same ingest again (with a larger --max-tokens, or none) to finish.");
  }
}

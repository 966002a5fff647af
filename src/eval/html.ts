/** The HTML report (placeholder until the full report lands): the JSON in a page. */
import type { EvalReport } from "./summary.js";

export function renderHtmlReport(report: EvalReport): string {
  const json = JSON.stringify(report).replace(/</g, "\\u003c");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Folio eval</title></head><body><pre id="data"></pre><script>document.getElementById("data").textContent=JSON.stringify(${json},null,2)</script></body></html>`;
}

/**
 * Stages 2 to 5 for one source, in order: read, fingerprint (and stop here when unchanged),
 * parse, chunk. Runs several sources at once; the writer takes what it returns.
 */
import { performance } from "node:perf_hooks";
import type { PdfParser } from "../pdf-adapter.js";
import { chunkParsed, type ReadyDocument } from "./chunk.js";
import type { StageContext } from "./context.js";
import { fingerprint, isUnchanged, storedRecord } from "./fingerprint.js";
import { parseSource } from "./parse.js";
import type { Plan, PlannedItem } from "./plan.js";
import { readSource } from "./read.js";
import { displayOf } from "./skip.js";

/** The document ready to write, or undefined when it is unchanged. Throws Skip for a file it cannot take. */
export async function prepareDocument(planned: PlannedItem, plan: Plan, ctx: StageContext, parsePdf: PdfParser, onFatal: (error: unknown) => void): Promise<ReadyDocument | undefined> {
  const startedAt = performance.now();
  const source = await readSource(planned, ctx);
  const fp = await fingerprint(planned, source, ctx);
  const existing = await storedRecord(planned.docId, plan.storedById, ctx, onFatal);
  if (isUnchanged(existing, fp, ctx)) {
    ctx.report.summary.unchanged++;
    ctx.report.file({ type: "unchanged", path: displayOf(planned.item), docId: planned.docId });
    return undefined;
  }
  const parsed = await parseSource(planned, source, fp, ctx, parsePdf);
  for (const w of parsed.warnings) ctx.report.warn(`${displayOf(planned.item)}: ${w}`);
  return chunkParsed(planned, source.kind, parsed, fp, existing !== null, startedAt, ctx);
}

/**
 * Stages 2 to 5 for one source, in order: read, fingerprint (and stop here when unchanged),
 * parse, chunk. Runs several sources at once; the writer takes what it returns.
 */
import { performance } from "node:perf_hooks";
import type { PdfParser } from "../pdf-adapter.js";
import { chunkParsed, type ReadyDocument } from "./chunk.js";
import type { StageContext } from "./context.js";
import { fingerprint, isUnchanged, storedRecord, type Fingerprint } from "./fingerprint.js";
import type { BeforeParse } from "../identity.js";
import { parseSource } from "./parse.js";
import type { Plan, PlannedItem } from "./plan.js";
import { readSource, type ReadSource } from "./read.js";
import { displayOf } from "./skip.js";

/** The document ready to write, or undefined when it is unchanged or a copy. Throws Skip for a file it cannot take. */
export async function prepareDocument(planned: PlannedItem, plan: Plan, ctx: StageContext, parsePdf: PdfParser, onFatal: (error: unknown) => void): Promise<ReadyDocument | undefined> {
  const startedAt = performance.now();
  const display = displayOf(planned.item);
  const { source, fp, seen } = await readAndClaim(planned, display, plan, ctx);
  if (seen.kind === "copy") {
    ctx.report.summary.copies++;
    ctx.report.file({ type: "copy", path: display, docId: seen.docId, of: seen.of });
    return undefined;
  }
  const identified: PlannedItem = seen.kind === "adopt" ? { ...planned, docId: seen.docId, idFrom: "stored" } : planned;
  const plannedRecord = await storedRecord(identified.docId, plan.storedById, ctx, onFatal);
  if (isUnchanged(plannedRecord, fp, ctx)) return unchanged(ctx, display, identified.docId);
  const parsed = await parseSource(identified, source, fp, ctx, parsePdf);
  for (const w of parsed.warnings) ctx.report.warn(`${display}: ${w}`);
  const resolved = plan.identities.afterParse({ ...identified, contentHash: fp.contentHash, display, parsed: { title: identified.item.manifest?.title ?? parsed.title, arxivId: parsed.arxivId, doi: identified.item.manifest?.doi ?? parsed.doi }, existing: plannedRecord });
  if (resolved.warning) ctx.report.warn(`${display}: ${resolved.warning}`);
  const existing = resolved.docId === identified.docId ? plannedRecord : await storedRecord(resolved.docId, plan.storedById, ctx, onFatal);
  if (resolved.docId !== identified.docId && isUnchanged(existing, fp, ctx)) return unchanged(ctx, display, resolved.docId);
  return chunkParsed({ ...identified, docId: resolved.docId, knownArxivId: resolved.arxivId }, source.kind, parsed, fp, existing !== null, startedAt, ctx);
}

/** Reads and hashes the source, then claims its bytes in its turn (see Identities.turn). */
async function readAndClaim(planned: PlannedItem, display: string, plan: Plan, ctx: StageContext): Promise<{ source: ReadSource; fp: Fingerprint; seen: BeforeParse }> {
  const claimed = await plan.identities.turn(planned.position);
  try {
    const source = await readSource(planned, ctx);
    const fp = await fingerprint(planned, source, ctx);
    return { source, fp, seen: plan.identities.beforeParse(planned.docId, display, fp.contentHash) };
  } finally {
    claimed();
  }
}

function unchanged(ctx: StageContext, display: string, docId: string): undefined {
  ctx.report.summary.unchanged++;
  ctx.report.file({ type: "unchanged", path: display, docId });
  return undefined;
}

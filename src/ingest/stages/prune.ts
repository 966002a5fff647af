/**
 * Stage 8, prune: with --prune, documents from files under the given folders that no longer
 * exist are deleted. Documents this run saw are kept, so the listing from before the run is the
 * one to check.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import type { FolioStoreApi } from "../../store/types.js";
import type { Plan } from "./plan.js";
import type { RunReport } from "./report.js";

export async function pruneGone(plan: Plan, store: FolioStoreApi, report: RunReport): Promise<void> {
  const seen = new Set(plan.items.map((p) => p.docId));
  for (const record of plan.storedFiles) {
    if (seen.has(record.docId)) continue;
    if (!plan.roots.some((root) => record.source.startsWith(root + path.sep))) continue;
    // A document stays while any copy of its file is still there.
    if (await anyExists([record.source, ...(record.alsoAt ?? [])])) continue;
    await store.deleteDocument(record.docId);
    report.summary.pruned++;
    report.file({ type: "pruned", path: record.source, docId: record.docId });
  }
}

async function anyExists(paths: string[]): Promise<boolean> {
  for (const p of paths) {
    if (await stat(p).then(() => true, () => false)) return true;
  }
  return false;
}

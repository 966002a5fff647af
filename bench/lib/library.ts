/**
 * BM25-only Folio libraries of real text: the shared papers ingested once by a build's CLI, then
 * grown by copying their points (new ids, a distinct docId and title per copy) and registry records,
 * as if many more papers had been ingested. Both builds get the same points under the same ids.
 */
import fs from "node:fs";
import path from "node:path";
import { v5 as uuidv5 } from "uuid";
import type { Schemas } from "@qdrant/js-client-rest";
import type { Build, LocalClient } from "./builds.js";
import { runFolio } from "./proc.js";
import { log } from "./util.js";

/** Folio's default collection and its registry (FOLIO_COLLECTION unset). */
export const COLLECTION = "folio";
export const REGISTRY = `${COLLECTION}_documents`;
/** Points per upsert while growing a library. */
export const UPSERT_BATCH = 2000;
const SCROLL_PAGE = 5000;
/** Namespace of the copies' point ids (uuid v5 of copy number and original id: the same in both builds' stores). */
const COPY_NAMESPACE = "6f2b8a52-3c1d-4e7a-9b0f-f011ab5e0001";

export function storePath(home: string): string {
  return path.join(home, "qdrant");
}

/** `folio ingest <papers> --no-figure-images` (text + BM25, no keys) into FOLIO_HOME=home. */
export async function ingestPapers(build: Build, home: string, papers: string): Promise<void> {
  const run = await runFolio(build, home, ["ingest", papers, "--no-figure-images"]);
  if (run.code !== 0) throw new Error(`${build.label}: folio ingest ${papers} exited with ${run.code}: ${run.stderr.slice(-2000)}`);
}

async function scrollAll(client: LocalClient, collection: string, withVector: boolean): Promise<Schemas["Record"][]> {
  const out: Schemas["Record"][] = [];
  let offset: string | number | null | undefined = undefined;
  do {
    const page: Schemas["ScrollResult"] = await client.scroll(collection, { limit: SCROLL_PAGE, offset, with_payload: true, with_vector: withVector });
    out.push(...page.points);
    offset = page.next_page_offset as string | number | null | undefined;
  } while (offset !== null && offset !== undefined);
  return out;
}

export interface LibraryStats {
  points: number;
  documents: number;
}

/** Calls compact() where the build has it (the new layout writes its segment files there). */
export async function compactIfAvailable(client: LocalClient): Promise<boolean> {
  if (typeof client.compact !== "function") return false;
  await client.compact();
  return true;
}

/**
 * Adds `copies` copies of every point and registry record of the library at `home` (so it ends with
 * copies + 1 times its documents), then compacts and closes.
 */
export async function growLibrary(build: Build, home: string, copies: number): Promise<LibraryStats> {
  const client = await build.openClient(storePath(home));
  try {
    const points = await scrollAll(client, COLLECTION, true);
    const records = await scrollAll(client, REGISTRY, false);
    let batch: Array<{ id: string; vector: unknown; payload: Record<string, unknown> }> = [];
    const flush = async (collection: string) => {
      if (batch.length === 0) return;
      await client.upsert(collection, { wait: true, points: batch });
      batch = [];
    };
    const PROGRESS_EVERY = 10;
    let mark = { t: performance.now(), copy: 0 };
    for (let copy = 1; copy <= copies; copy++) {
      for (const p of points) {
        const payload = (p.payload ?? {}) as { content?: string; metadata?: Record<string, unknown> };
        const metadata = payload.metadata ?? {};
        batch.push({
          id: uuidv5(`${copy}:${String(p.id)}`, COPY_NAMESPACE),
          vector: p.vector,
          payload: { ...payload, metadata: { ...metadata, docId: copyDocId(String(metadata.docId), copy), title: copyTitle(String(metadata.title), copy) } },
        });
        if (batch.length >= UPSERT_BATCH) await flush(COLLECTION);
      }
      if (copy % PROGRESS_EVERY === 0 || copy === copies) {
        const rate = ((copy - mark.copy) * points.length) / ((performance.now() - mark.t) / 1000);
        log(`  ${build.label}: ${copy}/${copies} copies (${((copy + 1) * points.length).toLocaleString("en-US")} points, ${rate.toFixed(0)} points/s lately)`);
        mark = { t: performance.now(), copy };
      }
    }
    await flush(COLLECTION);
    for (let copy = 1; copy <= copies; copy++) {
      for (const r of records) {
        const record = (r.payload ?? {}) as Record<string, unknown>;
        const docId = copyDocId(String(record.docId), copy);
        batch.push({ id: await build.documentPointId(docId), vector: [1], payload: { ...record, docId, title: copyTitle(String(record.title), copy), source: `${String(record.source)}#copy-${copy}` } });
        if (batch.length >= UPSERT_BATCH) await flush(REGISTRY);
      }
    }
    await flush(REGISTRY);
    await compactIfAvailable(client);
    return { points: (await client.count(COLLECTION, { exact: true })).count, documents: (await client.count(REGISTRY, { exact: true })).count };
  } finally {
    await client.close();
  }
}

/** Points and documents of a library (opens and closes the store). */
export async function libraryStats(build: Build, home: string): Promise<LibraryStats> {
  const client = await build.openClient(storePath(home));
  try {
    return { points: (await client.count(COLLECTION, { exact: true })).count, documents: (await client.count(REGISTRY, { exact: true })).count };
  } finally {
    await client.close();
  }
}

function copyDocId(docId: string, copy: number): string {
  return `${docId}~copy${copy}`;
}

function copyTitle(title: string, copy: number): string {
  return `${title} (copy ${copy})`;
}

/** A copy of a closed library's FOLIO_HOME (store, cache and all). */
export function copyHome(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

/**
 * Stage 1, plan: what this run will look at. Discovers the sources (folders, files, URLs, arXiv
 * ids, the manifest), gives every item its document id, and orders the items largest first.
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { DocumentRecord, FolioStoreApi } from "../../store/types.js";
import { discover, type SourceItem } from "../discover.js";
import { arxivDocId, arxivIdFromFileName, fileDocId, shortHash, urlDocId } from "../hash.js";
import { loadBibliography } from "../bibliography.js";
import { loadZoteroLibrary, type ZoteroOptions } from "../zotero.js";
import { loadManifest, mergeManifests } from "../manifest.js";
import type { RunReport } from "./report.js";
import { displayOf } from "./skip.js";

/** One source to prepare. */
export interface PlannedItem {
  item: SourceItem;
  docId: string;
  /** The arXiv id known before parsing: the manifest's, else the download's or the file name's. */
  knownArxivId: string | undefined;
  /** The file's size (undefined: a URL, or the file could not be stat'ed). */
  size: number | undefined;
}

export interface Plan {
  /** In the order to prepare them: largest files first. */
  items: PlannedItem[];
  /** Stored documents by id, when the run listed them (else look each up). */
  storedById: Map<string, DocumentRecord> | undefined;
  /** Stored documents that came from files (absolute sources), for --prune. */
  storedFiles: DocumentRecord[];
  /** The folders given, for --prune (empty: nothing to prune). */
  roots: string[];
  pruning: boolean;
}

export interface PlanOptions {
  include?: string[];
  exclude?: string[];
  manifest?: string;
  /** A BibTeX, BibLaTeX or CSL-JSON export: its PDF attachments, with the entries' metadata. */
  bibliography?: string;
  /** A Zotero data folder: its PDF attachments, with their items' metadata. */
  zotero?: { dataDir: string } & ZoteroOptions;
  prune?: boolean;
  arxivBaseUrl: string;
  cwd: string;
}

export async function planRun(store: FolioStoreApi, sources: string[], options: PlanOptions, report: RunReport): Promise<Plan> {
  const listed = options.manifest ? await loadManifest(path.resolve(options.cwd, options.manifest)) : undefined;
  const bibliography = options.bibliography ? await loadBibliography(path.resolve(options.cwd, options.bibliography)) : undefined;
  const zotero = options.zotero ? await loadZoteroLibrary(path.resolve(options.cwd, options.zotero.dataDir), options.zotero) : undefined;
  const manifest = mergeManifests(mergeManifests(listed, bibliography), zotero);
  for (const w of manifest?.warnings ?? []) report.warn(w);
  for (const gone of bibliography?.missing ?? []) {
    report.skip({ path: gone.path, reason: "not-found", detail: `the attachment of @${gone.key}`, hint: "The bibliography names a file that is not on disk: export it again with its files, or fix the path in the entry's file field." });
  }
  for (const gone of zotero?.missing ?? []) {
    report.skip({ path: gone.path, reason: "not-found", detail: `Zotero attachment ${gone.key}`, hint: "Zotero lists this file but it is not on disk: let Zotero download it (sync file storage), or relink it, then ingest again." });
  }
  report.progress("discover", 0, 0, "files");
  const discovered = await discover(sources, {
    include: options.include,
    exclude: options.exclude,
    manifest,
    arxivBaseUrl: options.arxivBaseUrl,
    cwd: options.cwd,
    onFound: (n) => report.progress("discover", n, n, "files"),
  });
  for (const s of discovered.skipped) report.skip(s);
  const items = discovered.items;
  report.summary.filesSeen = items.length + discovered.skipped.length;
  report.progress("discover", items.length, items.length, "files");

  // One listing of the stored documents serves the ids, --prune and the unchanged check (all of
  // them, by id: a document missing from it is not stored); the ids and --prune use those stored
  // from files (absolute sources).
  const pruning = Boolean(options.prune) && discovered.roots.length > 0;
  const stored = items.some((item) => item.type === "file") || pruning ? await store.listDocuments() : undefined;
  const storedFiles = (stored ?? []).filter((record) => path.isAbsolute(record.source));
  const knownArxivIds = items.map((item) => item.manifest?.arxivId ?? (item.type === "url" ? item.arxivId : arxivIdFromFileName(item.path)));
  const docIds = assignDocIds(items, knownArxivIds, storedFiles);

  // Largest files first, so the longest parse does not start last and run alone at the end.
  const sizes = await Promise.all(items.map((item) => (item.type === "file" ? stat(item.path).then((s) => s.size, () => undefined) : Promise.resolve(undefined))));
  const order = items.map((_, i) => i).sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0) || a - b);
  return {
    items: order.map((i) => ({ item: items[i]!, docId: docIds[i]!, knownArxivId: knownArxivIds[i], size: sizes[i] })),
    storedById: stored ? new Map(stored.map((record) => [record.docId, record])) : undefined,
    storedFiles,
    roots: discovered.roots,
    pruning,
  };
}

/**
 * Document ids, claimed in discovery order so two files never share one. A file keeps the id it
 * was stored under (ingesting a subfolder of an ingested folder adds nothing), and a file whose
 * folder-relative id belongs to another file that still exists (two folders with the same name)
 * gets an id of its own instead of replacing that file.
 */
function assignDocIds(items: SourceItem[], knownArxivIds: Array<string | undefined>, storedFiles: DocumentRecord[]): string[] {
  const storedIdBySource = new Map(storedFiles.map((record) => [record.source, record.docId]));
  const storedSourceById = new Map(storedFiles.map((record) => [record.docId, record.source]));
  const claimed = new Map<string, string>();
  return items.map((item, index) => {
    const display = displayOf(item);
    let id: string;
    if (item.type === "url") id = item.arxivId ? arxivDocId(item.arxivId) : urlDocId(item.url);
    else {
      const arxivId = knownArxivIds[index];
      if (arxivId) id = arxivDocId(arxivId);
      else {
        id = storedIdBySource.get(item.path) ?? fileDocId(item.root, item.path);
        const owner = storedSourceById.get(id);
        if (owner !== undefined && owner !== item.path && existsSync(owner)) id = `file:${shortHash(item.path)}`;
      }
    }
    if (claimed.has(id) && claimed.get(id) !== display) id = `file:${shortHash(display)}`;
    claimed.set(id, display);
    return id;
  });
}

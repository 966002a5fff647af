/**
 * Stage 1, plan: what this run will look at. Discovers the sources (folders, files, URLs, arXiv
 * ids, the manifest), gives every item its document id, and orders the items largest first.
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { DocumentRecord, FolioStoreApi } from "../../store/types.js";
import { discover, type SourceItem } from "../discover.js";
import { arxivDocId, arxivIdFromFileName, fileDocId, normalizeArxivId, shortHash, urlDocId } from "../hash.js";
import { Identities, type IdSource } from "../identity.js";
import { sourceKindOf } from "../sniff.js";
import { loadBibliography } from "../bibliography.js";
import { loadZoteroLibrary, type ZoteroOptions } from "../zotero.js";
import { loadManifest, mergeManifests } from "../manifest.js";
import type { RunReport } from "./report.js";
import { shardKey, shardOf, type Shard } from "./shard.js";
import { displayOf } from "./skip.js";

/** One source to prepare. */
export interface PlannedItem {
  item: SourceItem;
  /** Where it stands in the plan's order. */
  position: number;
  docId: string;
  /** Where `docId` came from: an arXiv id in a file name is only a hint the content must confirm. */
  idFrom: IdSource;
  /** The arXiv id known before parsing: the manifest's, else the download's or the file name's. */
  knownArxivId: string | undefined;
  /** For an image: the paper it is a figure of, when its folder, the manifest or a sibling PDF names it. */
  paperId: string | undefined;
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
  /** Which document each file is: copies by their bytes, ids checked against the content. */
  identities: Identities;
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
  /** Only this process' part of the corpus (`--shard i/N`). */
  shard?: Shard;
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
  report.ignore(discovered.ignored);
  const items = discovered.items;
  report.summary.filesSeen = items.length + discovered.skipped.length;
  report.progress("discover", items.length, items.length, "files");

  // One listing of the stored documents serves the ids, --prune and the unchanged check (all of
  // them, by id: a document missing from it is not stored); the ids and --prune use those stored
  // from files (absolute sources).
  const pruning = Boolean(options.prune) && discovered.roots.length > 0;
  const stored = items.some((item) => item.type === "file") || pruning ? await store.listDocuments() : undefined;
  const storedFiles = (stored ?? []).filter((record) => path.isAbsolute(record.source));
  const knownArxivIds = items.map(knownArxivIdOf);
  const claimed = new Map<string, string>();
  const docIds = assignDocIds(items, knownArxivIds, storedFiles, claimed);
  const paperIds = linkFigureImages(items, docIds, storedFiles);

  // Largest files first, so the longest parse does not start last and run alone at the end.
  const sizes = await Promise.all(items.map((item) => (item.type === "file" ? stat(item.path).then((s) => s.size, () => undefined) : Promise.resolve(undefined))));
  const order = items.map((_, i) => i).sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0) || a - b);
  const identities = new Identities(storedFiles, claimed);
  // Same-size files (the only possible copies) claim their bytes in plan order.
  const bySize = new Map<number, number[]>();
  for (const [position, i] of order.entries()) {
    const size = sizes[i];
    if (size !== undefined) bySize.set(size, [...(bySize.get(size) ?? []), position]);
  }
  for (const positions of bySize.values()) if (positions.length > 1) identities.orderSameSize(positions);
  const planned = order.map((i, position) => ({ item: items[i]!, position, docId: docIds[i]!, idFrom: idSourceOf(items[i]!, knownArxivIds[i]), knownArxivId: knownArxivIds[i], paperId: paperIds[i], size: sizes[i] }));
  const shard = options.shard;
  return {
    items: shard ? planned.filter((p) => shardOf(shardKey(p), shard.count) === shard.index) : planned,
    storedById: stored ? new Map(stored.map((record) => [record.docId, record])) : undefined,
    storedFiles,
    roots: discovered.roots,
    pruning,
    identities,
  };
}

/**
 * The arXiv id an item is known by before parsing: the manifest's, the download's, or the file
 * name's. An image is a figure, never a paper: its arXiv id names the paper it belongs to.
 */
function knownArxivIdOf(item: SourceItem): string | undefined {
  if (item.type === "url") return item.manifest?.arxivId ?? item.arxivId;
  if (sourceKindOf(item.path) === "image") return undefined;
  return item.manifest?.arxivId ?? arxivIdFromFileName(item.path);
}

function idSourceOf(item: SourceItem, arxivId: string | undefined): IdSource {
  if (item.type === "url") return item.arxivId || item.manifest?.arxivId ? "download" : "url";
  if (!arxivId) return "path";
  return item.manifest?.arxivId ? "manifest" : "file-name";
}

/**
 * The paper each standalone figure image belongs to: the manifest row's arXiv id, a folder named
 * like an arXiv id (figures/1706.03762/), or a folder named like one PDF of this run or the store
 * (attention.pdf and attention/fig1.png). A caption that names an arXiv id is read at parse time.
 */
function linkFigureImages(items: SourceItem[], docIds: string[], storedFiles: DocumentRecord[]): Array<string | undefined> {
  const pdfsByStem = new Map<string, Set<string>>();
  const addPdf = (file: string, docId: string) => {
    if (sourceKindOf(file) !== "pdf") return;
    const stem = path.basename(file, path.extname(file)).toLowerCase();
    pdfsByStem.set(stem, new Set([...(pdfsByStem.get(stem) ?? []), docId]));
  };
  items.forEach((item, i) => item.type === "file" && addPdf(item.path, docIds[i]!));
  for (const record of storedFiles) addPdf(record.source, record.docId);
  return items.map((item) => {
    if (item.type !== "file" || sourceKindOf(item.path) !== "image") return undefined;
    if (item.manifest?.arxivId) return arxivDocId(item.manifest.arxivId);
    const folder = path.basename(path.dirname(item.path));
    const arxivId = normalizeArxivId(folder);
    if (arxivId) return arxivDocId(arxivId);
    const named = pdfsByStem.get(folder.toLowerCase());
    return named?.size === 1 ? [...named][0] : undefined;
  });
}

/**
 * Document ids, claimed in discovery order so two files never share one. A file keeps the id it
 * was stored under (ingesting a subfolder of an ingested folder adds nothing), and a file whose
 * folder-relative id belongs to another file that still exists (two folders with the same name)
 * gets an id of its own instead of replacing that file.
 */
function assignDocIds(items: SourceItem[], knownArxivIds: Array<string | undefined>, storedFiles: DocumentRecord[], claimed: Map<string, string>): string[] {
  const storedIdBySource = new Map(storedFiles.map((record) => [record.source, record.docId]));
  const storedSourceById = new Map(storedFiles.map((record) => [record.docId, record.source]));
  return items.map((item, index) => {
    const display = displayOf(item);
    let id: string;
    const known = knownArxivIds[index];
    if (item.type === "url") id = known ? arxivDocId(known) : urlDocId(item.url);
    else {
      if (known) id = arxivDocId(known);
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

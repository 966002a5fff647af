/**
 * Expands the sources the user gave (files, folders, URLs, "arxiv:<id>") and the manifest into the
 * list of documents to ingest. Folders are walked recursively with fast-glob; include/exclude are
 * picomatch globs relative to each folder. Sidecar caption files of images are not documents.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import fg from "fast-glob";
import { normalizeArxivId } from "./hash.js";
import type { Manifest, ManifestEntry } from "./manifest.js";
import { sidecarCandidates } from "./image.js";
import { EXTENSIONS, sourceKindOf } from "./sniff.js";
import type { SkippedFile } from "./summary.js";

export interface FileItem {
  type: "file";
  /** Absolute path. */
  path: string;
  /** The folder the file was found under (its own folder for files given one by one). */
  root: string;
  manifest?: ManifestEntry;
}

export interface UrlItem {
  type: "url";
  url: string;
  arxivId?: string;
  manifest?: ManifestEntry;
}

export type SourceItem = FileItem | UrlItem;

export interface DiscoverOptions {
  include?: string[];
  exclude?: string[];
  manifest?: Manifest;
  arxivBaseUrl: string;
  cwd: string;
  onFound?: (count: number) => void;
}

export interface DiscoverResult {
  items: SourceItem[];
  /** Files in the walked folders that are of no type Folio reads (absolute paths). */
  ignored: string[];
  /** Folders walked (for prune: only documents under these roots can be pruned). */
  roots: string[];
  skipped: SkippedFile[];
}

export const DEFAULT_EXCLUDE = ["**/node_modules/**", "**/.git/**", "**/.folio/**"];

const SUPPORTED = Object.keys(EXTENSIONS).map((e) => e.slice(1));

const IMAGE_LINK = /!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^)]*["'])?\s*\)/g;

/** Local image paths a Markdown text links to (absolute). */
export function markdownImageLinks(markdownPath: string, text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(IMAGE_LINK)) {
    const href = match[1];
    if (!href || /^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
    try {
      out.push(path.resolve(path.dirname(markdownPath), decodeURI(href.split("#")[0] ?? href)));
    } catch {
      // a malformed URI escape: not a local file we can match
    }
  }
  return out;
}

/** Markdown files read at once while looking for their image links (each read holds a file descriptor). */
const LINK_SCAN_CONCURRENCY = 16;

/** Local images that Markdown files link to (absolute paths). */
async function linkedImages(markdownFiles: string[]): Promise<Set<string>> {
  const links = new Array<string[]>(markdownFiles.length);
  let next = 0;
  const scan = async () => {
    for (let i = next++; i < markdownFiles.length; i = next++) {
      const file = markdownFiles[i]!;
      try {
        links[i] = markdownImageLinks(file, await readFile(file, "utf8"));
      } catch {
        // unreadable: reported when the file itself is ingested
        links[i] = [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINK_SCAN_CONCURRENCY, markdownFiles.length) }, scan));
  return new Set(links.flat());
}

const ARXIV_PREFIX = /^arxiv:/i;

/** What an `arxiv:` source must look like. */
export const ARXIV_ID_FORM = "An arXiv source is arxiv:<id>, with a new-style id such as arxiv:1706.03762 (a version, v5, may follow) or an old-style one such as arxiv:hep-th/9901001.";

/** Whether an `arxiv:` source names a valid arXiv id (other sources: true). */
export function isWellFormedRemote(source: string): boolean {
  return !ARXIV_PREFIX.test(source) || normalizeArxivId(source) !== undefined;
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** http(s) URLs and "arxiv:<id>": fetched by the pipeline (into FOLIO_HOME/downloads), not resolved as paths. */
export function isRemoteSource(source: string): boolean {
  return isUrl(source) || ARXIV_PREFIX.test(source);
}

export async function discover(sources: string[], options: DiscoverOptions): Promise<DiscoverResult> {
  const items: SourceItem[] = [];
  const skipped: SkippedFile[] = [];
  const roots: string[] = [];
  const ignored: string[] = [];
  const seenPaths = new Set<string>();
  const seenUrls = new Set<string>();
  const manifest = options.manifest;

  const addFile = (absolutePath: string, root: string) => {
    if (seenPaths.has(absolutePath)) return;
    seenPaths.add(absolutePath);
    items.push({ type: "file", path: absolutePath, root, manifest: manifest?.byPath.get(absolutePath) });
    options.onFound?.(items.length);
  };
  const addUrl = (url: string, arxivId: string | undefined, entry?: ManifestEntry) => {
    if (seenUrls.has(url)) return;
    seenUrls.add(url);
    items.push({ type: "url", url, arxivId, manifest: entry });
    options.onFound?.(items.length);
  };

  for (const source of sources) {
    const arxivFromSource = ARXIV_PREFIX.test(source) ? normalizeArxivId(source) : undefined;
    if (ARXIV_PREFIX.test(source) && !arxivFromSource) {
      skipped.push({ path: source, reason: "not-found", detail: "not an arXiv id", hint: ARXIV_ID_FORM });
      continue;
    }
    if (arxivFromSource) {
      addUrl(`${options.arxivBaseUrl.replace(/\/+$/, "")}/${arxivFromSource}`, arxivFromSource);
      continue;
    }
    if (isUrl(source)) {
      addUrl(source, normalizeArxivId(source));
      continue;
    }
    const absolute = path.resolve(options.cwd, source);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      skipped.push({ path: absolute, reason: "not-found", hint: "Check the path; it does not exist or cannot be read." });
      continue;
    }
    if (info.isDirectory()) {
      roots.push(absolute);
      const include = options.include && options.include.length > 0 ? options.include : ["**/*"];
      const files = await fg(include, {
        cwd: absolute,
        absolute: true,
        onlyFiles: true,
        dot: false,
        followSymbolicLinks: true,
        caseSensitiveMatch: false,
        // "*.pdf" means every PDF under the folder, as users expect.
        baseNameMatch: true,
        suppressErrors: true,
        ignore: [...DEFAULT_EXCLUDE, ...(options.exclude ?? [])],
      });
      files.sort();
      const normalized = files.map((f) => path.normalize(f));
      const documents = normalized.filter((f) => sourceKindOf(f) !== undefined);
      ignored.push(...normalized.filter((f) => sourceKindOf(f) === undefined));
      // Sidecar captions (fig.png + fig.txt) belong to their image.
      const present = new Set(documents);
      const sidecars = new Set<string>();
      for (const file of documents) if (sourceKindOf(file) === "image") for (const c of sidecarCandidates(file)) if (present.has(c)) sidecars.add(c);
      // Images linked from Markdown files in the same walk are that document's figures, not documents.
      const linked = await linkedImages(documents.filter((f) => sourceKindOf(f) === "markdown"));
      for (const file of documents) if (!sidecars.has(file) && !linked.has(file)) addFile(file, absolute);
    } else if (info.isFile()) {
      if (!sourceKindOf(absolute)) {
        skipped.push({ path: absolute, reason: "unsupported-type", hint: `Folio ingests ${SUPPORTED.join(", ")} files.` });
        continue;
      }
      addFile(absolute, path.dirname(absolute));
    }
  }

  // Manifest rows: files not found in the sources are added; URLs and arXiv ids are fetched.
  for (const entry of manifest?.entries ?? []) {
    if (entry.absolutePath) {
      if (seenPaths.has(entry.absolutePath)) continue;
      try {
        const info = await stat(entry.absolutePath);
        if (info.isFile()) {
          if (sourceKindOf(entry.absolutePath)) addFile(entry.absolutePath, path.dirname(entry.absolutePath));
          else skipped.push({ path: entry.absolutePath, reason: "unsupported-type", hint: `Folio ingests ${SUPPORTED.join(", ")} files.` });
          continue;
        }
      } catch {
        // fall through: a URL or arXiv id in the same row may still work
      }
      if (!entry.url && !entry.arxivId) {
        skipped.push({ path: entry.absolutePath, reason: "not-found", hint: `The manifest (line ${entry.line}) lists a file that does not exist.` });
        continue;
      }
    }
    if (entry.url) addUrl(entry.url, entry.arxivId ?? normalizeArxivId(entry.url), entry);
    else if (entry.arxivId) addUrl(`${options.arxivBaseUrl.replace(/\/+$/, "")}/${entry.arxivId}`, entry.arxivId, entry);
  }
  return { items, roots, skipped, ignored };
}

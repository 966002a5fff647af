/** Hashing helpers: content hashes of files and the stable document ids ingest chooses. */
import { createHash } from "node:crypto";
import path from "node:path";

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A short, stable hex digest for ids and fingerprints (first 16 hex chars of sha256 = 64 bits). */
export function shortHash(data: Uint8Array | string): string {
  return sha256Hex(data).slice(0, 16);
}

const ARXIV_NEW = /^(\d{4}\.\d{4,5})(v\d+)?$/;
const ARXIV_OLD = /^([a-z-]+(?:\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

/**
 * Normalises an arXiv identifier ("arXiv:1706.03762v5", "https://arxiv.org/abs/1706.03762") to its
 * version-less form ("1706.03762"), or undefined when the text is not one. Versions are dropped so a
 * newer version of a paper replaces the old one instead of sitting beside it.
 */
export function normalizeArxivId(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  let s = raw.trim();
  s = s.replace(/^https?:\/\/(www\.)?(export\.)?arxiv\.org\/(abs|pdf)\//i, "").replace(/\.pdf$/i, "");
  s = s.replace(/^arxiv:\s*/i, "");
  const m = ARXIV_NEW.exec(s) ?? ARXIV_OLD.exec(s);
  return m?.[1];
}

/** arXiv id from a file name such as "1706.03762.pdf" or "1706.03762v5.pdf" (the whole stem must be the id). */
export function arxivIdFromFileName(filePath: string): string | undefined {
  const stem = path.basename(filePath, path.extname(filePath));
  return normalizeArxivId(stem);
}

/**
 * Document ids (see README of this folder, "docId"):
 * - `arxiv:<id>` when the arXiv id is known before parsing (manifest, file name, or an arXiv download);
 * - `url:<hash>` for other downloads;
 * - `file:<hash of "<root folder name>/<path relative to the root>">` otherwise.
 * Keying files by the root folder's name plus the relative path keeps ids stable when the whole
 * folder is moved or the corpus is ingested from another working directory; an edited file keeps its
 * id (so it is replaced, not duplicated); a renamed file is a new document (its old id is pruned).
 * The pipeline then prefers the id a file is already stored under (a subfolder ingested after its
 * folder adds nothing) and gives `file:<hash of the absolute path>` to a file whose folder-relative id
 * belongs to another file that still exists (two folders of the same name).
 */
export function arxivDocId(arxivId: string): string {
  return `arxiv:${arxivId}`;
}

export function urlDocId(url: string): string {
  return `url:${shortHash(url)}`;
}

export function fileDocId(rootDir: string, absolutePath: string): string {
  return `file:${shortHash(fileKey(rootDir, absolutePath))}`;
}

export function fileKey(rootDir: string, absolutePath: string): string {
  const rel = path.relative(rootDir, absolutePath).split(path.sep).join("/");
  return `${path.basename(rootDir)}/${rel}`;
}

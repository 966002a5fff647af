/**
 * Stage 3, fingerprint: the content hash that decides whether a document changed. It covers the
 * bytes plus whatever else shapes the chunks (pipeline version, chunk sizes, rendering, manifest
 * metadata, an image's sidecar caption, a Markdown file's linked images).
 */
import { stat } from "node:fs/promises";
import { errorMessage, FolioError } from "../../errors.js";
import type { DocumentRecord } from "../../store/types.js";
import { markdownImageLinks } from "../discover.js";
import { sha256Hex, shortHash } from "../hash.js";
import { readSidecarCaption } from "../image.js";
import { PIPELINE_VERSION } from "../version.js";
import type { StageContext } from "./context.js";
import type { PlannedItem } from "./plan.js";
import type { ReadSource } from "./read.js";
import { FATAL_CODES, hintFor, Skip } from "./skip.js";

export interface Fingerprint {
  contentHash: string;
  /** an image's sidecar caption (read once, for the hash and the parse) */
  sidecar: { text: string } | undefined;
  /** a Markdown file decoded once, for the hash's links and the parse */
  markdownText: string | undefined;
}

export async function fingerprint({ item }: PlannedItem, source: ReadSource, ctx: StageContext): Promise<Fingerprint> {
  const { options } = ctx;
  const entry = item.manifest;
  const sidecar = source.kind === "image" && item.type === "file" ? await readSidecarCaption(source.filePath) : undefined;
  // Decoded once for the fingerprint and the parse (a leading BOM is dropped; links never start with it).
  const markdownText = source.kind === "markdown" ? new TextDecoder("utf-8").decode(source.data) : undefined;
  // A Markdown document's figures are files of their own: their sizes and times join the fingerprint.
  const linkedImages =
    markdownText !== undefined
      ? await Promise.all(
          markdownImageLinks(source.filePath, markdownText).map((image) =>
            stat(image).then(
              (s) => `${s.size}:${Math.round(s.mtimeMs)}`,
              () => "missing",
            ),
          ),
        )
      : undefined;
  const variant = JSON.stringify({
    v: PIPELINE_VERSION,
    c: [options.chunkTokens, options.chunkOverlapTokens],
    r: source.kind === "pdf" ? [ctx.renderPages && options.pageDpi, ctx.cropFigures && options.figureDpi] : undefined,
    m: entry ? { t: entry.title, a: entry.authors, y: entry.year, d: entry.doi, x: entry.arxivId, c: entry.caption, k: entry.citationKey, lib: entry.library } : undefined,
    s: sidecar?.text,
    l: linkedImages,
  });
  return { contentHash: `${sha256Hex(source.data)}.${shortHash(variant)}`, sidecar, markdownText };
}

/**
 * The stored record of a document (from the run's listing, else looked up); a store failure that
 * would fail every document goes to `onFatal` and stops the run.
 */
export async function storedRecord(docId: string, storedById: Map<string, DocumentRecord> | undefined, ctx: StageContext, onFatal: (error: unknown) => void): Promise<DocumentRecord | null> {
  if (storedById) return storedById.get(docId) ?? null;
  try {
    return await ctx.store.getDocument(docId);
  } catch (error) {
    if (error instanceof FolioError && FATAL_CODES.has(error.code)) {
      onFatal(error);
      throw error;
    }
    throw new Skip("store-failed", error instanceof FolioError ? error.hint : hintFor("store-failed"), errorMessage(error));
  }
}

/** Unchanged: same bytes and settings, stored with the same embedding setup (and no --force). */
export function isUnchanged(existing: DocumentRecord | null, fp: Fingerprint, ctx: StageContext): boolean {
  return !ctx.options.force && existing !== null && existing.contentHash === fp.contentHash && existing.embeddingSignature === ctx.store.embeddingSignature;
}

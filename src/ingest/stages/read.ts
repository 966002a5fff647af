/** Stage 2, read: a source's bytes (a file, or a download through the cache) and what they are. */
import { readFile } from "node:fs/promises";
import { FetchFailure, fetchToCache } from "../fetch.js";
import { contentMatches, describeSniffed, sniff, sourceKindOf, type SourceKind } from "../sniff.js";
import type { StageContext } from "./context.js";
import type { PlannedItem } from "./plan.js";
import { hintFor, Skip } from "./skip.js";

/** Download timeout when the options name none (ms). */
const FETCH_TIMEOUT_MS = 60_000;

export interface ReadSource {
  data: Buffer;
  /** the file, or the download's cached copy */
  filePath: string;
  kind: SourceKind;
}

export async function readSource({ item, size }: PlannedItem, ctx: StageContext): Promise<ReadSource> {
  const { options } = ctx;
  let data: Buffer;
  let filePath: string;
  if (item.type === "file") {
    filePath = item.path;
    if (size === undefined) throw new Skip("not-found", hintFor("not-found"));
    if (size === 0) throw new Skip("empty", hintFor("empty"), "the file is empty (0 bytes)");
    if (size > options.maxFileBytes) throw new Skip("too-large", hintFor("too-large"), `${(size / 1048576).toFixed(1)} MB, over the ${(options.maxFileBytes / 1048576).toFixed(1)} MB limit`);
    data = await readFile(filePath);
  } else {
    try {
      const fetched = await fetchToCache(item.url, { downloadsDir: ctx.downloadsDir, maxBytes: options.maxFileBytes, timeoutMs: options.fetchTimeoutMs ?? FETCH_TIMEOUT_MS, signal: ctx.signal, refresh: options.force });
      data = fetched.data;
      filePath = fetched.cachedPath;
    } catch (error) {
      if (error instanceof FetchFailure) throw new Skip(error.tooLarge ? "too-large" : "fetch-failed", hintFor(error.tooLarge ? "too-large" : "fetch-failed"), error.message);
      throw error;
    }
    if (data.length === 0) throw new Skip("empty", hintFor("empty"), "the download is empty");
  }

  // What the file is: by extension for files, by content for downloads.
  const sniffed = sniff(data.subarray(0, 8192));
  const kind: SourceKind | undefined =
    item.type === "file"
      ? sourceKindOf(filePath)
      : sniffed === "pdf"
        ? "pdf"
        : sniffed === "png" || sniffed === "jpeg" || sniffed === "webp"
          ? "image"
          : sniffed === "text"
            ? /\.(md|markdown)(\?|$)/i.test(item.url)
              ? "markdown"
              : "text"
            : undefined;
  if (!kind) {
    throw new Skip(
      item.type === "url" ? "mislabelled" : "unsupported-type",
      item.type === "url" ? "The URL did not return a PDF, Markdown, text or image file (a login or landing page?)." : hintFor("unsupported-type"),
      `the content is ${describeSniffed(sniffed)}`,
    );
  }
  if (!contentMatches(kind, sniffed)) {
    if (sniffed === "empty") throw new Skip("empty", hintFor("empty"));
    throw new Skip("mislabelled", hintFor("mislabelled"), `named as ${kind} but the content is ${describeSniffed(sniffed)}`);
  }
  return { data, filePath, kind };
}

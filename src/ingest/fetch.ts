/**
 * Downloads of URLs and arXiv ids listed in the manifest (or given as sources), cached under
 * FOLIO_HOME/downloads so a re-run does not fetch again. A network failure is reported by the
 * pipeline as a skipped file, never a crash.
 */
import { errorMessage } from "../errors.js";
import { DEFAULTS } from "../config.js";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { sha256Hex } from "./hash.js";

export const DEFAULT_ARXIV_BASE_URL = DEFAULTS.FOLIO_ARXIV_BASE_URL;

export function arxivPdfUrl(arxivId: string, baseUrl = DEFAULT_ARXIV_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, "")}/${arxivId}`;
}

export class FetchFailure extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export interface FetchOptions {
  downloadsDir: string;
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Download again even when cached. */
  refresh?: boolean;
}

/** Path of the cached download of a URL (whether or not it exists yet). */
export function cachePathFor(url: string, downloadsDir: string): string {
  return path.join(downloadsDir, sha256Hex(url).slice(0, 32));
}

/**
 * Where this machine keeps the bytes of a stored document's source: the download cache for a URL,
 * the file itself otherwise (a document record's `source`, as ingest wrote it).
 */
export function localCopyOf(source: string, downloadsDir: string): string {
  return /^https?:\/\//i.test(source) ? cachePathFor(source, downloadsDir) : path.resolve(source);
}

/** Returns the bytes of the URL, from the cache when present. Throws FetchFailure. */
export async function fetchToCache(url: string, options: FetchOptions): Promise<{ data: Buffer; cachedPath: string; fromCache: boolean }> {
  const cachedPath = cachePathFor(url, options.downloadsDir);
  if (!options.refresh) {
    try {
      const s = await stat(cachedPath);
      if (s.isFile() && s.size > 0) return { data: await readFile(cachedPath), cachedPath, fromCache: true };
    } catch {
      // not cached yet
    }
  }
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any(signals), redirect: "follow", headers: { "user-agent": "folio-ingest/0.1" } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new FetchFailure(`could not fetch ${url}: ${cause?.code ?? cause?.message ?? errorMessage(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchFailure(`could not fetch ${url}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchFailure(`${url} is ${declared} bytes, over the ${options.maxBytes}-byte limit`, true);
  }
  const parts: Buffer[] = [];
  let total = 0;
  try {
    if (response.body) {
      for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
        total += part.byteLength;
        if (total > options.maxBytes) throw new FetchFailure(`${url} is over the ${options.maxBytes}-byte limit`, true);
        parts.push(Buffer.from(part));
      }
    }
  } catch (error) {
    if (error instanceof FetchFailure) throw error;
    throw new FetchFailure(`download of ${url} failed: ${errorMessage(error)}`);
  }
  const data = Buffer.concat(parts);
  await mkdir(options.downloadsDir, { recursive: true });
  const tmp = `${cachedPath}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, cachedPath);
  return { data, cachedPath, fromCache: false };
}

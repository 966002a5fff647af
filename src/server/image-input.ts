/**
 * Turns the `image` field of a request into bytes: a data URI, raw base64, or an http(s) URL fetched
 * only when its host is in FOLIO_FETCH_ALLOW_HOSTS (no redirects, size-capped, timed out).
 * Never a local path: the store would read files from disk for a string that is a path.
 */
import { HttpError, formatBytes } from "./http-errors.js";

export interface ResolvedImage {
  data: Buffer;
  mimeType: string;
}

export interface ImageFetchOptions {
  allowHosts: readonly string[];
  maxBytes: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const FETCH_TIMEOUT_MS = 10_000;

/** PNG, JPEG, WebP or GIF by their magic bytes. */
export function sniffImageType(data: Buffer): string | undefined {
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) return "image/png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data.length >= 12 && data.toString("latin1", 0, 4) === "RIFF" && data.toString("latin1", 8, 12) === "WEBP") return "image/webp";
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.toString("latin1", 0, 6))) return "image/gif";
  return undefined;
}

function badImage(message: string, hint = "Send a PNG, JPEG, WebP or GIF as a data URI (data:image/png;base64,...) or raw base64."): HttpError {
  return new HttpError(400, "INPUT", message, hint);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "PAYLOAD_TOO_LARGE", `The image is larger than the limit of ${formatBytes(maxBytes)}.`, "Send a smaller image (the limit is FOLIO_MAX_BODY_MB).");
}

function checked(data: Buffer, maxBytes: number, where: string): ResolvedImage {
  if (data.length === 0) throw badImage(`body.image: ${where} is empty.`);
  if (data.length > maxBytes) throw tooLarge(maxBytes);
  const mimeType = sniffImageType(data);
  if (!mimeType) throw badImage(`body.image: ${where} is not a PNG, JPEG, WebP or GIF image.`);
  return { data, mimeType };
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function decodeBase64(text: string, where: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!compact || !BASE64.test(compact)) throw badImage(`body.image: ${where} is not valid base64.`);
  return Buffer.from(compact, compact.includes("-") || compact.includes("_") ? "base64url" : "base64");
}

/** Whether `url`'s host (with or without its port) is on the allow list. */
export function hostAllowed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowHosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === host || e === hostname;
  });
}

export async function resolveImage(image: string, options: ImageFetchOptions): Promise<ResolvedImage> {
  const text = image.trim();
  if (/^data:/i.test(text)) {
    const match = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*);base64,(.*)$/is.exec(text);
    if (!match) throw badImage("body.image: a data URI must be base64-encoded (data:image/png;base64,...).");
    return checked(decodeBase64(match[3] ?? "", "the data URI"), options.maxBytes, "the data URI");
  }
  if (/^https?:\/\//i.test(text)) return fetchImage(text, options);
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !BASE64.test(text)) throw badImage("body.image: only data URIs, base64 and http(s) URLs are accepted.");
  return checked(decodeBase64(text, "the base64 text"), options.maxBytes, "the base64 image");
}

async function fetchImage(raw: string, options: ImageFetchOptions): Promise<ResolvedImage> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badImage("body.image: the URL is not valid.");
  }
  if (url.username || url.password) throw badImage("body.image: URLs with credentials are not fetched.");
  if (!hostAllowed(url, options.allowHosts)) {
    throw badImage(
      `body.image: the server does not fetch images from ${url.host}${options.allowHosts.length ? "" : " (it fetches from no host)"}.`,
      "Send the image itself as a data URI or base64, or add the host to FOLIO_FETCH_ALLOW_HOSTS.",
    );
  }
  const timeout = AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    // No redirects: a redirect could lead to a host that is not allowed.
    response = await fetch(url, { redirect: "manual", signal, headers: { accept: "image/*" } });
  } catch {
    throw badImage(`body.image: fetching ${url.host} failed or timed out.`, "Check the URL, or send the image itself as a data URI.");
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw badImage(`body.image: ${url.host} answered ${response.status}${response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : ""}.`, "Check the URL, or send the image itself as a data URI.");
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(options.maxBytes);
  }
  const parts: Buffer[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw badImage(`body.image: reading the image from ${url.host} failed or timed out.`);
      }
      if (chunk.done) break;
      size += chunk.value.byteLength;
      if (size > options.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(options.maxBytes);
      }
      parts.push(Buffer.from(chunk.value));
    }
  }
  return checked(Buffer.concat(parts), options.maxBytes, `the image at ${url.host}`);
}

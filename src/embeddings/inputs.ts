/**
 * Turns caller inputs (strings, {text}, {image} in any of its forms) into what goes on the wire,
 * plus a content hash for the cache, a token estimate for batching and a description for errors.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { InputError, errorMessage } from "../errors.js";
import { DEFAULT_TOKEN_ESTIMATE, imageTokensOfBytes, roughTextTokens, type TextTokenCounter, type TokenEstimate } from "./tokens.js";
import type { EmbeddingInput, ImageInput } from "./types.js";

export { DEFAULT_TOKEN_ESTIMATE, type TokenEstimate } from "./tokens.js";

export interface PreparedInput {
  kind: "text" | "image";
  /** Text, or the image as an http(s) URL or raw base64. */
  value: string;
  /** SHA-256 of the content (the image bytes when we have them, else the URL). */
  contentHash: string;
  /** Token estimate used for batching and cost estimates (see tokens.ts). */
  tokens: number;
  /** Short description for error hints: never the whole input. */
  description: string;
}

const BASE64_RE = /^[A-Za-z0-9+/\r\n]+={0,2}$/;

function hashBytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function preview(text: string): string {
  const flat = text.slice(0, 120).replace(/\s+/g, " ").trim();
  return flat.length > 48 ? `${flat.slice(0, 45)}...` : flat;
}

/** Resolves one image to a wire value: URLs pass through; data URIs, files and buffers become base64. */
async function prepareImage(image: ImageInput, estimate: TokenEstimate = DEFAULT_TOKEN_ESTIMATE): Promise<PreparedInput> {
  if (Buffer.isBuffer(image) || image instanceof Uint8Array) {
    const bytes = Buffer.from(image);
    return { kind: "image", value: bytes.toString("base64"), contentHash: hashBytes(bytes), tokens: imageTokensOfBytes(bytes, estimate), description: `image buffer of ${bytes.length} bytes` };
  }
  if (typeof image === "object" && image !== null && "data" in image) {
    const bytes = Buffer.from(image.data);
    return { kind: "image", value: bytes.toString("base64"), contentHash: hashBytes(bytes), tokens: imageTokensOfBytes(bytes, estimate), description: `image buffer of ${bytes.length} bytes${image.mimeType ? ` (${image.mimeType})` : ""}` };
  }
  if (typeof image !== "string" || image.length === 0) throw new InputError("An image input is empty or not a string/Buffer.", "Pass an http(s) URL, a data URI, base64, a file path or a Buffer.");
  if (/^https?:\/\//i.test(image)) {
    return { kind: "image", value: image, contentHash: createHash("sha256").update(`url:${image}`).digest("hex"), tokens: estimate.imageTokens, description: `image URL ${preview(image)}` };
  }
  if (/^data:/i.test(image)) {
    const comma = image.indexOf(",");
    const header = image.slice(0, comma);
    if (comma < 0 || !/;base64$/i.test(header)) throw new InputError("An image data URI is not base64-encoded.", "Use a data URI of the form data:image/png;base64,....");
    const b64 = image.slice(comma + 1);
    const bytes = Buffer.from(b64, "base64");
    return { kind: "image", value: bytes.toString("base64"), contentHash: hashBytes(bytes), tokens: imageTokensOfBytes(bytes, estimate), description: `data URI ${header}` };
  }
  // A path is tried before base64: short paths are also valid base64 alphabets.
  if (image.length < 4096) {
    try {
      const bytes = await fs.readFile(image);
      return { kind: "image", value: bytes.toString("base64"), contentHash: hashBytes(bytes), tokens: imageTokensOfBytes(bytes, estimate), description: `image file ${image}` };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== "ENOENT" && code !== "ENAMETOOLONG" && code !== "ENOTDIR") {
        throw new InputError(`Cannot read the image file ${image} (${code ?? errorMessage(error)}).`, "Check the path and its permissions.", error);
      }
    }
  }
  if (image.length >= 16 && BASE64_RE.test(image)) {
    const bytes = Buffer.from(image, "base64");
    return { kind: "image", value: image.replace(/[\r\n]/g, ""), contentHash: hashBytes(bytes), tokens: imageTokensOfBytes(bytes, estimate), description: `base64 image of ${bytes.length} bytes` };
  }
  throw new InputError(`Image not found: "${preview(image)}" is not a URL, a data URI, base64 or an existing file.`, "Pass an http(s) URL, a data URI, base64, the path of an existing file, or a Buffer.");
}

/** Text is prepared synchronously (no microtask per input: corpora have thousands); images may read files. */
export function prepareInput(input: EmbeddingInput, estimate: TokenEstimate = DEFAULT_TOKEN_ESTIMATE, countText?: TextTokenCounter): PreparedInput | Promise<PreparedInput> {
  if (typeof input === "string" || (typeof input === "object" && input !== null && "text" in input)) {
    const text = typeof input === "string" ? input : input.text;
    if (typeof text !== "string") throw new InputError("A text input is not a string.", "Pass strings or {text: string} objects.");
    return { kind: "text", value: text, contentHash: createHash("sha256").update("text:").update(text).digest("hex"), tokens: countText ? countText(text) : roughTextTokens(text, estimate),
      // Lazy: only error messages read it, and corpora have thousands of inputs.
      get description() {
        return `text "${preview(text)}"`;
      },
    };
  }
  if (typeof input === "object" && input !== null && "image" in input) return prepareImage(input.image, estimate);
  throw new InputError("An embeddings input is neither text nor an image.", "Pass strings, {text: string} or {image: url | data URI | base64 | path | Buffer}.");
}

/** `countText`: the BPE counter (tokens.ts); without it, text is counted quickly by bytes. */
export async function prepareInputs(inputs: EmbeddingInput[], estimate: TokenEstimate = DEFAULT_TOKEN_ESTIMATE, countText?: TextTokenCounter): Promise<PreparedInput[]> {
  const out: Array<PreparedInput | Promise<PreparedInput>> = inputs.map((input) => prepareInput(input, estimate, countText));
  return out.some((item) => item instanceof Promise) ? Promise.all(out) : (out as PreparedInput[]);
}

/** Packs consecutive inputs into batches bounded by count and by estimated tokens (a lone oversize input gets its own batch). */
export function batchByBudget<T extends { tokens: number }>(items: T[], maxCount: number, maxTokens: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let tokens = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxCount || tokens + item.tokens > maxTokens)) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(item);
    tokens += item.tokens;
  }
  if (current.length) batches.push(current);
  return batches;
}

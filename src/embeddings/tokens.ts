/**
 * How many tokens an input costs, before it is sent: what batching budgets and `folio ingest
 * --estimate` count. Jina v4 reads text with Qwen2.5's byte-level BPE tokenizer, which is not
 * published as a JavaScript package; OpenAI's cl100k_base (gpt-tokenizer, pure JavaScript) is a
 * BPE of the same family and counts English prose closely. Images are counted as the vision
 * encoder sees them: one token per patch of `imagePatchPixels` square, after the API's downscale
 * to `imageMaxPixels`. The server's own count (`usage`) is what a run reports afterwards.
 */
import { imageSize } from "image-size";

export interface TokenEstimate {
  /** Bytes per token of the quick count used when no tokenizer is loaded (a lone input needs no batching); 3 over-counts English. */
  bytesPerToken: number;
  /** Tokens of an image whose size cannot be read before sending (an http(s) URL). */
  imageTokens: number;
  /** Side of one image patch in pixels: one token each. */
  imagePatchPixels: number;
  /** Larger images are downscaled to this many pixels by the API before they are tiled. */
  imageMaxPixels: number;
}

export const DEFAULT_TOKEN_ESTIMATE: TokenEstimate = { bytesPerToken: 3, imageTokens: 1_200, imagePatchPixels: 28, imageMaxPixels: 20_000_000 };

/** Counts the tokens of one text. */
export type TextTokenCounter = (text: string) => number;

/** Tokens the server adds to every input (begin / end markers). */
const INPUT_OVERHEAD_TOKENS = 1;

let loading: Promise<TextTokenCounter> | undefined;

/** The BPE counter, loaded once per process on first use (about a quarter of a second). */
export function loadTextTokenCounter(): Promise<TextTokenCounter> {
  loading ??= import("gpt-tokenizer/encoding/cl100k_base").then(({ countTokens }) => {
    // Papers about language models quote "<|endoftext|>": count it as text, never throw.
    const options = { disallowedSpecial: new Set<string>() };
    return (text: string) => countTokens(text, options) + INPUT_OVERHEAD_TOKENS;
  });
  return loading;
}

/** The quick count: UTF-8 bytes over `bytesPerToken`, rounded up, plus the input's markers. */
export function roughTextTokens(text: string, estimate: TokenEstimate = DEFAULT_TOKEN_ESTIMATE): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / estimate.bytesPerToken) + 2;
}

/** Patches of a width x height image after the downscale to `imageMaxPixels`. */
export function imageTokensForSize(width: number, height: number, estimate: TokenEstimate = DEFAULT_TOKEN_ESTIMATE): number {
  if (!(width > 0 && height > 0)) return estimate.imageTokens;
  const scale = Math.min(1, Math.sqrt(estimate.imageMaxPixels / (width * height)));
  const side = estimate.imagePatchPixels;
  return Math.ceil((width * scale) / side) * Math.ceil((height * scale) / side);
}

/** Tokens of an image from its header (PNG, JPEG, WebP, GIF, BMP ...); the fallback when it cannot be read. */
export function imageTokensOfBytes(bytes: Uint8Array, estimate: TokenEstimate = DEFAULT_TOKEN_ESTIMATE): number {
  try {
    const { width, height } = imageSize(bytes);
    return imageTokensForSize(width ?? 0, height ?? 0, estimate);
  } catch {
    return estimate.imageTokens;
  }
}

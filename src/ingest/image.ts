/**
 * Standalone images (PNG, JPEG, WebP) as figures: dimensions from the header (to enforce
 * maxImagePixels before decoding anything), captions from a sidecar file, the manifest or the name.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ParsedDocument, ParsedFigure } from "./types.js";
import type { ImageSink } from "../store/types.js";

export interface ImageSize {
  width: number;
  height: number;
  format: "png" | "jpeg" | "webp";
}

/** Width and height from the image header, or undefined when the header is not understood. */
export function readImageSize(data: Uint8Array): ImageSize | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b.toString("latin1", 1, 4) === "PNG" && b.toString("latin1", 12, 16) === "IHDR") {
    return { format: "png", width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let offset = 2;
    while (offset + 9 < b.length) {
      if (b[offset] !== 0xff) {
        offset++;
        continue;
      }
      const marker = b[offset + 1] ?? 0;
      if (marker === 0xff) {
        offset++;
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        offset += 2;
        continue;
      }
      const length = b.readUInt16BE(offset + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: "jpeg", height: b.readUInt16BE(offset + 5), width: b.readUInt16BE(offset + 7) };
      }
      offset += 2 + length;
    }
    return undefined;
  }
  if (b.length >= 30 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
    const chunk = b.toString("latin1", 12, 16);
    if (chunk === "VP8X") {
      return { format: "webp", width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    }
    if (chunk === "VP8L" && b[20] === 0x2f) {
      const bits = b.readUInt32LE(21);
      return { format: "webp", width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (chunk === "VP8 ") {
      // Key frame: start code 9d 01 2a at 23, then 14-bit width and height.
      return { format: "webp", width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    }
  }
  return undefined;
}

const LABEL = /\b(fig(?:ure)?s?\.?|table|tab\.)\s*(\d+[a-z]?|[A-Z]\.?\d+)/i;

/** "Fig. 3: ..." -> { label: "Figure 3", kind: "figure" }; undefined when the caption carries no label. */
export function parseFigureLabel(caption: string): { label: string; kind: "figure" | "table" } | undefined {
  const m = LABEL.exec(caption);
  if (!m || !m[1] || !m[2]) return undefined;
  const isTable = /^tab/i.test(m[1]);
  return { label: `${isTable ? "Table" : "Figure"} ${m[2]}`, kind: isTable ? "table" : "figure" };
}

/** Turns a file name into a readable caption: "transformer-architecture.png" -> "transformer architecture". */
export function captionFromFileName(filePath: string): string {
  return path
    .basename(filePath, path.extname(filePath))
    .replace(/[-_]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The sidecar caption file of an image: same folder, same stem, .txt or .md. */
export function sidecarCandidates(imagePath: string): string[] {
  const stem = path.join(path.dirname(imagePath), path.basename(imagePath, path.extname(imagePath)));
  return [`${stem}.txt`, `${stem}.md`];
}

export async function readSidecarCaption(imagePath: string): Promise<{ path: string; text: string } | undefined> {
  for (const candidate of sidecarCandidates(imagePath)) {
    try {
      const text = (await readFile(candidate, "utf8")).trim();
      if (text) return { path: candidate, text };
    } catch {
      // no sidecar of this kind
    }
  }
  return undefined;
}

/**
 * PNG bytes of an image: PNGs as they are; JPEG and WebP decoded and re-encoded with @napi-rs/canvas
 * (loaded lazily: most runs never need it), because the images folder holds PNGs.
 */
export async function toPng(data: Uint8Array, format: ImageSize["format"]): Promise<Buffer> {
  if (format === "png") return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const { createCanvas, loadImage } = await import("@napi-rs/canvas");
  const image = await loadImage(Buffer.from(data));
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext("2d").drawImage(image, 0, 0);
  return canvas.encode("png");
}

/** A document title from a caption: its first sentence, at most ~120 characters, cut at a word. */
export function titleFromCaption(caption: string): string | undefined {
  const firstLine = caption.trim().split("\n")[0]?.trim();
  if (!firstLine) return undefined;
  const match = /^(.+?[.!?])(\s|$)/.exec(firstLine)?.[1];
  // "Fig. 3: ..." must not end at "Fig."
  const sentence = match && match.length >= 15 ? match : firstLine;
  if (sentence.length <= 120) return sentence;
  const cut = sentence.slice(0, 120);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), 60)).trimEnd()}…`;
}

export interface ImageDocumentInput {
  data: Uint8Array;
  size: ImageSize;
  filePath: string;
  images: ImageSink;
  caption: string;
  title?: string;
}

/** One image file as a document holding one figure. */
export async function parseImage(input: ImageDocumentInput): Promise<ParsedDocument> {
  const png = await toPng(input.data, input.size.format);
  const imageId = await input.images.put(png);
  const parsedLabel = parseFigureLabel(input.caption);
  const figure: ParsedFigure = {
    label: parsedLabel?.label ?? "",
    kind: parsedLabel?.kind ?? "figure",
    caption: input.caption,
    imageId,
    mentions: [],
  };
  return {
    title: input.title ?? titleFromCaption(input.caption) ?? captionFromFileName(input.filePath),
    authors: [],
    pageCount: 0,
    pages: [],
    blocks: [],
    figures: [figure],
    warnings: [],
  };
}

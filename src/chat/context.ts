/**
 * Turns search hits into the numbered sources the answerer sees (and cites), and, for vision
 * models, the figure and page images that go along with them.
 */
import { readFile, stat } from "node:fs/promises";
import type { ImageInput } from "../embeddings/types.js";
import { imagePath, isImageId } from "../store/images.js";
import type { SearchHit } from "../store/types.js";
import type { Answer, Citation } from "./types.js";

export interface ContextLimits {
  /** Characters of one source's text in the prompt. */
  maxSourceChars: number;
  /** Characters of all sources together. */
  maxContextChars: number;
  /** Characters of a citation's snippet. */
  snippetChars: number;
  /** Images sent to a vision model, and the largest file sent. */
  maxImages: number;
  maxImageBytes: number;
}

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = {
  maxSourceChars: 1_800,
  maxContextChars: 12_000,
  snippetChars: 320,
  maxImages: 4,
  maxImageBytes: 4 * 1024 * 1024,
};

/** A numbered source: what is cited, and the text the answerer reads. */
export interface NumberedSource {
  citation: Citation;
  text: string;
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** Numbers the hits 1..n in rank order, dropping repeats of the same point or the same text. */
export function numberSources(hits: SearchHit[], limits: ContextLimits = DEFAULT_CONTEXT_LIMITS): NumberedSource[] {
  const seenIds = new Set<string>();
  const seenTexts = new Set<string>();
  const out: NumberedSource[] = [];
  let budget = limits.maxContextChars;
  for (const hit of hits) {
    const key = hit.text.replace(/\s+/g, " ").trim().toLowerCase();
    if (seenIds.has(hit.id) || (key && seenTexts.has(key))) continue;
    if (budget <= 0) break;
    seenIds.add(hit.id);
    if (key) seenTexts.add(key);
    const m = hit.metadata;
    const text = truncate(hit.text || m.caption || m.figureLabel || "", Math.min(limits.maxSourceChars, Math.max(budget, 200)));
    budget -= text.length;
    const citation: Citation = {
      n: out.length + 1,
      id: hit.id,
      docId: m.docId,
      title: m.title,
      ...(m.citationKey ? { citationKey: m.citationKey } : {}),
      ...(m.doi ? { doi: m.doi } : {}),
      source: m.source,
      kind: m.kind,
      ...(m.page !== undefined ? { page: m.page } : {}),
      ...(m.figureLabel ? { figureLabel: m.figureLabel } : {}),
      ...(m.imageId ? { imageId: m.imageId } : {}),
      ...(m.boxes?.length ? { boxes: m.boxes } : m.bbox ? { boxes: [m.bbox] } : {}),
      snippet: truncate(text, limits.snippetChars),
      score: hit.score,
    };
    out.push({ citation, text });
  }
  return out;
}

/** The answer's text as a chat model gives it: its [n] markers, then the sources it cites ("References"). */
export function contentWithReferences(answer: Pick<Answer, "answer" | "citations">): string {
  // The citation key and DOI let a reader find the paper in their own reference manager.
  if (!answer.citations.length) return answer.answer;
  const lines = answer.citations.map((c) => `[${c.n}] ${locationOf(c)}${c.citationKey ? ` [@${c.citationKey}]` : ""}${c.doi ? ` doi:${c.doi}` : ""}`);
  return `${answer.answer.trimEnd()}\n\nReferences\n${lines.join("\n")}`;
}

/** "Attention Is All You Need, p. 3, Figure 1" */
export function locationOf(c: Pick<Citation, "title" | "page" | "figureLabel">): string {
  return [c.title || "(untitled)", c.page !== undefined ? `p. ${c.page}` : undefined, c.figureLabel].filter(Boolean).join(", ");
}

/**
 * The sources block of the prompt. One header line per source, then its text, then a blank line:
 *   [1] Attention Is All You Need, p. 3, Figure 1 (figure; papers/1706.03762.pdf)
 *   The Transformer - model architecture. ...
 * The extractive model and the OpenAI test server read this layout back.
 */
export function formatSourcesBlock(sources: NumberedSource[]): string {
  if (sources.length === 0) return "(no sources were found)";
  return sources.map(({ citation: c, text }) => `[${c.n}] ${locationOf(c)} (${c.kind}; ${c.source})\n${text}`).join("\n\n");
}

/** The prompt's line about the papers the question names (empty when it names none). */
export type NamedPapersMode = "names" | "compares" | "may mean";

export function formatNamedPapers(papers: ReadonlyArray<{ docId: string; title: string; evidence: string[]; names?: string[] }>, mode: NamedPapersMode = "names"): string {
  if (papers.length === 0) return "";
  const list = papers.map((p) => `"${p.title}" (${p.docId}; named by: ${p.evidence.join(", ")}${p.names?.length ? `; its names: ${p.names.join(", ")}` : ""})`).join("; ");
  return `Papers the question ${mode}: ${list}\n\n`;
}

/** What that line says: the named papers' titles, and the words (title words included) that named them. */
export interface NamedPapers {
  titles: string[];
  words: string[];
  /** The names the papers give themselves ("Fusion-in-Decoder"). */
  names: string[];
  /** True when the question compares these papers, naming each by its own name or id. */
  compared: boolean;
}

export function parseNamedPapers(prompt: string): NamedPapers {
  const match = /^Papers the question (names|compares|may mean): (.*)$/m.exec(prompt);
  const line = match?.[2];
  const out: NamedPapers = { titles: [], words: [], names: [], compared: match?.[1] === "compares" };
  if (!line) return out;
  for (const m of line.matchAll(/"([^"]*)" \([^;]*; named by: ([^;)]*)(?:; its names: ([^)]*))?\)/g)) {
    out.titles.push(m[1]!);
    out.words.push(...m[1]!.split(/\s+/));
    for (const e of m[2]!.split(", ")) out.words.push(...e.replace(/^(?:name|term|author)\s+/, "").split(/\s+/));
    if (m[3]) out.names.push(...m[3].split(", "));
  }
  out.words = out.words.filter(Boolean);
  return out;
}

/** A source read back from a prompt's sources block. */
export interface ParsedSource {
  n: number;
  header: string;
  text: string;
}

const HEADER = /^\[(\d+)\] (.*)$/;

/** Reads the sources block back (the inverse of formatSourcesBlock). */
export function parseSourcesBlock(prompt: string): ParsedSource[] {
  const out: ParsedSource[] = [];
  let current: ParsedSource | undefined;
  let ended = false;
  for (const line of prompt.split(/\r?\n/)) {
    const header = HEADER.exec(line);
    if (header && Number(header[1]) === (current ? current.n + 1 : 1)) {
      current = { n: Number(header[1]), header: header[2] ?? "", text: "" };
      out.push(current);
      ended = false;
      continue;
    }
    if (!current || ended) continue;
    if (line.trim() === "") {
      ended = true;
      continue;
    }
    current.text = current.text ? `${current.text} ${line.trim()}` : line.trim();
  }
  return out.filter((s) => s.text.length > 0 || s.header.length > 0);
}

export interface PromptImage {
  /** What the image is, said in the text just before it. */
  label: string;
  /** data: URI or http(s) URL. */
  url: string;
}

const MIME_BY_MAGIC: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47], "image/png"],
  [[0xff, 0xd8, 0xff], "image/jpeg"],
  [[0x47, 0x49, 0x46, 0x38], "image/gif"],
  [[0x52, 0x49, 0x46, 0x46], "image/webp"],
];

export function sniffImageMime(bytes: Buffer): string | undefined {
  for (const [magic, mime] of MIME_BY_MAGIC) if (magic.every((b, i) => bytes[i] === b)) return mime;
  return undefined;
}

function toDataUri(bytes: Buffer, mimeType?: string): string | undefined {
  const mime = mimeType ?? sniffImageMime(bytes);
  return mime ? `data:${mime};base64,${bytes.toString("base64")}` : undefined;
}

async function readBounded(file: string, maxBytes: number): Promise<Buffer | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > maxBytes) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}

/** An image the user asked with, as a data URI or URL a vision model accepts (undefined when unusable). */
export async function imageInputToUrl(image: ImageInput, maxBytes: number): Promise<string | undefined> {
  if (Buffer.isBuffer(image)) return image.length <= maxBytes ? toDataUri(image) : undefined;
  if (typeof image === "object") return image.data.length <= maxBytes ? toDataUri(image.data, image.mimeType) : undefined;
  if (/^data:image\//i.test(image)) return image.length <= (maxBytes * 4) / 3 + 100 ? image : undefined;
  if (/^https?:\/\//i.test(image)) return image;
  const bytes = await readBounded(image, maxBytes);
  if (bytes) return toDataUri(bytes);
  // Raw base64 (no data: prefix).
  if (/^[A-Za-z0-9+/=\s]+$/.test(image) && image.length > 32) return toDataUri(Buffer.from(image, "base64"));
  return undefined;
}

/** The question's image (first), then the figures and pages among the sources, read from <imagesDir>/<imageId>.png. */
export async function collectPromptImages(sources: NumberedSource[], imagesDir: string, questionImage: ImageInput | undefined, limits: ContextLimits = DEFAULT_CONTEXT_LIMITS): Promise<PromptImage[]> {
  const images: PromptImage[] = [];
  if (questionImage !== undefined) {
    const url = await imageInputToUrl(questionImage, limits.maxImageBytes);
    if (url) images.push({ label: "The image the question is about:", url });
  }
  const seen = new Set<string>();
  for (const { citation: c } of sources) {
    if (images.length >= limits.maxImages) break;
    if (!c.imageId || (c.kind !== "figure" && c.kind !== "page") || seen.has(c.imageId)) continue;
    if (!isImageId(c.imageId)) continue;
    seen.add(c.imageId);
    const bytes = await readBounded(imagePath(imagesDir, c.imageId), limits.maxImageBytes);
    const url = bytes ? toDataUri(bytes, "image/png") : undefined;
    if (url) images.push({ label: `Image of source [${c.n}] (${c.kind === "figure" ? (c.figureLabel ?? "figure") : "page"}${c.page !== undefined ? `, p. ${c.page}` : ""}):`, url });
  }
  return images;
}

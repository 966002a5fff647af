/**
 * The shared corpus's figures as Folio's PDF parser finds them: one parse per paper with figure
 * crops (and, for the box-drawing tool, page renders), images kept in memory by id.
 */
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parsePdf } from "../../src/ingest/pdf/index.js";
import type { ImageSink } from "../../src/store/types.js";
import type { Forbidden } from "./measure.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const papersDir = path.resolve(repoRoot, "../shared/corpus/papers");
export const truthFile = path.join(repoRoot, "test/figures/truth.json");

export type Box = [number, number, number, number];

export interface Detection {
  paper: string;
  label: string;
  kind: "figure" | "table";
  page: number | undefined;
  bbox: Box | undefined;
  caption: string;
  imageId: string | undefined;
}

export interface ParsedPaper {
  paper: string;
  detections: Detection[];
  /** Page renders by page number (only when asked for). */
  pages: Map<number, Buffer>;
  /** The title's and the abstract's blocks, which no crop may include. */
  forbidden: Forbidden[];
}

/** An in-memory image sink (content-addressed, as the store's). */
export class MemoryImages implements ImageSink {
  readonly images = new Map<string, Buffer>();
  async put(png: Uint8Array): Promise<string> {
    const id = createHash("sha256").update(png).digest("hex").slice(0, 24);
    this.images.set(id, Buffer.from(png));
    return id;
  }
}

export function corpusAvailable(): boolean {
  return existsSync(papersDir);
}

export function paperIds(): string[] {
  return readdirSync(papersDir)
    .filter((f) => f.endsWith(".pdf"))
    .map((f) => f.replace(/\.pdf$/, ""))
    .sort();
}

export interface ParseCorpusOptions {
  renderPages?: boolean;
  pageDpi?: number;
  figureDpi?: number;
  papers?: readonly string[];
}

/** Parses each paper with figure crops; images stay in `images`. */
export async function parseCorpus(images: MemoryImages, options: ParseCorpusOptions = {}): Promise<ParsedPaper[]> {
  const out: ParsedPaper[] = [];
  for (const paper of options.papers ?? paperIds()) {
    const data = new Uint8Array(await readFile(path.join(papersDir, `${paper}.pdf`)));
    const doc = await parsePdf(data, {
      images,
      renderPages: options.renderPages ?? false,
      pageDpi: options.pageDpi ?? 72,
      cropFigures: true,
      figureDpi: options.figureDpi ?? 72,
      maxPages: 2000,
      maxImagePixels: 40_000_000,
    });
    const pages = new Map<number, Buffer>();
    for (const p of doc.pages) if (p.imageId) pages.set(p.page, images.images.get(p.imageId)!);
    out.push({
      paper,
      detections: doc.figures.map((f) => ({ paper, label: f.label, kind: f.kind, page: f.page, bbox: f.bbox, caption: f.caption, imageId: f.imageId })),
      pages,
      forbidden: doc.blocks.flatMap((b) => (b.bbox && b.page && (b.kind === "title" || b.kind === "abstract") ? [{ page: b.page, box: b.bbox, what: b.kind }] : [])),
    });
  }
  return out;
}

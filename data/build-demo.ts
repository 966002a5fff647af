/**
 * Builds Folio's demo corpus from the Markdown notes in data/sources/:
 *   data/papers/<slug>.pdf                       little research papers (pdf-lib, standard fonts)
 *   data/figures/<slug>-figure-<n>.png (+ .txt)  every figure as a standalone PNG with its caption
 *   data/manifest.jsonl                          one {"path","title","authors","year"} per paper
 *
 * Run: `npx tsx data/build-demo.ts [--out <dir>]`. The output is byte-for-byte deterministic (fixed
 * dates, producer and ids; figures drawn from code) so the committed files only change when the
 * sources or this script do; test/data/demo-corpus.test.ts checks that.
 *
 * Source format: front matter (title, authors list, year, abstract on one line), then Markdown with
 * numbered "## 1 Heading" sections, "$$ formula $$ (n)" display equations, pipe tables preceded by a
 * "Table N: ..." caption paragraph, and figures written as `<!-- figure: <id> -->` followed by a
 * "Figure N: ..." caption paragraph; <id> names a drawing in FIGURES below.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createCanvas, GlobalFonts, type SKRSContext2D } from "@napi-rs/canvas";
import { PageSizes, PDFDocument, rgb, setWordSpacing, StandardFonts, type PDFFont, type PDFPage } from "pdf-lib";
import { z } from "zod";

const DATA_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Fixed metadata so every build produces the same bytes. */
const FIXED_DATE = new Date("2025-06-01T00:00:00Z");
const PRODUCER = "Folio demo corpus builder (pdf-lib)";
const CREATOR = "data/build-demo.ts";
/** Pixels per PDF point for raster figures and standalone PNGs (216 dpi). */
const RASTER_SCALE = 3;
const CANVAS_FONT = "FolioDemoSans";

/** Page layout of each note: paper size and one or two text columns. */
const PAPERS: ReadonlyArray<{ slug: string; pageSize: [number, number]; columns: 1 | 2 }> = [
  { slug: "dense-sparse-hybrid-retrieval", pageSize: PageSizes.Letter, columns: 2 },
  { slug: "late-interaction-multi-vector", pageSize: PageSizes.A4, columns: 1 },
  { slug: "matryoshka-late-chunking", pageSize: PageSizes.A4, columns: 2 },
  { slug: "evaluating-retrieval", pageSize: PageSizes.Letter, columns: 1 },
];

// ---------------------------------------------------------------------------------------------
// Source parsing

const FrontMatterSchema = z.object({
  title: z.string().min(1),
  authors: z.array(z.string().min(1)).min(1),
  year: z.coerce.number().int().min(1900).max(2100),
  abstract: z.string().min(1),
});
type FrontMatter = z.infer<typeof FrontMatterSchema>;

type Block =
  | { type: "heading"; level: 2 | 3; text: string }
  | { type: "paragraph"; text: string; reference: boolean }
  | { type: "equation"; text: string; number?: string }
  | { type: "figure"; id: string; number: number; caption: string }
  | { type: "table"; number: number; caption: string; header: string[]; rows: string[][] };

interface SourceNote {
  slug: string;
  meta: FrontMatter;
  blocks: Block[];
}

const unquote = (value: string): string => value.trim().replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");

function parseFrontMatter(lines: string[], file: string): { meta: FrontMatter; bodyStart: number } {
  if (lines[0]?.trim() !== "---") throw new Error(`${file}: missing front matter`);
  const end = lines.indexOf("---", 1);
  if (end < 0) throw new Error(`${file}: unterminated front matter`);
  const raw: Record<string, unknown> = {};
  let listKey: string | undefined;
  for (const line of lines.slice(1, end)) {
    const item = /^\s+-\s+(.*)$/.exec(line);
    if (item && listKey) {
      (raw[listKey] as string[]).push(unquote(item[1] ?? ""));
      continue;
    }
    const pair = /^([A-Za-z]+):\s*(.*)$/.exec(line);
    if (!pair) throw new Error(`${file}: cannot read front matter line "${line}"`);
    const [, key = "", value = ""] = pair;
    if (value === "") {
      raw[key] = [];
      listKey = key;
    } else {
      raw[key] = unquote(value);
      listKey = undefined;
    }
  }
  const parsed = FrontMatterSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: bad front matter: ${parsed.error.message}`);
  return { meta: parsed.data, bodyStart: end + 1 };
}

function parseTableRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

export function parseNote(slug: string, markdown: string): SourceNote {
  const file = `${slug}.md`;
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const { meta, bodyStart } = parseFrontMatter(lines, file);
  // Group the body into paragraphs (runs of non-blank lines).
  const groups: string[][] = [];
  let current: string[] = [];
  for (const line of lines.slice(bodyStart)) {
    if (line.trim() === "") {
      if (current.length) groups.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length) groups.push(current);

  const blocks: Block[] = [];
  let inReferences = false;
  let pendingFigure: string | undefined;
  let pendingTableCaption: { number: number; caption: string } | undefined;
  for (const group of groups) {
    const first = group[0] ?? "";
    const heading = /^(#{2,3})\s+(.*)$/.exec(first);
    const figure = /^<!--\s*figure:\s*([a-z0-9-]+)\s*-->$/.exec(first.trim());
    const equation = /^\$\$\s*(.*?)\s*\$\$\s*(\(\d+\))?$/.exec(first.trim());
    const text = group.map((l) => l.trim()).join(" ");
    if (pendingFigure) {
      const caption = /^Figure (\d+): /.exec(text);
      if (!caption) throw new Error(`${file}: figure ${pendingFigure} must be followed by a "Figure N: ..." caption`);
      blocks.push({ type: "figure", id: pendingFigure, number: Number(caption[1]), caption: text });
      pendingFigure = undefined;
    } else if (pendingTableCaption) {
      if (!first.trim().startsWith("|")) throw new Error(`${file}: "${pendingTableCaption.caption.slice(0, 20)}..." must be followed by a table`);
      const [header, separator, ...rows] = group.map(parseTableRow);
      if (!header || !separator) throw new Error(`${file}: table without header`);
      blocks.push({ type: "table", ...pendingTableCaption, header, rows });
      pendingTableCaption = undefined;
    } else if (heading) {
      const level = heading[1] === "##" ? 2 : 3;
      blocks.push({ type: "heading", level, text: heading[2] ?? "" });
      inReferences = /^references$/i.test(heading[2] ?? "");
    } else if (figure) {
      pendingFigure = figure[1];
      if (!pendingFigure || !(pendingFigure in FIGURES)) throw new Error(`${file}: unknown figure "${figure[1]}"`);
    } else if (equation) {
      blocks.push({ type: "equation", text: equation[1] ?? "", ...(equation[2] ? { number: equation[2] } : {}) });
    } else if (/^Table (\d+): /.test(text)) {
      pendingTableCaption = { number: Number(/^Table (\d+)/.exec(text)?.[1]), caption: text };
    } else {
      blocks.push({ type: "paragraph", text, reference: inReferences });
    }
  }
  if (pendingFigure || pendingTableCaption) throw new Error(`${file}: figure or table caption at the end of the file`);
  return { slug, meta, blocks };
}

// ---------------------------------------------------------------------------------------------
// Figures: drawn once as a list of shapes, rendered either to a canvas (PNG) or as PDF vectors.

type Rgb = readonly [number, number, number];
type Shape =
  | { kind: "rect"; x: number; y: number; w: number; h: number; fill?: Rgb; stroke?: Rgb; lineWidth?: number }
  | { kind: "line"; x1: number; y1: number; x2: number; y2: number; color: Rgb; width: number; dash?: number[] }
  | { kind: "polygon"; points: Array<[number, number]>; fill: Rgb }
  | { kind: "circle"; cx: number; cy: number; r: number; fill: Rgb }
  | { kind: "text"; x: number; y: number; text: string; size: number; bold?: boolean; align?: "left" | "center" | "right"; color?: Rgb };

/** A drawing in points, origin top-left, y downwards; text y is the baseline. */
interface Drawing {
  width: number;
  height: number;
  shapes: Shape[];
}

class Sketch {
  readonly shapes: Shape[] = [];
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}
  rect(x: number, y: number, w: number, h: number, style: { fill?: Rgb; stroke?: Rgb; lineWidth?: number }): this {
    this.shapes.push({ kind: "rect", x, y, w, h, ...style });
    return this;
  }
  line(x1: number, y1: number, x2: number, y2: number, color: Rgb, width = 0.8, dash?: number[]): this {
    this.shapes.push({ kind: "line", x1, y1, x2, y2, color, width, ...(dash ? { dash } : {}) });
    return this;
  }
  /** A line ending in a filled arrow head at (x2, y2). */
  arrow(x1: number, y1: number, x2: number, y2: number, color: Rgb, width = 0.8, head = 4): this {
    const angle = Math.atan2(y2 - y1, x2 - x1);
    const back = (a: number): [number, number] => [x2 - head * Math.cos(angle + a), y2 - head * Math.sin(angle + a)];
    const baseX = x2 - head * 0.8 * Math.cos(angle);
    const baseY = y2 - head * 0.8 * Math.sin(angle);
    this.line(x1, y1, baseX, baseY, color, width);
    this.shapes.push({ kind: "polygon", points: [[x2, y2], back(0.45), back(-0.45)], fill: color });
    return this;
  }
  circle(cx: number, cy: number, r: number, fill: Rgb): this {
    this.shapes.push({ kind: "circle", cx, cy, r, fill });
    return this;
  }
  text(x: number, y: number, text: string, size: number, options: { bold?: boolean; align?: "left" | "center" | "right"; color?: Rgb } = {}): this {
    this.shapes.push({ kind: "text", x, y, text, size, ...options });
    return this;
  }
  done(): Drawing {
    return { width: this.width, height: this.height, shapes: this.shapes };
  }
}

const INK: Rgb = [0.13, 0.13, 0.15];
const GREY: Rgb = [0.55, 0.55, 0.58];
const LIGHT: Rgb = [0.85, 0.86, 0.88];
const BLUE: Rgb = [0.16, 0.37, 0.66];
const ORANGE: Rgb = [0.87, 0.47, 0.12];
const GREEN: Rgb = [0.2, 0.55, 0.3];
const PURPLE: Rgb = [0.47, 0.3, 0.62];
const RED: Rgb = [0.78, 0.22, 0.22];
const tint = (c: Rgb, amount: number): Rgb => [c[0] + (1 - c[0]) * amount, c[1] + (1 - c[1]) * amount, c[2] + (1 - c[2]) * amount];
const fmt = (value: number, digits: number): string => value.toFixed(digits);

/** Note 1, Figure 1 (vector): RRF of a BM25 and a dense list with k = 60. */
function drawRrfFusion(width: number): Drawing {
  const s = new Sketch(width, 168);
  const bm25 = ["A", "B", "C", "D"];
  const dense = ["C", "A", "E"];
  const colors: Record<string, Rgb> = { A: BLUE, B: ORANGE, C: GREEN, D: PURPLE, E: RED };
  const scores = new Map<string, number>();
  for (const list of [bm25, dense]) list.forEach((doc, i) => scores.set(doc, (scores.get(doc) ?? 0) + 1 / (60 + i + 1)));
  const fused = [...scores.entries()].sort((a, b) => b[1] - a[1]);
  const boxH = 18;
  const rowY = (i: number): number => 26 + i * 24;
  const sideW = 48;
  const midW = 92;
  const leftX = 4;
  const rightX = width - 4 - sideW;
  const midX = (width - midW) / 2;
  s.text(leftX + sideW / 2, 14, "BM25", 8.5, { bold: true, align: "center", color: INK });
  s.text(rightX + sideW / 2, 14, "Dense", 8.5, { bold: true, align: "center", color: INK });
  s.text(width / 2, 14, "RRF, k = 60", 8.5, { bold: true, align: "center", color: INK });
  const fusedRow = new Map(fused.map(([doc], i) => [doc, i]));
  const drawList = (list: string[], x: number, side: "left" | "right"): void => {
    list.forEach((doc, i) => {
      const color = colors[doc] ?? INK;
      s.rect(x, rowY(i), sideW, boxH, { fill: tint(color, 0.8), stroke: color, lineWidth: 0.8 });
      s.text(x + sideW / 2, rowY(i) + 12.5, `${i + 1}.  ${doc}`, 8, { align: "center", color: INK });
      const target = fusedRow.get(doc) ?? 0;
      const fromX = side === "left" ? x + sideW : x;
      const toX = side === "left" ? midX - 1 : midX + midW + 1;
      s.arrow(fromX, rowY(i) + boxH / 2, toX, rowY(target) + boxH / 2, tint(color, 0.35), 0.7, 3.5);
    });
  };
  drawList(bm25, leftX, "left");
  drawList(dense, rightX, "right");
  fused.forEach(([doc, score], i) => {
    const color = colors[doc] ?? INK;
    s.rect(midX, rowY(i), midW, boxH, { fill: tint(color, 0.8), stroke: color, lineWidth: 0.8 });
    s.text(midX + 8, rowY(i) + 12.5, `${i + 1}.  ${doc}`, 8, { bold: true, color: INK });
    s.text(midX + midW - 8, rowY(i) + 12.5, fmt(score, 5), 8, { align: "right", color: INK });
  });
  s.text(width / 2, 160, "RRF(d) = sum over lists of 1 / (60 + rank)", 7.5, { align: "center", color: GREY });
  return s.done();
}

/** Toy similarities for note 2, Figure 1; the row maxima are quoted in the text (0.91, 0.88, 0.64, 0.47). */
const MAXSIM_QUERY = ["late", "interaction", "storage", "cost"];
const MAXSIM_DOC = ["late", "interaction", "keeps", "one", "vector", "per", "token", "memory"];
const MAXSIM_SIM = [
  [0.91, 0.42, 0.1, 0.05, 0.12, 0.08, 0.15, 0.06],
  [0.38, 0.88, 0.14, 0.07, 0.21, 0.09, 0.26, 0.11],
  [0.05, 0.09, 0.31, 0.04, 0.22, 0.12, 0.18, 0.64],
  [0.07, 0.12, 0.19, 0.15, 0.27, 0.35, 0.41, 0.47],
];

/** Note 2, Figure 1 (raster): MaxSim heat map. */
function drawMaxSim(width: number): Drawing {
  const s = new Sketch(width, 196);
  const labelW = 62;
  const maxColW = 48;
  const cellW = (width - labelW - maxColW - 12) / MAXSIM_DOC.length;
  const cellH = 30;
  const top = 28;
  const gridX = labelW + 4;
  s.text(gridX + (cellW * MAXSIM_DOC.length) / 2, 10, "document tokens", 7.5, { align: "center", color: GREY });
  MAXSIM_DOC.forEach((tok, j) => s.text(gridX + j * cellW + cellW / 2, top - 5, tok, 7, { align: "center", color: INK }));
  s.text(width - maxColW / 2, top - 5, "row max", 7, { bold: true, align: "center", color: INK });
  let total = 0;
  MAXSIM_QUERY.forEach((tok, i) => {
    const y = top + i * cellH;
    const row = MAXSIM_SIM[i] ?? [];
    const best = Math.max(...row);
    total += best;
    s.text(labelW - 2, y + cellH / 2 + 3, tok, 8, { align: "right", color: INK });
    row.forEach((value, j) => {
      const fill: Rgb = tint(BLUE, 1 - value * 0.95);
      s.rect(gridX + j * cellW, y, cellW, cellH, { fill, stroke: [1, 1, 1], lineWidth: 1 });
      s.text(gridX + j * cellW + cellW / 2, y + cellH / 2 + 3, fmt(value, 2), 7.5, { align: "center", color: value > 0.55 ? [1, 1, 1] : INK });
    });
    const bestJ = row.indexOf(best);
    s.rect(gridX + bestJ * cellW + 1.2, y + 1.2, cellW - 2.4, cellH - 2.4, { stroke: ORANGE, lineWidth: 2.2 });
    s.rect(width - maxColW, y + 3, maxColW - 2, cellH - 6, { fill: tint(ORANGE, 0.82) });
    s.text(width - maxColW / 2 - 1, y + cellH / 2 + 3, fmt(best, 2), 8, { bold: true, align: "center", color: INK });
  });
  s.text(4, top + 2 * cellH - 2, "query", 7.5, { color: GREY });
  s.text(4, top + 2 * cellH + 8, "tokens", 7.5, { color: GREY });
  const maxima = MAXSIM_SIM.map((row) => fmt(Math.max(...row), 2)).join(" + ");
  s.text(width / 2, top + 4 * cellH + 26, `S(q, d) = ${maxima} = ${fmt(total, 2)}`, 9, { bold: true, align: "center", color: INK });
  return s.done();
}

/** Note 2, Figure 2 (vector): first stage single vector, second stage MaxSim. */
function drawTwoStage(width: number): Drawing {
  const s = new Sketch(width, 104);
  const boxes: Array<{ w: number; lines: string[]; fill: Rgb; stroke: Rgb }> = [
    { w: 0.12, lines: ["Query"], fill: tint(GREY, 0.8), stroke: GREY },
    { w: 0.25, lines: ["Stage 1", "single-vector", "HNSW search"], fill: tint(BLUE, 0.82), stroke: BLUE },
    { w: 0.16, lines: ["100", "candidates"], fill: tint(GREY, 0.8), stroke: GREY },
    { w: 0.25, lines: ["Stage 2", "MaxSim over", "token vectors"], fill: tint(ORANGE, 0.8), stroke: ORANGE },
    { w: 0.12, lines: ["Top 10"], fill: tint(GREEN, 0.8), stroke: GREEN },
  ];
  const gap = (width - 8 - boxes.reduce((sum, b) => sum + b.w * width, 0)) / (boxes.length - 1);
  let x = 4;
  const y = 16;
  const h = 50;
  boxes.forEach((box, i) => {
    const w = box.w * width;
    s.rect(x, y, w, h, { fill: box.fill, stroke: box.stroke, lineWidth: 1 });
    const firstBaseline = y + h / 2 - ((box.lines.length - 1) * 10) / 2 + 3;
    box.lines.forEach((line, k) => s.text(x + w / 2, firstBaseline + k * 10, line, 8, { bold: k === 0 && box.lines.length > 2, align: "center", color: INK }));
    if (i < boxes.length - 1) s.arrow(x + w + 2, y + h / 2, x + w + gap - 2, y + h / 2, INK, 0.9, 4.5);
    if (i === 1) s.text(x + w / 2, y + h + 14, "whole collection, 1 vector each", 7, { align: "center", color: GREY });
    if (i === 3) s.text(x + w / 2, y + h + 14, "candidates only, n x m dot products", 7, { align: "center", color: GREY });
    x += w + gap;
  });
  s.text(width / 2, 10, "one Qdrant query: prefetch (limit 100) + multivector query (limit 10)", 7, { align: "center", color: GREY });
  return s.done();
}

/** Note 3, Figure 1 (raster): nested Matryoshka prefixes. */
function drawMatryoshka(width: number): Drawing {
  const sizes = [2048, 1024, 512, 256, 128];
  const s = new Sketch(width, 150);
  const labelW = 44;
  const bytesW = 50;
  const barMax = width - labelW - bytesW - 8;
  const segmentColors: Rgb[] = [BLUE, tint(BLUE, 0.25), tint(BLUE, 0.45), tint(BLUE, 0.62), tint(BLUE, 0.78)];
  const bounds = [0, 128, 256, 512, 1024, 2048];
  s.text(labelW + barMax / 2, 10, "dimensions kept (prefix of the 2048-d vector)", 7.5, { align: "center", color: GREY });
  sizes.forEach((size, i) => {
    const y = 20 + i * 25;
    s.text(labelW - 4, y + 12, `${size}-d`, 8, { bold: true, align: "right", color: INK });
    for (let k = 0; k < bounds.length - 1; k++) {
      const from = bounds[k] ?? 0;
      const to = bounds[k + 1] ?? 0;
      if (from >= size) break;
      s.rect(labelW + (from / 2048) * barMax, y, ((to - from) / 2048) * barMax, 17, { fill: segmentColors[k] ?? BLUE });
    }
    s.rect(labelW, y, (size / 2048) * barMax, 17, { stroke: INK, lineWidth: 0.6 });
    s.text(labelW + (size / 2048) * barMax + 5, y + 12, `${(size * 4).toLocaleString("en-US")} B`, 7.5, { color: INK });
  });
  for (const b of bounds.slice(1)) {
    const x = labelW + (b / 2048) * barMax;
    s.line(x, 146, x, 143, GREY, 0.6);
  }
  s.line(labelW, 146, labelW + barMax, 146, GREY, 0.6);
  return s.done();
}

/** Note 3, Figure 2 (raster): naive chunking versus late chunking. */
function drawLateChunking(width: number): Drawing {
  const s = new Sketch(width, 222);
  const chunkColors: Rgb[] = [BLUE, ORANGE, GREEN, PURPLE];
  const n = 4;
  const left = 4;
  const span = width - 8;
  const chunkW = span / n;
  const chunkLabels = ["Berlin is...", "It has...", "Its population", "The city..."];
  const chunks = (y: number): void => {
    for (let i = 0; i < n; i++) {
      const color = chunkColors[i] ?? BLUE;
      s.rect(left + i * chunkW + 1, y, chunkW - 2, 18, { fill: tint(color, 0.8), stroke: color, lineWidth: 0.7 });
      s.text(left + i * chunkW + chunkW / 2, y + 12, chunkLabels[i] ?? "", 6.5, { align: "center", color: INK });
    }
  };
  const vector = (x: number, y: number, colors: Rgb[]): void => {
    const cells = 6;
    const w = 5;
    for (let c = 0; c < cells; c++) s.rect(x + c * w, y, w - 0.6, 8, { fill: colors[c % colors.length] ?? BLUE });
  };
  s.text(left, 11, "Naive chunking", 8.5, { bold: true, color: INK });
  chunks(18);
  for (let i = 0; i < n; i++) {
    const cx = left + i * chunkW + chunkW / 2;
    s.arrow(cx, 37, cx, 45, INK, 0.7, 3);
    s.rect(cx - 18, 46, 36, 14, { fill: tint(GREY, 0.75), stroke: GREY, lineWidth: 0.6 });
    s.text(cx, 56, "encoder", 6.5, { align: "center", color: INK });
    s.arrow(cx, 61, cx, 69, INK, 0.7, 3);
    vector(cx - 15, 71, [chunkColors[i] ?? BLUE]);
  }
  s.line(left, 92, left + span, 92, LIGHT, 0.8, [3, 2]);
  s.text(left, 108, "Late chunking", 8.5, { bold: true, color: INK });
  chunks(115);
  s.arrow(width / 2, 134, width / 2, 142, INK, 0.7, 3);
  s.rect(left + 1, 143, span - 2, 15, { fill: tint(GREY, 0.75), stroke: GREY, lineWidth: 0.6 });
  s.text(width / 2, 153.5, "long-context encoder over the whole document", 7, { align: "center", color: INK });
  const tokens = 32;
  const tokenW = span / tokens;
  for (let t = 0; t < tokens; t++) {
    const own = chunkColors[Math.floor(t / (tokens / n))] ?? BLUE;
    // Every token embedding has attended to the whole document: mostly its own chunk, a little of the others.
    s.rect(left + t * tokenW + 0.4, 164, tokenW - 0.8, 10, { fill: tint(own, 0.35) });
    s.rect(left + t * tokenW + 0.4, 171, tokenW - 0.8, 3, { fill: tint(chunkColors[0] ?? BLUE, 0.1) });
  }
  for (let i = 0; i < n; i++) {
    const x0 = left + i * chunkW + 2;
    const x1 = left + (i + 1) * chunkW - 2;
    s.line(x0, 178, x1, 178, INK, 0.6);
    s.line(x0, 176, x0, 178, INK, 0.6);
    s.line(x1, 176, x1, 178, INK, 0.6);
    const cx = (x0 + x1) / 2;
    s.text(cx, 188, "mean pool", 6, { align: "center", color: GREY });
    s.arrow(cx, 191, cx, 199, INK, 0.7, 3);
    vector(cx - 15, 201, [chunkColors[i] ?? BLUE, chunkColors[0] ?? BLUE, chunkColors[i] ?? BLUE]);
  }
  s.text(width / 2, 220, "token embeddings, then one vector per chunk span", 6.5, { align: "center", color: GREY });
  return s.done();
}

/** Note 4, Figure 1 (vector): cumulative DCG of the worked example against the ideal ranking. */
function drawDcgCurve(width: number): Drawing {
  const grades = [3, 0, 2, 0, 1];
  const ideal = [3, 2, 2, 1, 0];
  const cumulative = (list: number[]): number[] => {
    let sum = 0;
    return list.map((g, i) => (sum += g / Math.log2(i + 2)));
  };
  const actual = cumulative(grades);
  const best = cumulative(ideal);
  const s = new Sketch(width, 200);
  const plotX = 46;
  const plotY = 14;
  const plotW = width - plotX - 120;
  const plotH = 150;
  const yMax = 6;
  const px = (rank: number): number => plotX + ((rank - 0.5) / 5) * plotW;
  const py = (value: number): number => plotY + plotH - (value / yMax) * plotH;
  for (let v = 0; v <= yMax; v++) {
    s.line(plotX, py(v), plotX + plotW, py(v), v === 0 ? INK : LIGHT, v === 0 ? 0.8 : 0.5);
    s.text(plotX - 5, py(v) + 3, String(v), 7.5, { align: "right", color: INK });
  }
  s.line(plotX, plotY, plotX, plotY + plotH, INK, 0.8);
  grades.forEach((g, i) => {
    const gain = g / Math.log2(i + 2);
    if (gain > 0) s.rect(px(i + 1) - 9, py(gain), 18, py(0) - py(gain), { fill: tint(ORANGE, 0.55) });
    s.text(px(i + 1), py(0) + 11, String(i + 1), 7.5, { align: "center", color: INK });
  });
  s.text(plotX + plotW / 2, py(0) + 24, "Rank i", 8, { align: "center", color: INK });
  s.text(8, plotY + 6, "DCG", 8, { color: INK });
  for (let i = 1; i < 5; i++) {
    s.line(px(i), py(best[i - 1] ?? 0), px(i + 1), py(best[i] ?? 0), GREY, 1.4, [4, 3]);
    s.line(px(i), py(actual[i - 1] ?? 0), px(i + 1), py(actual[i] ?? 0), BLUE, 1.6);
  }
  best.forEach((v, i) => s.circle(px(i + 1), py(v), 2.4, GREY));
  actual.forEach((v, i) => s.circle(px(i + 1), py(v), 2.8, BLUE));
  s.text(px(5) + 6, py(best[4] ?? 0) + 3, fmt(best[4] ?? 0, 3), 7.5, { color: GREY });
  s.text(px(5) + 6, py(actual[4] ?? 0) + 3, fmt(actual[4] ?? 0, 3), 7.5, { color: BLUE });
  const legendX = plotX + plotW + 40;
  s.line(legendX, 30, legendX + 18, 30, BLUE, 1.6).text(legendX + 22, 33, "system", 7.5, { color: INK });
  s.line(legendX, 46, legendX + 18, 46, GREY, 1.4, [4, 3]).text(legendX + 22, 49, "ideal", 7.5, { color: INK });
  s.rect(legendX + 4, 57, 10, 8, { fill: tint(ORANGE, 0.55) }).text(legendX + 22, 64, "gain / discount", 7.5, { color: INK });
  return s.done();
}

const FIGURES: Record<string, { render: "raster" | "vector"; maxWidth: number; draw: (width: number) => Drawing }> = {
  "rrf-fusion": { render: "vector", maxWidth: 260, draw: drawRrfFusion },
  "maxsim-matrix": { render: "raster", maxWidth: 420, draw: drawMaxSim },
  "two-stage-pipeline": { render: "vector", maxWidth: 440, draw: drawTwoStage },
  "matryoshka-prefixes": { render: "raster", maxWidth: 260, draw: drawMatryoshka },
  "late-chunking": { render: "raster", maxWidth: 260, draw: drawLateChunking },
  "dcg-curve": { render: "vector", maxWidth: 400, draw: drawDcgCurve },
};

let canvasFontReady = false;
/** Canvas text uses Liberation Sans from pdfjs-dist (metric-compatible with Helvetica), never a system font, so PNGs match across machines. */
function ensureCanvasFont(): void {
  if (canvasFontReady) return;
  const require = createRequire(import.meta.url);
  const fontsDir = path.join(path.dirname(require.resolve("pdfjs-dist/package.json")), "standard_fonts");
  for (const file of ["LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"]) {
    if (!GlobalFonts.registerFromPath(path.join(fontsDir, file), CANVAS_FONT)) throw new Error(`could not register ${file} for figure text`);
  }
  canvasFontReady = true;
}

const css = (c: Rgb): string => `rgb(${Math.round(c[0] * 255)}, ${Math.round(c[1] * 255)}, ${Math.round(c[2] * 255)})`;

export function renderPng(drawing: Drawing): Buffer {
  ensureCanvasFont();
  const canvas = createCanvas(Math.round(drawing.width * RASTER_SCALE), Math.round(drawing.height * RASTER_SCALE));
  const ctx: SKRSContext2D = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(RASTER_SCALE, RASTER_SCALE);
  for (const shape of drawing.shapes) {
    switch (shape.kind) {
      case "rect":
        if (shape.fill) {
          ctx.fillStyle = css(shape.fill);
          ctx.fillRect(shape.x, shape.y, shape.w, shape.h);
        }
        if (shape.stroke) {
          ctx.strokeStyle = css(shape.stroke);
          ctx.lineWidth = shape.lineWidth ?? 1;
          ctx.strokeRect(shape.x, shape.y, shape.w, shape.h);
        }
        break;
      case "line":
        ctx.strokeStyle = css(shape.color);
        ctx.lineWidth = shape.width;
        ctx.setLineDash(shape.dash ?? []);
        ctx.beginPath();
        ctx.moveTo(shape.x1, shape.y1);
        ctx.lineTo(shape.x2, shape.y2);
        ctx.stroke();
        ctx.setLineDash([]);
        break;
      case "polygon": {
        ctx.fillStyle = css(shape.fill);
        ctx.beginPath();
        shape.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        ctx.closePath();
        ctx.fill();
        break;
      }
      case "circle":
        ctx.fillStyle = css(shape.fill);
        ctx.beginPath();
        ctx.arc(shape.cx, shape.cy, shape.r, 0, Math.PI * 2);
        ctx.fill();
        break;
      case "text":
        ctx.fillStyle = css(shape.color ?? INK);
        ctx.font = `${shape.bold ? "bold " : ""}${shape.size}px ${CANVAS_FONT}`;
        ctx.textAlign = shape.align ?? "left";
        ctx.textBaseline = "alphabetic";
        ctx.fillText(shape.text, shape.x, shape.y);
        break;
    }
  }
  return canvas.toBuffer("image/png");
}

interface Fonts {
  body: PDFFont;
  bold: PDFFont;
  italic: PDFFont;
  sans: PDFFont;
  sansBold: PDFFont;
}

const pdfColor = (c: Rgb) => rgb(c[0], c[1], c[2]);

/** Draws a drawing as PDF vector graphics with its top-left corner at (left, top) in PDF coordinates. */
function drawVector(page: PDFPage, drawing: Drawing, left: number, top: number, scale: number, fonts: Fonts): void {
  const X = (x: number): number => left + x * scale;
  const Y = (y: number): number => top - y * scale;
  for (const shape of drawing.shapes) {
    switch (shape.kind) {
      case "rect":
        page.drawRectangle({
          x: X(shape.x),
          y: Y(shape.y + shape.h),
          width: shape.w * scale,
          height: shape.h * scale,
          ...(shape.fill ? { color: pdfColor(shape.fill) } : {}),
          ...(shape.stroke ? { borderColor: pdfColor(shape.stroke), borderWidth: (shape.lineWidth ?? 1) * scale } : {}),
        });
        break;
      case "line":
        page.drawLine({
          start: { x: X(shape.x1), y: Y(shape.y1) },
          end: { x: X(shape.x2), y: Y(shape.y2) },
          thickness: shape.width * scale,
          color: pdfColor(shape.color),
          ...(shape.dash ? { dashArray: shape.dash.map((d) => d * scale) } : {}),
        });
        break;
      case "polygon": {
        const d = shape.points.map(([x, y], i) => `${i === 0 ? "M" : "L"} ${X(x) - left} ${top - Y(y)}`).join(" ") + " Z";
        page.drawSvgPath(d, { x: left, y: top, color: pdfColor(shape.fill) });
        break;
      }
      case "circle":
        page.drawCircle({ x: X(shape.cx), y: Y(shape.cy), size: shape.r * scale, color: pdfColor(shape.fill) });
        break;
      case "text": {
        const font = shape.bold ? fonts.sansBold : fonts.sans;
        const size = shape.size * scale;
        const w = font.widthOfTextAtSize(shape.text, size);
        const dx = shape.align === "center" ? -w / 2 : shape.align === "right" ? -w : 0;
        page.drawText(shape.text, { x: X(shape.x) + dx, y: Y(shape.y), size, font, color: pdfColor(shape.color ?? INK) });
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Page layout

interface Style {
  margin: number;
  gutter: number;
  bodySize: number;
  leading: number;
  headingSize: number;
  subheadingSize: number;
  captionSize: number;
  tableSize: number;
  referenceSize: number;
}

function styleFor(columns: 1 | 2): Style {
  return columns === 2
    ? { margin: 54, gutter: 18, bodySize: 9.5, leading: 11.6, headingSize: 11, subheadingSize: 10, captionSize: 8.5, tableSize: 7.5, referenceSize: 8 }
    : { margin: 72, gutter: 0, bodySize: 10, leading: 12.8, headingSize: 12, subheadingSize: 10.5, captionSize: 9, tableSize: 8.5, referenceSize: 8.5 };
}

function wrap(words: string[], maxWidth: number, widthOf: (text: string, index: number) => number, spaceWidth: number): string[][] {
  const lines: string[][] = [];
  let line: string[] = [];
  let lineWidth = 0;
  words.forEach((word, index) => {
    const w = widthOf(word, index);
    if (line.length && lineWidth + spaceWidth + w > maxWidth) {
      lines.push(line);
      line = [];
      lineWidth = 0;
    }
    lineWidth += (line.length ? spaceWidth : 0) + w;
    line.push(word);
  });
  if (line.length) lines.push(line);
  return lines;
}

type Float = { kind: "figure"; block: Extract<Block, { type: "figure" }> } | { kind: "table"; block: Extract<Block, { type: "table" }> };

interface BuiltFigure {
  number: number;
  caption: string;
  png: Buffer;
}

class Layout {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  private column = 0;
  private y = 0;
  private columnTop = 0;
  private readonly pending: Float[] = [];
  readonly figures: BuiltFigure[] = [];
  readonly style: Style;
  readonly columnWidth: number;
  private readonly width: number;
  private readonly height: number;

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: Fonts,
    private readonly note: SourceNote,
    pageSize: [number, number],
    private readonly columns: 1 | 2,
  ) {
    [this.width, this.height] = pageSize;
    this.style = styleFor(columns);
    this.columnWidth = (this.width - 2 * this.style.margin - (columns - 1) * this.style.gutter) / columns;
  }

  private get bottom(): number {
    return this.style.margin + 6;
  }
  private get columnX(): number {
    return this.style.margin + this.column * (this.columnWidth + this.style.gutter);
  }

  private newPage(): void {
    this.page = this.doc.addPage([this.width, this.height]);
    this.pages.push(this.page);
    const top = this.height - this.style.margin;
    if (this.pages.length > 1) {
      // Running header, as in a journal: short title and a rule.
      const size = 8;
      const text = this.note.meta.title;
      const w = this.fonts.italic.widthOfTextAtSize(text, size);
      this.page.drawText(text, { x: (this.width - w) / 2, y: top + 16, size, font: this.fonts.italic, color: pdfColor(GREY) });
      this.page.drawLine({ start: { x: this.style.margin, y: top + 11 }, end: { x: this.width - this.style.margin, y: top + 11 }, thickness: 0.4, color: pdfColor(GREY) });
    }
    this.column = 0;
    this.columnTop = top;
    this.y = top;
  }

  private nextColumn(): void {
    if (this.column + 1 < this.columns) {
      this.column += 1;
      this.y = this.columnTop;
    } else {
      this.newPage();
    }
    this.placePendingFloats();
  }

  /** Moves on when fewer than `needed` points are left in the column. */
  private ensure(needed: number): void {
    if (this.y - needed < this.bottom) this.nextColumn();
  }

  titleBlock(): void {
    this.newPage();
    const { meta } = this.note;
    const full = this.width - 2 * this.style.margin;
    const center = (text: string, font: PDFFont, size: number, color: Rgb = INK): void => {
      const w = font.widthOfTextAtSize(text, size);
      this.page.drawText(text, { x: (this.width - w) / 2, y: this.y, size, font, color: pdfColor(color) });
    };
    const titleSize = 17;
    const titleLines = wrap(meta.title.split(" "), full * 0.85, (w) => this.fonts.bold.widthOfTextAtSize(w, titleSize), this.fonts.bold.widthOfTextAtSize(" ", titleSize));
    // The title sits lower than the running header of later pages, as in a typeset article.
    this.y -= titleSize + 22;
    for (const line of titleLines) {
      center(line.join(" "), this.fonts.bold, titleSize);
      this.y -= titleSize * 1.25;
    }
    this.y -= 6;
    center(meta.authors.join(", "), this.fonts.body, 11);
    this.y -= 14;
    center(`Folio Team, ${meta.year}`, this.fonts.italic, 9.5, GREY);
    this.y -= 26;
    center("Abstract", this.fonts.bold, 10);
    this.y -= 14;
    const inset = this.columns === 2 ? 30 : 36;
    this.paragraphLines(meta.abstract, this.style.margin + inset, full - 2 * inset, this.fonts.body, 9, 11.2, true);
    this.y -= 14;
    this.columnTop = this.y;
  }

  /** Justified (or ragged) lines of one paragraph at an explicit position, without column breaks. */
  private paragraphLines(text: string, x: number, width: number, font: PDFFont, size: number, leading: number, justify: boolean): void {
    const space = font.widthOfTextAtSize(" ", size);
    const lines = wrap(text.split(/\s+/), width, (w) => font.widthOfTextAtSize(w, size), space);
    lines.forEach((words, i) => {
      this.drawLine(words, x, this.y, width, font, size, justify && i < lines.length - 1);
      this.y -= leading;
    });
  }

  private drawLine(words: string[], x: number, y: number, width: number, font: PDFFont, size: number, justify: boolean): void {
    const text = words.join(" ");
    let spacing = 0;
    if (justify && words.length > 1) {
      spacing = (width - font.widthOfTextAtSize(text, size)) / (words.length - 1);
      if (spacing > size * 0.9) spacing = 0; // a very loose line reads worse than a ragged one
    }
    if (spacing) this.page.pushOperators(setWordSpacing(spacing));
    this.page.drawText(text, { x, y, size, font, color: pdfColor(INK) });
    if (spacing) this.page.pushOperators(setWordSpacing(0));
  }

  body(): void {
    const blocks = this.note.blocks;
    blocks.forEach((block) => {
      switch (block.type) {
        case "heading":
          this.heading(block.text, block.level);
          break;
        case "paragraph":
          this.paragraph(block.text, block.reference);
          break;
        case "equation":
          this.equation(block.text, block.number);
          break;
        case "figure":
          this.float({ kind: "figure", block });
          break;
        case "table":
          this.float({ kind: "table", block });
          break;
      }
    });
    while (this.pending.length) this.nextColumn();
  }

  private heading(text: string, level: 2 | 3): void {
    const size = level === 2 ? this.style.headingSize : this.style.subheadingSize;
    const before = this.y === this.columnTop ? 0 : level === 2 ? 10 : 6;
    // Keep a heading with at least two lines of what follows.
    this.ensure(before + size + 2 * this.style.leading + 4);
    if (this.y !== this.columnTop) this.y -= before;
    this.y -= size;
    this.page.drawText(text, { x: this.columnX, y: this.y, size, font: this.fonts.bold, color: pdfColor(INK) });
    this.y -= 6;
  }

  private paragraph(text: string, reference: boolean): void {
    const size = reference ? this.style.referenceSize : this.style.bodySize;
    const leading = reference ? size * 1.25 : this.style.leading;
    const font = this.fonts.body;
    const space = font.widthOfTextAtSize(" ", size);
    const hang = reference ? 14 : 0;
    const words = text.split(/\s+/);
    const lines = wrap(words, this.columnWidth - hang, (w) => font.widthOfTextAtSize(w, size), space);
    // References hang: "[1]" sits in the margin of its own entry.
    if (reference && lines.length) {
      const [label, ...rest] = words;
      const restLines = wrap(rest, this.columnWidth - hang, (w) => font.widthOfTextAtSize(w, size), space);
      this.ensure(leading);
      this.y -= size;
      this.page.drawText(label ?? "", { x: this.columnX, y: this.y, size, font, color: pdfColor(INK) });
      restLines.forEach((line, i) => {
        if (i > 0) {
          this.ensure(leading);
          this.y -= leading;
        }
        this.drawLine(line, this.columnX + hang, this.y, this.columnWidth - hang, font, size, false);
      });
      this.y -= leading - size + 2;
      return;
    }
    lines.forEach((line, i) => {
      this.ensure(leading);
      this.y -= size;
      this.drawLine(line, this.columnX, this.y, this.columnWidth, font, size, i < lines.length - 1);
      this.y -= leading - size;
    });
    this.y -= 5;
  }

  /** A centred display equation; one too wide for the column wraps, continuation lines indented. */
  private equation(text: string, number: string | undefined): void {
    const font = this.fonts.italic;
    const size = this.style.bodySize;
    const numberWidth = number ? this.fonts.body.widthOfTextAtSize(number, size) + 10 : 0;
    // "\\\\" in the source is an explicit line break, as in TeX; anything still too wide wraps at spaces.
    const lines = text
      .split(/\s*\\\\\s*/)
      .flatMap((part) => wrap(part.split(" "), this.columnWidth - numberWidth - 22, (w) => font.widthOfTextAtSize(w, size), font.widthOfTextAtSize(" ", size)))
      .map((l) => l.join(" "));
    this.ensure(lines.length * (size + 3) + 12);
    this.y -= 3;
    lines.forEach((line, i) => {
      this.y -= size + (i > 0 ? 3 : 0);
      const w = font.widthOfTextAtSize(line, size);
      const x = lines.length === 1 ? this.columnX + (this.columnWidth - w) / 2 : this.columnX + (i > 0 ? 22 : 10);
      this.page.drawText(line, { x, y: this.y, size, font, color: pdfColor(INK) });
    });
    if (number) {
      const w = this.fonts.body.widthOfTextAtSize(number, size);
      this.page.drawText(number, { x: this.columnX + this.columnWidth - w, y: this.y, size, font: this.fonts.body, color: pdfColor(INK) });
    }
    this.y -= 9;
  }

  private float(item: Float): void {
    // Floats keep their order: once one waits for the next column, later ones wait behind it.
    if (this.pending.length === 0 && this.fits(item)) this.place(item);
    else this.pending.push(item);
  }

  private placePendingFloats(): void {
    while (this.pending.length) {
      const next = this.pending[0];
      if (!next || !this.fits(next)) return;
      this.pending.shift();
      this.place(next);
    }
  }

  private fits(item: Float): boolean {
    return this.y - this.floatHeight(item) >= this.bottom;
  }

  /** Figures are drawn at their final size (at most the column width), so text in them keeps its point size. */
  private figureDrawing(block: Extract<Block, { type: "figure" }>): Drawing {
    const spec = FIGURES[block.id];
    if (!spec) throw new Error(`unknown figure ${block.id}`);
    return spec.draw(Math.min(this.columnWidth, spec.maxWidth));
  }

  private captionLines(caption: string): { lines: string[][]; labelWords: number } {
    const size = this.style.captionSize;
    const label = /^(Figure|Table) \d+:/.exec(caption)?.[0] ?? "";
    const labelWords = label ? label.split(" ").length : 0;
    const words = caption.split(/\s+/);
    const lines = wrap(
      words,
      this.columnWidth,
      (w, i) => (i < labelWords ? this.fonts.bold : this.fonts.body).widthOfTextAtSize(w, size),
      this.fonts.body.widthOfTextAtSize(" ", size),
    );
    return { lines, labelWords };
  }

  private floatHeight(item: Float): number {
    const captionHeight = this.captionLines(item.block.caption).lines.length * this.style.captionSize * 1.22;
    const gapAround = (this.y === this.columnTop ? 0 : 10) + 10;
    if (item.kind === "figure") return this.figureDrawing(item.block).height + 6 + captionHeight + gapAround;
    return captionHeight + 4 + this.tableGeometry(item.block).height + gapAround;
  }

  private drawCaption(caption: string): void {
    const size = this.style.captionSize;
    const { lines, labelWords } = this.captionLines(caption);
    let wordIndex = 0;
    for (const words of lines) {
      this.y -= size;
      let x = this.columnX;
      const boldCount = Math.max(0, Math.min(words.length, labelWords - wordIndex));
      if (boldCount > 0) {
        const label = words.slice(0, boldCount).join(" ");
        this.page.drawText(label, { x, y: this.y, size, font: this.fonts.bold, color: pdfColor(INK) });
        x += this.fonts.bold.widthOfTextAtSize(label, size);
      }
      const rest = words.slice(boldCount).join(" ");
      if (rest) this.page.drawText(boldCount > 0 ? ` ${rest}` : rest, { x, y: this.y, size, font: this.fonts.body, color: pdfColor(INK) });
      this.y -= size * 0.22;
      wordIndex += words.length;
    }
  }

  private place(item: Float): void {
    if (this.y !== this.columnTop) this.y -= 10;
    if (item.kind === "figure") {
      const { block } = item;
      const spec = FIGURES[block.id];
      if (!spec) throw new Error(`unknown figure ${block.id}`);
      const drawing = this.figureDrawing(block);
      const left = this.columnX + (this.columnWidth - drawing.width) / 2;
      const png = renderPng(drawing);
      if (spec.render === "vector") drawVector(this.page, drawing, left, this.y, 1, this.fonts);
      else {
        this.rasterQueue.push({ page: this.page, png, x: left, y: this.y - drawing.height, width: drawing.width, height: drawing.height });
      }
      this.figures.push({ number: block.number, caption: block.caption, png });
      this.y -= drawing.height + 6;
      this.drawCaption(block.caption);
    } else {
      this.drawCaption(item.block.caption);
      this.y -= 4;
      this.drawTable(item.block);
    }
    this.y -= 10;
  }

  /** Raster figures, embedded after layout because embedding is asynchronous; where an image sits in the content stream does not change the text order. */
  readonly rasterQueue: Array<{ page: PDFPage; png: Buffer; x: number; y: number; width: number; height: number }> = [];

  private tableGeometry(block: Extract<Block, { type: "table" }>): { size: number; widths: number[]; headerLines: string[][][]; height: number } {
    const pad = 4;
    for (let size = this.style.tableSize; ; size -= 0.25) {
      const widthOf = (text: string, bold: boolean): number => (bold ? this.fonts.bold : this.fonts.body).widthOfTextAtSize(text, size);
      const natural = block.header.map((head, j) => {
        const cells = block.rows.map((row) => widthOf(row[j] ?? "", false));
        const longestHeadWord = Math.max(...head.split(" ").map((w) => widthOf(w, true)));
        return Math.max(longestHeadWord, ...cells) + 2 * pad;
      });
      const total = natural.reduce((a, b) => a + b, 0);
      if (total <= this.columnWidth || size <= 5.5) {
        const extra = Math.max(0, this.columnWidth - total) / natural.length;
        const widths = natural.map((w) => w + extra);
        const headerLines = block.header.map((head, j) =>
          wrap(head.split(" "), (widths[j] ?? 0) - 2 * pad, (w) => widthOf(w, true), widthOf(" ", true)),
        );
        const headerRows = Math.max(...headerLines.map((l) => l.length));
        const rowHeight = size * 1.5;
        const height = 4 + headerRows * size * 1.2 + 5 + block.rows.length * rowHeight + 4;
        return { size, widths, headerLines, height };
      }
    }
  }

  private drawTable(block: Extract<Block, { type: "table" }>): void {
    const { size, widths, headerLines } = this.tableGeometry(block);
    const x0 = this.columnX;
    const rule = (thickness: number): void => {
      this.page.drawLine({ start: { x: x0, y: this.y }, end: { x: x0 + this.columnWidth, y: this.y }, thickness, color: pdfColor(INK) });
    };
    const cellX = (j: number, text: string, font: PDFFont): number => {
      const left = x0 + widths.slice(0, j).reduce((a, b) => a + b, 0);
      const w = widths[j] ?? 0;
      return j === 0 ? left + 4 : left + (w - font.widthOfTextAtSize(text, size)) / 2;
    };
    rule(0.8);
    this.y -= 4;
    const headerRows = Math.max(...headerLines.map((l) => l.length));
    for (let r = 0; r < headerRows; r++) {
      this.y -= size;
      headerLines.forEach((lines, j) => {
        const words = lines[r];
        if (!words) return;
        const text = words.join(" ");
        this.page.drawText(text, { x: cellX(j, text, this.fonts.bold), y: this.y, size, font: this.fonts.bold, color: pdfColor(INK) });
      });
      this.y -= size * 0.2;
    }
    this.y -= 3;
    rule(0.5);
    this.y -= 2;
    for (const row of block.rows) {
      this.y -= size * 1.5;
      row.forEach((cell, j) => {
        this.page.drawText(cell, { x: cellX(j, cell, this.fonts.body), y: this.y + size * 0.35, size, font: this.fonts.body, color: pdfColor(INK) });
      });
    }
    this.y -= 4;
    rule(0.8);
  }

  footers(): void {
    this.pages.forEach((page, i) => {
      const text = String(i + 1);
      const size = 9;
      const w = this.fonts.body.widthOfTextAtSize(text, size);
      page.drawText(text, { x: (this.width - w) / 2, y: this.style.margin / 2, size, font: this.fonts.body, color: pdfColor(INK) });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Build

export interface BuildResult {
  /** Output files relative to the output folder, sorted. */
  files: string[];
  papers: Array<{ slug: string; title: string; pages: number; figures: number }>;
}

async function buildPaper(note: SourceNote, pageSize: [number, number], columns: 1 | 2): Promise<{ pdf: Uint8Array; figures: BuiltFigure[]; pages: number }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(note.meta.title);
  doc.setAuthor(note.meta.authors.join(", "));
  doc.setSubject(note.meta.abstract);
  doc.setKeywords(["Folio demo corpus", "retrieval"]);
  doc.setCreator(CREATOR);
  doc.setProducer(PRODUCER);
  doc.setLanguage("en");
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  const fonts: Fonts = {
    body: await doc.embedFont(StandardFonts.TimesRoman),
    bold: await doc.embedFont(StandardFonts.TimesRomanBold),
    italic: await doc.embedFont(StandardFonts.TimesRomanItalic),
    sans: await doc.embedFont(StandardFonts.Helvetica),
    sansBold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  const layout = new Layout(doc, fonts, note, pageSize, columns);
  layout.titleBlock();
  layout.body();
  layout.footers();
  for (const image of layout.rasterQueue) {
    const embedded = await doc.embedPng(image.png);
    image.page.drawImage(embedded, { x: image.x, y: image.y, width: image.width, height: image.height });
  }
  const pdf = await doc.save({ useObjectStreams: false });
  return { pdf, figures: layout.figures, pages: layout.pages.length };
}

export async function buildDemoCorpus(options: { sourcesDir?: string; outDir?: string } = {}): Promise<BuildResult> {
  const sourcesDir = options.sourcesDir ?? path.join(DATA_DIR, "sources");
  const outDir = options.outDir ?? DATA_DIR;
  const papersDir = path.join(outDir, "papers");
  const figuresDir = path.join(outDir, "figures");
  await mkdir(papersDir, { recursive: true });
  await mkdir(figuresDir, { recursive: true });
  // Remove earlier outputs (only files this script writes) so a renamed figure leaves nothing stale behind.
  for (const [dir, pattern] of [
    [papersDir, /\.pdf$/],
    [figuresDir, /-figure-\d+\.(png|txt)$/],
  ] as const) {
    for (const file of await readdir(dir)) if (pattern.test(file)) await rm(path.join(dir, file));
  }

  const sourceFiles = (await readdir(sourcesDir)).filter((f) => f.endsWith(".md")).sort();
  const known = new Set(PAPERS.map((p) => `${p.slug}.md`));
  const unknown = sourceFiles.filter((f) => !known.has(f));
  if (unknown.length) throw new Error(`no layout for ${unknown.join(", ")}: add it to PAPERS in data/build-demo.ts`);

  const files: string[] = [];
  const papers: BuildResult["papers"] = [];
  const manifest: string[] = [];
  for (const spec of PAPERS) {
    const note = parseNote(spec.slug, await readFile(path.join(sourcesDir, `${spec.slug}.md`), "utf8"));
    const built = await buildPaper(note, spec.pageSize, spec.columns);
    const pdfPath = `papers/${spec.slug}.pdf`;
    await writeFile(path.join(outDir, pdfPath), built.pdf);
    files.push(pdfPath);
    for (const figure of built.figures) {
      const base = `figures/${spec.slug}-figure-${figure.number}`;
      await writeFile(path.join(outDir, `${base}.png`), figure.png);
      await writeFile(path.join(outDir, `${base}.txt`), `${figure.caption}\n`);
      files.push(`${base}.png`, `${base}.txt`);
    }
    manifest.push(JSON.stringify({ path: pdfPath, title: note.meta.title, authors: note.meta.authors, year: note.meta.year }));
    papers.push({ slug: spec.slug, title: note.meta.title, pages: built.pages, figures: built.figures.length });
  }
  await writeFile(path.join(outDir, "manifest.jsonl"), manifest.join("\n") + "\n");
  files.push("manifest.jsonl");
  return { files: files.sort(), papers };
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const outFlag = process.argv.indexOf("--out");
  const outDir = outFlag >= 0 ? process.argv[outFlag + 1] : undefined;
  if (outFlag >= 0 && !outDir) throw new Error("--out needs a folder");
  const result = await buildDemoCorpus(outDir ? { outDir: path.resolve(outDir) } : {});
  for (const paper of result.papers) console.log(`${paper.slug}.pdf: ${paper.pages} pages, ${paper.figures} figures`);
  console.log(`${result.files.length} files written to ${outDir ?? (path.relative(process.cwd(), DATA_DIR) || ".")}`);
}

/**
 * The contact sheet: for each float, the parser's crop beside the true box, cut from the same page
 * render, worst IoU first, for a person to look at.
 */
import sharp from "sharp";
import type { Box } from "./corpus.js";
import type { FloatResult } from "./measure.js";

const CELL = { width: 300, height: 220, label: 18, gap: 8 };
const PER_ROW = 3;

async function cut(page: Buffer | undefined, box: Box | undefined, scale: number): Promise<Buffer> {
  const blank = () => sharp({ create: { width: CELL.width, height: CELL.height, channels: 3, background: "#eeeeee" } }).png().toBuffer();
  if (!page || !box) return blank();
  const meta = await sharp(page).metadata();
  const left = Math.max(0, Math.floor(box[0] * scale));
  const top = Math.max(0, Math.floor(box[1] * scale));
  const width = Math.min(meta.width! - left, Math.ceil((box[2] - box[0]) * scale));
  const height = Math.min(meta.height! - top, Math.ceil((box[3] - box[1]) * scale));
  if (width < 1 || height < 1) return blank();
  return sharp(page).extract({ left, top, width, height }).resize(CELL.width, CELL.height, { fit: "contain", background: "#ffffff" }).flatten({ background: "#ffffff" }).png().toBuffer();
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export async function contactSheet(floats: readonly FloatResult[], pages: Map<string, Map<number, Buffer>>, scale: number, file: string): Promise<void> {
  const ordered = [...floats].sort((a, b) => a.iou - b.iou);
  const cellWidth = 2 * CELL.width + CELL.gap;
  const cellHeight = CELL.height + CELL.label;
  const rows = Math.ceil(ordered.length / PER_ROW);
  const width = PER_ROW * (cellWidth + 3 * CELL.gap);
  const height = Math.max(1, rows) * (cellHeight + 2 * CELL.gap);
  const layers: sharp.OverlayOptions[] = [];
  const labels: string[] = [];
  for (const [i, f] of ordered.entries()) {
    const x = (i % PER_ROW) * (cellWidth + 3 * CELL.gap) + CELL.gap;
    const y = Math.floor(i / PER_ROW) * (cellHeight + 2 * CELL.gap) + CELL.gap;
    const paperPages = pages.get(f.paper);
    const crop = f.crop && f.cropPage ? await cut(paperPages?.get(f.cropPage), f.crop, scale) : await cut(undefined, undefined, scale);
    const truth = await cut(paperPages?.get(f.page), f.truth, scale);
    layers.push({ input: crop, left: x, top: y + CELL.label }, { input: truth, left: x + CELL.width + CELL.gap, top: y + CELL.label });
    const colour = f.iou >= 0.8 ? "#007000" : "#c00000";
    labels.push(`<text x="${x}" y="${y + 13}" font-size="13" font-family="sans-serif" fill="${colour}">${escape(`${f.paper} ${f.label} p${f.page}  IoU ${f.iou.toFixed(2)}${f.missed ? " (no crop)" : ""}   crop | truth`)}</text>`);
    labels.push(`<rect x="${x - 1}" y="${y + CELL.label - 1}" width="${cellWidth + 2}" height="${CELL.height + 2}" fill="none" stroke="${colour}"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${labels.join("")}</svg>`;
  layers.push({ input: Buffer.from(svg), left: 0, top: 0 });
  await sharp({ create: { width, height, channels: 3, background: "#ffffff" } }).composite(layers).png().toFile(file);
}

/**
 * The tool the ground truth was made with: renders the shared corpus's pages, draws boxes on them
 * (the parser's crops in red, the truth in green, your own in blue, a grid in PDF points) and
 * tightens a rough box to the ink inside it.
 *
 *   npx tsx test/figures/boxes.ts prepare [PAPER...]          page renders + the parser's boxes
 *   npx tsx test/figures/boxes.ts list PAPER                   captions, detected and true boxes
 *   npx tsx test/figures/boxes.ts draw PAPER PAGE [--box x0,y0,x1,y1]... [--crop x0,y0,x1,y1]
 *   npx tsx test/figures/boxes.ts snap PAPER PAGE x0,y0,x1,y1  the ink's extent inside the box
 *   npx tsx test/figures/boxes.ts set PAPER "Figure 3" PAGE x0,y0,x1,y1 [--snap] [--panel "(a)=x0,y0,x1,y1"]... [--note TEXT]
 *   npx tsx test/figures/boxes.ts remove PAPER "Figure 3"
 *   npx tsx test/figures/boxes.ts review PAPER [LABEL...]  sheets of the parser's boxes (tightened to
 *                                   the ink) with 40 pt around, six to a sheet, for checking by eye
 *   npx tsx test/figures/boxes.ts accept PAPER [LABEL...]   sets the reviewed (tightened) boxes as truth (all without labels)
 *
 * Renders go to $FOLIO_FIGURES_DIR (default /tmp/folio-figures); boxes are PDF points, origin top left.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import sharp from "sharp";
import { FIGURES } from "../../src/ingest/pdf/heuristics.js";
import { inkExtent } from "../../src/ingest/pdf/render.js";
import { MemoryImages, parseCorpus, type Box, type Detection } from "./corpus.js";
import { readTruth, truthDir, truthPath, type TruthEntry, type TruthFile } from "./truth.js";

const workDir = process.env.FOLIO_FIGURES_DIR ?? "/tmp/folio-figures";
/** Page renders at 144 dpi: 2 pixels per point. */
const SCALE = 2;

const pagePath = (paper: string, page: number) => path.join(workDir, "pages", paper, `p${page}.png`);
const detectionsPath = process.env.FOLIO_FIGURES_DETECTIONS ?? path.join(workDir, "detections.json");

function parseBox(text: string): Box {
  const values = text.split(",").map(Number);
  if (values.length !== 4 || values.some((v) => !Number.isFinite(v))) throw new Error(`not a box: "${text}" (expected x0,y0,x1,y1 in points)`);
  return values as Box;
}

function readDetections(): Detection[] {
  if (!existsSync(detectionsPath)) throw new Error(`no ${detectionsPath}: run "prepare" first`);
  return JSON.parse(readFileSync(detectionsPath, "utf8")) as Detection[];
}

async function prepare(papers: string[]): Promise<void> {
  const images = new MemoryImages();
  const parsed = await parseCorpus(images, { renderPages: true, pageDpi: 72 * SCALE, ...(papers.length ? { papers } : {}) });
  const previous = existsSync(detectionsPath) ? readDetections().filter((d) => !parsed.some((p) => p.paper === d.paper)) : [];
  const detections: Detection[] = [...previous];
  for (const paper of parsed) {
    mkdirSync(path.dirname(pagePath(paper.paper, 1)), { recursive: true });
    for (const [page, png] of paper.pages) writeFileSync(pagePath(paper.paper, page), png);
    detections.push(...paper.detections.map((d) => ({ ...d, imageId: undefined })));
    console.log(`${paper.paper}: ${paper.pages.size} pages, ${paper.detections.length} captions`);
  }
  writeFileSync(detectionsPath, JSON.stringify(detections, null, 1));
}

function list(paper: string): void {
  const truth = readTruth(paper);
  for (const d of readDetections().filter((x) => x.paper === paper)) {
    const t = truth?.entries.find((e) => e.label === d.label);
    const fmt = (b: readonly number[] | undefined) => (b ? b.map((v) => v.toFixed(1)).join(",") : "-");
    console.log(`${d.label.padEnd(10)} p${String(d.page).padEnd(3)} detected ${fmt(d.bbox).padEnd(26)} truth ${t ? `p${t.page} ${fmt(t.box)}` : "-"}   ${d.caption.slice(0, 70)}`);
  }
}

function rect(box: readonly number[], colour: string, label: string, dashed = false, origin: [number, number] = [0, 0], scale = SCALE): string {
  const [x0, y0, x1, y1] = box.map((v, i) => (v - origin[i % 2]!) * scale) as Box;
  const dash = dashed ? ` stroke-dasharray="8,5"` : "";
  const escaped = label.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>` +
    `<text x="${x0 + 3}" y="${Math.max(12, y0 - 3)}" font-size="14" font-family="sans-serif" fill="${colour}">${escaped}</text>`;
}

function grid(width: number, height: number, origin: [number, number], scale: number, step: number, labelEvery: number): string {
  const parts: string[] = [];
  const [ox, oy] = origin;
  for (let x = Math.ceil(ox / step) * step; (x - ox) * scale <= width; x += step) {
    const px = (x - ox) * scale;
    const major = x % labelEvery === 0;
    parts.push(`<line x1="${px}" y1="0" x2="${px}" y2="${height}" stroke="${major ? "#00a0ff" : "#9fd8ff"}" stroke-width="${major ? 1 : 0.5}" opacity="0.7"/>`);
    if (major) parts.push(`<text x="${px + 2}" y="11" font-size="11" font-family="monospace" fill="#0070c0">${x}</text>`);
  }
  for (let y = Math.ceil(oy / step) * step; (y - oy) * scale <= height; y += step) {
    const py = (y - oy) * scale;
    const major = y % labelEvery === 0;
    parts.push(`<line x1="0" y1="${py}" x2="${width}" y2="${py}" stroke="${major ? "#00a0ff" : "#9fd8ff"}" stroke-width="${major ? 1 : 0.5}" opacity="0.7"/>`);
    if (major) parts.push(`<text x="2" y="${py - 2}" font-size="11" font-family="monospace" fill="#0070c0">${y}</text>`);
  }
  return parts.join("");
}

async function draw(paper: string, page: number, extra: Box[], crop: Box | undefined, out: string | undefined, showFound = true): Promise<string> {
  const png = readFileSync(pagePath(paper, page));
  const meta = await sharp(png).metadata();
  const [pageW, pageH] = [meta.width! / SCALE, meta.height! / SCALE];
  const region: Box = crop ?? [0, 0, pageW, pageH];
  // A crop is shown larger (up to 4 px per point) so a box can be checked to the point.
  const zoom = crop ? Math.min(4, 1400 / ((region[2] - region[0]) * SCALE)) * SCALE : SCALE;
  const left = Math.max(0, Math.round(region[0] * SCALE));
  const top = Math.max(0, Math.round(region[1] * SCALE));
  const cw = Math.min(meta.width! - left, Math.round((region[2] - region[0]) * SCALE));
  const ch = Math.min(meta.height! - top, Math.round((region[3] - region[1]) * SCALE));
  const base = await sharp(png).extract({ left, top, width: cw, height: ch }).resize(Math.round((cw * zoom) / SCALE)).png().toBuffer();
  const bm = await sharp(base).metadata();
  const origin: [number, number] = [left / SCALE, top / SCALE];
  const svgParts = [crop ? grid(bm.width!, bm.height!, origin, zoom, 10, 50) : grid(bm.width!, bm.height!, origin, zoom, 25, 100)];
  for (const d of showFound ? readDetections().filter((x) => x.paper === paper && x.page === page && x.bbox) : []) svgParts.push(rect(d.bbox!, "#e00000", `found ${d.label}`, true, origin, zoom));
  for (const t of readTruth(paper)?.entries.filter((e) => e.page === page) ?? []) {
    svgParts.push(rect(t.box, "#00a000", `truth ${t.label}`, false, origin, zoom));
    for (const p of t.panels ?? []) svgParts.push(rect(p.box, "#00c080", p.label, true, origin, zoom));
  }
  extra.forEach((b, i) => svgParts.push(rect(b, "#2040ff", `box ${i + 1}`, false, origin, zoom)));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${bm.width}" height="${bm.height}">${svgParts.join("")}</svg>`;
  const file = out ?? path.join(workDir, "draw", `${paper}-p${page}${crop ? "-crop" : ""}.png`);
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp(base).composite([{ input: Buffer.from(svg) }]).png().toFile(file);
  return file;
}

/** The extent of the ink inside a rough box: the parser's own ink test (FIGURES.inkThreshold) on the page render. */
export async function snap(paper: string, page: number, rough: Box): Promise<Box> {
  const png = readFileSync(pagePath(paper, page));
  const meta = await sharp(png).metadata();
  const [x0, y0] = [Math.max(0, Math.round(rough[0] * SCALE)), Math.max(0, Math.round(rough[1] * SCALE))];
  const [x1, y1] = [Math.min(meta.width!, Math.round(rough[2] * SCALE)), Math.min(meta.height!, Math.round(rough[3] * SCALE))];
  if (x1 <= x0 || y1 <= y0) throw new Error("no ink inside that box");
  const { data, info } = await sharp(png).extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }).greyscale().raw().toBuffer({ resolveWithObject: true });
  const extent = inkExtent(data, info.width, info.height, 1);
  if (!extent) throw new Error("no ink inside that box");
  const pt = (v: number) => Math.round((v / SCALE) * 2) / 2;
  return [pt(x0 + extent[0]), pt(y0 + extent[1]), pt(x0 + extent[2]), pt(y0 + extent[3])];
}

/** Two people (or sessions) may check pages of one paper at once: each change re-reads the file under a lock. */
async function withTruthLock(change: () => void): Promise<void> {
  mkdirSync(truthDir, { recursive: true });
  const release = await lockfile.lock(truthDir, { retries: { retries: 50, minTimeout: 50, maxTimeout: 200 } });
  try {
    change();
  } finally {
    await release();
  }
}

function writeTruth(file: TruthFile): void {
  mkdirSync(path.dirname(truthPath(file.paper)), { recursive: true });
  const order = (e: TruthEntry) => `${e.kind}${e.label.replace(/\d+/, (n) => n.padStart(3, "0"))}`;
  file.entries.sort((a, b) => order(a).localeCompare(order(b)));
  const lines = file.entries.map((e) => "    " + JSON.stringify(e));
  writeFileSync(truthPath(file.paper), `{\n  "paper": ${JSON.stringify(file.paper)},\n  "entries": [\n${lines.join(",\n")}\n  ]\n}\n`);
}

async function set(args: string[]): Promise<void> {
  const [paper, label, pageText, boxText] = args;
  if (!paper || !label || !pageText || !boxText) throw new Error('usage: set PAPER "Figure 3" PAGE x0,y0,x1,y1 [--snap] [--panel "(a)=x0,y0,x1,y1"]... [--note TEXT]');
  const page = Number(pageText);
  const doSnap = args.includes("--snap");
  let box = parseBox(boxText);
  if (doSnap) box = await snap(paper, page, box);
  const panels: Array<{ label: string; box: Box }> = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== "--panel") continue;
    const [name = "", value = ""] = (args[i + 1] ?? "").split("=");
    const panelBox = parseBox(value);
    panels.push({ label: name, box: doSnap ? await snap(paper, page, panelBox) : panelBox });
  }
  const noteAt = args.indexOf("--note");
  const entry: TruthEntry = { label, kind: label.startsWith("Table") ? "table" : "figure", page, box, ...(panels.length ? { panels } : {}), ...(noteAt > 0 ? { note: args[noteAt + 1] ?? "" } : {}) };
  await withTruthLock(() => {
    const file = readTruth(paper) ?? { paper, entries: [] };
    file.entries = [...file.entries.filter((e) => e.label !== label), entry];
    writeTruth(file);
  });
  console.log(JSON.stringify(entry));
}

const REVIEW_MARGIN = 40;

/** The parser's box for a label, tightened to the ink inside it (the truth has no padding). */
async function proposal(d: Detection): Promise<Box | undefined> {
  if (!d.bbox || !d.page) return undefined;
  // Without the parser's padding: a caption set close to its table would lend its descenders.
  const p = FIGURES.padding - 0.5;
  const [x0, y0, x1, y1] = d.bbox;
  return snap(d.paper, d.page, [x0 + p, y0 + p, x1 - p, y1 - p]).catch(() => undefined);
}

async function review(paper: string, labels: string[]): Promise<void> {
  const detections = readDetections().filter((d) => d.paper === paper && (labels.length === 0 || labels.includes(d.label)));
  const tiles: Buffer[] = [];
  for (const d of detections) {
    const box = await proposal(d);
    const page = d.page ?? 1;
    const meta = await sharp(readFileSync(pagePath(paper, page))).metadata();
    const [w, h] = [meta.width! / SCALE, meta.height! / SCALE];
    const around: Box = box ? [Math.max(0, box[0] - REVIEW_MARGIN), Math.max(0, box[1] - REVIEW_MARGIN), Math.min(w, box[2] + REVIEW_MARGIN), Math.min(h, box[3] + REVIEW_MARGIN)] : [0, 0, w, h];
    const file = await draw(paper, page, box ? [box] : [], around, path.join(workDir, "review", "tile.png"), false);
    const title = `${d.label} p${page}${box ? ` ${box.join(",")}` : " (no box)"}`;
    const tile = await sharp(file).resize(700, 520, { fit: "contain", background: "#ffffff" }).extend({ top: 24, background: "#ffffff" }).composite([{ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="700" height="24"><text x="4" y="18" font-size="18" font-family="sans-serif" fill="#000">${title}</text></svg>`), top: 0, left: 0 }]).png().toBuffer();
    tiles.push(tile);
  }
  for (let i = 0; i < tiles.length; i += 6) {
    const group = tiles.slice(i, i + 6);
    const file = path.join(workDir, "review", `${paper}-${i / 6 + 1}.png`);
    await sharp({ create: { width: 1420, height: 3 * 554, channels: 3, background: "#888888" } })
      .composite(group.map((input, k) => ({ input, left: (k % 2) * 710 + 5, top: Math.floor(k / 2) * 554 + 5 })))
      .png()
      .toFile(file);
    console.log(file);
  }
}

async function accept(paper: string, labels: string[]): Promise<void> {
  const all = labels.length === 0 || labels[0] === "--all";
  const chosen = all ? readDetections().filter((d) => d.paper === paper).map((d) => d.label) : labels;
  for (const label of chosen) {
    const d = readDetections().find((x) => x.paper === paper && x.label === label);
    const box = d && (await proposal(d));
    if (!d || !box) throw new Error(`no box for ${label}`);
    await set([paper, label, String(d.page), box.join(",")]);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const option = (name: string) => args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]!] : []));
  switch (command) {
    case "prepare":
      return prepare(args);
    case "list":
      return list(args[0] ?? "");
    case "draw": {
      const [paper = "", page = "1"] = args;
      const crop = option("--crop")[0];
      console.log(await draw(paper, Number(page), option("--box").map(parseBox), crop ? parseBox(crop) : undefined, option("--out")[0]));
      return;
    }
    case "snap": {
      const [paper = "", page = "1", box = ""] = args;
      console.log((await snap(paper, Number(page), parseBox(box))).join(","));
      return;
    }
    case "set":
      return set(args);
    case "review":
      return review(args[0] ?? "", args.slice(1));
    case "accept":
      return accept(args[0] ?? "", args.slice(1));
    case "remove": {
      const [paper = "", label = ""] = args;
      await withTruthLock(() => {
        const file = readTruth(paper);
        if (file) writeTruth({ ...file, entries: file.entries.filter((e) => e.label !== label) });
      });
      return;
    }
    default:
      console.log(readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

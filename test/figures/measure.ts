/**
 * Crop accuracy against the hand-checked boxes: IoU per figure and table, the share at IoU >= 0.8,
 * missed floats, crops that hold another float, crops over the title or abstract.
 */
import type { Box } from "./corpus.js";
import type { TruthEntry, TruthFile } from "./truth.js";

/** The IoU at which a crop counts as right. */
export const GOOD_IOU = 0.8;
/** A crop holding this share of another float's true box holds that float too. */
export const OTHER_FLOAT_SHARE = 0.5;

export const area = (b: Box) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

export function intersection(a: Box, b: Box): number {
  return Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
}

export function iou(a: Box, b: Box): number {
  const shared = intersection(a, b);
  const union = area(a) + area(b) - shared;
  return union > 0 ? shared / union : 0;
}

/** What the parser gave for one caption label. */
export interface Crop {
  label: string;
  page: number | undefined;
  bbox: Box | undefined;
}

/** The page regions a crop must never include (the paper's title and abstract). */
export interface Forbidden {
  page: number;
  box: Box;
  what: "title" | "abstract";
}

export interface FloatResult {
  paper: string;
  label: string;
  kind: "figure" | "table";
  page: number;
  truth: Box;
  crop: Box | undefined;
  cropPage: number | undefined;
  iou: number;
  missed: boolean;
  /** Labels of other floats whose true box the crop mostly holds. */
  holdsOthers: string[];
  /** "title" / "abstract" when the crop covers part of them. */
  covers: Array<Forbidden["what"]>;
}

export interface PaperResult {
  paper: string;
  floats: FloatResult[];
  /** Caption labels the parser cropped that the truth does not have. */
  extra: string[];
}

export function measurePaper(truth: TruthFile, crops: readonly Crop[], forbidden: readonly Forbidden[] = []): PaperResult {
  const floats = truth.entries.map((entry) => measureFloat(truth.paper, entry, crops.find((c) => c.label === entry.label), truth.entries, forbidden));
  const known = new Set(truth.entries.map((e) => e.label));
  return { paper: truth.paper, floats, extra: crops.filter((c) => !known.has(c.label)).map((c) => c.label) };
}

function measureFloat(paper: string, entry: TruthEntry, crop: Crop | undefined, all: readonly TruthEntry[], forbidden: readonly Forbidden[]): FloatResult {
  const base = { paper, label: entry.label, kind: entry.kind, page: entry.page, truth: entry.box, cropPage: crop?.page };
  if (!crop?.bbox) return { ...base, crop: undefined, iou: 0, missed: true, holdsOthers: [], covers: [] };
  const box = crop.bbox;
  const onPage = crop.page === entry.page;
  const holdsOthers = all
    .filter((other) => other !== entry && other.page === crop.page && intersection(box, other.box) >= OTHER_FLOAT_SHARE * area(other.box))
    .map((other) => other.label);
  const covers = forbidden.filter((f) => f.page === crop.page && intersection(box, f.box) > 0).map((f) => f.what);
  return { ...base, crop: box, iou: onPage ? iou(box, entry.box) : 0, missed: false, holdsOthers, covers: [...new Set(covers)] };
}

export interface Summary {
  floats: number;
  good: number;
  goodShare: number;
  meanIou: number;
  missed: number;
  holdingOthers: number;
  coveringTitleOrAbstract: number;
}

export function summarize(floats: readonly FloatResult[]): Summary {
  const good = floats.filter((f) => f.iou >= GOOD_IOU).length;
  return {
    floats: floats.length,
    good,
    goodShare: floats.length ? good / floats.length : 0,
    meanIou: floats.length ? floats.reduce((s, f) => s + f.iou, 0) / floats.length : 0,
    missed: floats.filter((f) => f.missed).length,
    holdingOthers: floats.filter((f) => f.holdsOthers.length > 0).length,
    coveringTitleOrAbstract: floats.filter((f) => f.covers.length > 0).length,
  };
}

export function worst(floats: readonly FloatResult[], n: number): FloatResult[] {
  return [...floats].sort((a, b) => a.iou - b.iou || a.paper.localeCompare(b.paper)).slice(0, n);
}

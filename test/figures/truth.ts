/**
 * The hand-checked figure and table boxes of the shared corpus: one JSON file per paper in
 * test/figures/truth/, boxes in PDF points with the origin at the page's top left.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { repoRoot } from "./corpus.js";

export const truthDir = path.join(repoRoot, "test/figures/truth");

const box = z.tuple([z.number(), z.number(), z.number(), z.number()]).refine(([x0, y0, x1, y1]) => x1 > x0 && y1 > y0, "a box is [x0, y0, x1, y1] with x1 > x0 and y1 > y0");

export const truthEntrySchema = z.object({
  /** "Figure 3" or "Table 2", as the parser normalises labels. */
  label: z.string().regex(/^(Figure|Table) (?:[A-Z]?\d{1,3}(?:\.\d{1,2})?[a-z]?|[IVX]{1,5})$/),
  kind: z.enum(["figure", "table"]),
  page: z.number().int().positive(),
  /** The float without its caption: graphics, axis labels, legends, sub-captions, table notes. */
  box,
  /** Sub-panels the caption labels "(a)", "(b)". */
  panels: z.array(z.object({ label: z.string(), box })).optional(),
  note: z.string().optional(),
});

export const truthFileSchema = z.object({
  paper: z.string(),
  /** Captions of the paper with no figure of their own on a page of the file (none expected). */
  entries: z.array(truthEntrySchema),
});

export type TruthEntry = z.infer<typeof truthEntrySchema>;
export type TruthFile = z.infer<typeof truthFileSchema>;

export function truthPath(paper: string): string {
  return path.join(truthDir, `${paper}.json`);
}

export function readTruth(paper: string): TruthFile | undefined {
  const file = truthPath(paper);
  if (!existsSync(file)) return undefined;
  const parsed = truthFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

export function readAllTruth(): TruthFile[] {
  if (!existsSync(truthDir)) return [];
  return readdirSync(truthDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => readTruth(f.replace(/\.json$/, ""))!)
    .filter(Boolean);
}

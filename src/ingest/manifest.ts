/**
 * The optional manifest: a CSV (header row) or JSONL file with one document per row:
 * path or url or arxiv id, plus title, authors, year, doi, caption (for images).
 * Paths are relative to the manifest's folder. Rows are validated with zod; a bad row is a warning,
 * an unreadable manifest is an InputError.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import { InputError, errorMessage } from "../errors.js";
import { LibraryInfoSchema } from "../store/types.js";
import { normalizeArxivId } from "./hash.js";

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v);
const optionalText = z.preprocess(emptyToUndefined, z.string().optional());

export const ManifestRowSchema = z
  .object({
    path: optionalText,
    url: z.preprocess(emptyToUndefined, z.string().url().optional()),
    arxiv: z.preprocess(emptyToUndefined, z.string().optional()),
    title: optionalText,
    authors: z.preprocess(
      (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.split(/\s*;\s*|\s+and\s+/).filter(Boolean)) : v),
      z.array(z.string().min(1)).optional(),
    ),
    year: z.preprocess((v) => (v === "" || v === null ? undefined : typeof v === "string" ? Number(v) : v), z.number().int().min(1000).max(3000).optional()),
    doi: optionalText,
    caption: optionalText,
    /** The reference manager's citation key (BibTeX), kept with the document. */
    citationKey: optionalText,
    library: LibraryInfoSchema.optional(),
  })
  .refine((row) => Boolean(row.path || row.url || row.arxiv), { message: "each row needs a path, a url or an arxiv id" })
  .refine((row) => !row.arxiv || normalizeArxivId(row.arxiv) !== undefined, { message: "arxiv is not an arXiv id (e.g. 1706.03762)", path: ["arxiv"] });
export type ManifestRow = z.infer<typeof ManifestRowSchema>;

/** A manifest row with its path made absolute and its arXiv id normalised. */
export interface ManifestEntry extends Omit<ManifestRow, "arxiv"> {
  absolutePath?: string;
  arxivId?: string;
  line: number;
}

export interface Manifest {
  entries: ManifestEntry[];
  byPath: Map<string, ManifestEntry>;
  warnings: string[];
}

const ALIASES: Record<string, string> = {
  file: "path",
  filename: "path",
  arxiv_id: "arxiv",
  arxivid: "arxiv",
  "arxiv id": "arxiv",
  author: "authors",
  name: "title",
};

function normaliseKeys(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = k.trim().toLowerCase();
    out[ALIASES[key] ?? key] = v;
  }
  return out;
}

export async function loadManifest(manifestPath: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch (error) {
    throw new InputError(`Cannot read the manifest ${manifestPath}.`, "Check the --manifest path.", error);
  }
  const isJsonl = /\.(jsonl|ndjson)$/i.test(manifestPath) || text.trimStart().startsWith("{");
  const rows: Array<{ line: number; raw: unknown }> = [];
  if (isJsonl) {
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      try {
        rows.push({ line: i + 1, raw: JSON.parse(line) });
      } catch {
        rows.push({ line: i + 1, raw: "invalid JSON" });
      }
    });
  } else {
    let records: Array<Record<string, string>>;
    try {
      records = parseCsv(text.replace(/^\uFEFF/, ""), { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true });
    } catch (error) {
      throw new InputError(`The manifest ${manifestPath} is not valid CSV: ${errorMessage(error)}`, "Use a header row (path,url,arxiv,title,authors,year,doi) or JSONL.", error);
    }
    records.forEach((record, i) => rows.push({ line: i + 2, raw: record }));
  }
  const base = path.dirname(path.resolve(manifestPath));
  const entries: ManifestEntry[] = [];
  const warnings: string[] = [];
  for (const { line, raw } of rows) {
    const parsed = ManifestRowSchema.safeParse(raw && typeof raw === "object" ? normaliseKeys(raw as Record<string, unknown>) : raw);
    if (!parsed.success) {
      warnings.push(`${manifestPath}:${line}: ignored (${parsed.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`).join("; ")})`);
      continue;
    }
    const { arxiv, ...rest } = parsed.data;
    entries.push({ ...rest, arxivId: normalizeArxivId(arxiv), absolutePath: rest.path ? path.resolve(base, rest.path) : undefined, line });
  }
  const byPath = new Map<string, ManifestEntry>();
  for (const entry of entries) if (entry.absolutePath) byPath.set(entry.absolutePath, entry);
  return { entries, byPath, warnings };
}

/** Both manifests' entries (a bibliography beside a --manifest); the later one wins a shared path. */
export function mergeManifests(first: Manifest | undefined, second: Manifest | undefined): Manifest | undefined {
  if (!first || !second) return first ?? second;
  const entries = [...first.entries.filter((e) => !e.absolutePath || !second.byPath.has(e.absolutePath)), ...second.entries];
  return { entries, byPath: new Map([...first.byPath, ...second.byPath]), warnings: [...first.warnings, ...second.warnings] };
}

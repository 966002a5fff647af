/**
 * A reference manager's export as ingest's manifest: BibTeX or BibLaTeX (as Better BibTeX writes
 * it, with its `file` field naming one or more attachments) parsed by @retorquere/bibtex-parser,
 * or CSL-JSON. Each PDF attachment becomes a manifest entry carrying the entry's title, authors,
 * year, DOI and citation key; other attachments (HTML snapshots) are left out. Paths are relative
 * to the bibliography's folder. Malformed entries and entries without a PDF are reported, not fatal.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseBibtex } from "@retorquere/bibtex-parser";
import { z } from "zod";
import { InputError, errorMessage } from "../errors.js";
import type { Manifest, ManifestEntry } from "./manifest.js";

export interface Bibliography extends Manifest {
  /** Attachments the bibliography names that are not on disk: `key` says whose. */
  missing: Array<{ key: string; path: string }>;
}

interface BibItem {
  /** The citation key, or how to name the item in messages when it has none. */
  key: string;
  /** False when the export gave no usable citation key (Folio then makes one). */
  hasKey?: boolean;
  title?: string;
  authors: string[];
  year?: number;
  doi?: string;
  files: string[];
}

/**
 * Better BibTeX and JabRef write `file` as `description:path:mime;...` (with `\:` and `\;` for
 * literal colons and semicolons); Mendeley and hand-written files give bare paths.
 */
export function attachmentPaths(field: string): string[] {
  const parts = field.split(/(?<!\\);/).map((p) => p.trim()).filter(Boolean);
  return parts.map((part) => {
    const pieces = part.split(/(?<!\\):/);
    // "desc:path:mime" (more pieces when a Windows drive letter "C:" splits the path); the last
    // piece names a type ("application/pdf", "PDF"), else the whole part is a bare path.
    const typed = pieces.length >= 3 && /^(?:[\w.+-]+\/[\w.+-]+|[A-Za-z]{2,5})$/.test(pieces[pieces.length - 1]!.trim());
    const filePath = typed ? pieces.slice(1, -1).join(":") : part;
    return filePath.replace(/\\([:;\\])/g, "$1");
  });
}

const isPdf = (file: string) => /\.pdf$/i.test(file);
/** The first four-digit year in a date ("2021-03-04", "June 2020"). */
export const yearOf = (value: string | number | undefined) => {
  const match = /\b(1\d{3}|2\d{3})\b/.exec(String(value ?? ""));
  return match ? Number(match[1]) : undefined;
};

function fromBibtex(text: string, problems: string[]): BibItem[] {
  const library = parseBibtex(text, { english: false, unsupported: "ignore" });
  for (const error of library.errors) problems.push(`malformed entry: ${error.error}`);
  const items: BibItem[] = [];
  for (const entry of library.entries) {
    const f = entry.fields;
    if (!f.title && !f.file) continue; // what the parser kept of a malformed entry
    const authors = (f.author ?? []).map((a) => [a.firstName, a.lastName].filter(Boolean).join(" ") || (a as { name?: string }).name || "").filter(Boolean);
    // The parser turns LaTeX accents into combining marks ("u" + U+0308); the PDFs' text is composed.
    items.push({ key: entry.key, title: f.title?.normalize("NFC"), authors: authors.map((a) => a.normalize("NFC")), year: yearOf(f.year ?? f.date), doi: f.doi, files: f.file ? attachmentPaths(f.file) : [] });
  }
  return items;
}

const CslName = z.object({ family: z.string().optional(), given: z.string().optional(), literal: z.string().optional() }).passthrough();
const CslItem = z
  .object({
    id: z.union([z.string(), z.number()]),
    "citation-key": z.string().optional(),
    title: z.string().optional(),
    author: z.array(CslName).optional(),
    issued: z.object({ "date-parts": z.array(z.array(z.union([z.number(), z.string()]))).optional(), raw: z.string().optional() }).passthrough().optional(),
    DOI: z.string().optional(),
    /** Not CSL: the attachments, as some exports add them (a path, or a list of paths). */
    file: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .passthrough();

function fromCslJson(text: string, problems: string[]): BibItem[] {
  const raw: unknown = JSON.parse(text);
  const list = Array.isArray(raw) ? raw : [];
  const items: BibItem[] = [];
  list.forEach((value, i) => {
    const parsed = CslItem.safeParse(value);
    if (!parsed.success) return void problems.push(`item ${i + 1}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const item = parsed.data;
    const files = item.file === undefined ? [] : Array.isArray(item.file) ? item.file : attachmentPaths(item.file);
    const authors = (item.author ?? []).map((a) => a.literal ?? [a.given, a.family].filter(Boolean).join(" ")).filter(Boolean);
    // Zotero's own CSL-JSON ids are item URLs, not citation keys.
    const id = String(item.id);
    const key = item["citation-key"] ?? (/^[\w:.-]+$/.test(id) && !/^https?:/.test(id) ? id : undefined);
    items.push({ key: key ?? `item ${i + 1}`, hasKey: key !== undefined, title: item.title?.normalize("NFC"), authors: authors.map((a) => a.normalize("NFC")), year: yearOf(item.issued?.["date-parts"]?.[0]?.[0] ?? item.issued?.raw), doi: item.DOI, files });
  });
  return items;
}

/** Reads a .bib (BibTeX/BibLaTeX) or .json (CSL-JSON) file as manifest entries, one per PDF attachment. */
export async function loadBibliography(file: string): Promise<Bibliography> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`Cannot read the bibliography ${file}.`, "Check the --bib path (a .bib or CSL-JSON .json export).", error);
  }
  const problems: string[] = [];
  let items: BibItem[];
  try {
    items = /\.json$/i.test(file) || text.trimStart().startsWith("[") ? fromCslJson(text, problems) : fromBibtex(text, problems);
  } catch (error) {
    throw new InputError(`The bibliography ${file} cannot be parsed: ${errorMessage(error)}.`, "Export it again from your reference manager (BibTeX, BibLaTeX or CSL-JSON).", error);
  }
  const dir = path.dirname(path.resolve(file));
  const bib: Bibliography = { entries: [], byPath: new Map(), warnings: problems.map((p) => `${path.basename(file)}: ${p}`), missing: [] };
  for (const item of items) {
    const pdfs = item.files.filter(isPdf);
    if (pdfs.length === 0) {
      bib.warnings.push(`${path.basename(file)}: @${item.key} has no PDF attachment${item.files.length ? ` (only ${item.files.map((f) => path.extname(f) || f).join(", ")})` : ""}; it was not ingested.`);
      continue;
    }
    for (const pdf of pdfs) {
      const absolutePath = path.resolve(dir, pdf);
      if (!existsSync(absolutePath)) {
        bib.missing.push({ key: item.key, path: absolutePath });
        continue;
      }
      const entry: ManifestEntry = { path: pdf, absolutePath, title: item.title, authors: item.authors.length ? item.authors : undefined, year: item.year, doi: item.doi, ...(item.hasKey === false ? {} : { citationKey: item.key }), line: 0 };
      bib.entries.push(entry);
      bib.byPath.set(absolutePath, entry);
    }
  }
  return bib;
}

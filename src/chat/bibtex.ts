/**
 * BibTeX for a stored paper, from what ingest knows of it (title, authors, year, DOI, arXiv id):
 * the web page's "copy as BibTeX" and GET /documents/{id}. An arXiv paper is an @misc with
 * eprint/archivePrefix (biblatex and natbib's arXiv convention); one with a DOI an @article.
 */
import type { DocumentRecord } from "../store/types.js";

export type BibSource = Pick<DocumentRecord, "docId" | "title" | "authors" | "year" | "doi" | "arxivId" | "citationKey">;

/** LaTeX's special characters in field values. */
function escapeValue(text: string): string {
  return text
    .replace(/\\/g, "\\textbackslash{}")
    .replace(/([&%$#_{}])/g, "\\$1")
    .replace(/~/g, "\\textasciitilde{}")
    .replace(/\^/g, "\\textasciicircum{}")
    .replace(/\s+/g, " ")
    .trim();
}

/** The reference manager's key when the paper came with one; else "Vaswani2017attention": first author's surname, year, first long title word, ASCII only. */
export function citationKey(source: BibSource): string {
  if (source.citationKey) return source.citationKey;
  const ascii = (s: string) => s.normalize("NFKD").replace(/[^A-Za-z0-9]/g, "");
  const surname = ascii(source.authors[0]?.trim().split(/\s+/).pop() ?? "");
  const word = ascii(source.title.split(/\s+/).find((w) => ascii(w).length > 3) ?? "").toLowerCase();
  const key = `${surname}${source.year ?? ""}${word}`;
  return key || ascii(source.docId) || "paper";
}

export function bibtexFor(source: BibSource): string {
  const fields: Array<[string, string]> = [["title", `{${escapeValue(source.title)}}`]];
  if (source.authors.length) fields.push(["author", escapeValue(source.authors.join(" and "))]);
  if (source.year) fields.push(["year", String(source.year)]);
  if (source.doi) fields.push(["doi", escapeValue(source.doi)]);
  if (source.arxivId) {
    fields.push(["eprint", source.arxivId], ["archivePrefix", "arXiv"], ["url", `https://arxiv.org/abs/${source.arxivId}`]);
  } else if (source.doi) {
    fields.push(["url", `https://doi.org/${source.doi}`]);
  }
  const type = source.doi && !source.arxivId ? "article" : "misc";
  const body = fields.map(([name, value]) => `  ${name} = {${value}}`).join(",\n");
  return `@${type}{${citationKey(source)},\n${body}\n}`;
}

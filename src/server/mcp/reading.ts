/** What the MCP tools read of a stored paper: its record as Markdown, and the text of one page. */
import { bibtexFor } from "../../chat/bibtex.js";
import { splitSentences } from "../../chat/index.js";
import type { DocumentRecord, FolioStoreApi } from "../../store/types.js";

/** Most chunks one page can hold (text chunks and figure records). */
const MAX_PAGE_CHUNKS = 500;

/** A paper's record for a model to read: metadata, abstract, sections, figures and tables, BibTeX. */
export async function paperDetail(store: FolioStoreApi, record: DocumentRecord): Promise<string> {
  const figures = await store.find({ docIds: [record.docId], kinds: ["figure"] }, MAX_PAGE_CHUNKS);
  figures.sort((a, b) => (a.metadata.page ?? 0) - (b.metadata.page ?? 0));
  const lines = [
    `# ${record.title}`,
    "",
    `- id: ${record.docId}`,
    record.authors.length ? `- authors: ${record.authors.join(", ")}` : "",
    record.year ? `- year: ${record.year}` : "",
    record.doi ? `- DOI: ${record.doi}` : "",
    record.arxivId ? `- arXiv: ${record.arxivId}` : "",
    `- pages: ${record.pages}, figures and tables: ${record.figures}`,
    "",
    record.profile?.abstract ? `## Abstract\n\n${record.profile.abstract}\n` : "",
    record.profile?.headings.length ? `## Sections\n\n${record.profile.headings.map((h) => `- ${h}`).join("\n")}\n` : "",
    figures.length ? `## Figures and tables\n\n${figures.map((f) => `- ${f.metadata.figureLabel ?? "?"} (p. ${f.metadata.page ?? "?"}): ${(f.metadata.caption ?? "").replace(/\s+/g, " ").slice(0, 300)}`).join("\n")}\n` : "",
    "## BibTeX",
    "",
    "```bibtex",
    bibtexFor(record),
    "```",
  ];
  return lines.filter((line, i) => line !== "" || lines[i - 1] !== "").join("\n");
}

/**
 * A page's text: the page record's (kept when pages are rendered), else the page's text chunks in
 * order, without the sentences the chunks repeat as overlap; and the page image's id, if any.
 */
export async function pageText(store: FolioStoreApi, docId: string, page: number): Promise<{ text: string; imageId?: string }> {
  const pages = { gte: page, lte: page };
  const [pageRecord] = await store.find({ docIds: [docId], kinds: ["page"], pages }, 1);
  if (pageRecord) return { text: pageRecord.text, ...(pageRecord.metadata.imageId ? { imageId: pageRecord.metadata.imageId } : {}) };
  const chunks = await store.find({ docIds: [docId], kinds: ["text"], pages, includeReferences: true }, MAX_PAGE_CHUNKS);
  chunks.sort((a, b) => a.metadata.chunkIndex - b.metadata.chunkIndex);
  const seen = new Set<string>();
  const paragraphs = chunks.map((c) =>
    splitSentences(c.text)
      .filter((s) => !seen.has(s) && seen.add(s))
      .join(" "),
  );
  return { text: paragraphs.filter(Boolean).join("\n\n") };
}

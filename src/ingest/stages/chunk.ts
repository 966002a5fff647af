/** Stage 5, chunk: a parsed document's chunks and registry record, ready for the writer. */
import { detectLanguage, dominantLanguage } from "../../store/index.js";
import type { ChunkInput, DocumentInput } from "../../store/types.js";
import { chunkDocument, type DocumentMeta } from "../chunker.js";
import { profileDocument } from "../profile.js";
import type { SourceKind } from "../sniff.js";
import type { ParsedDocument } from "../types.js";
import type { StageContext } from "./context.js";
import type { Fingerprint } from "./fingerprint.js";
import type { PlannedItem } from "./plan.js";
import { displayOf, hintFor, SCANNED_PDF_HINT, Skip } from "./skip.js";
import { arxivDocId, normalizeArxivId } from "../hash.js";

/** "arXiv:1706.03762" or an arxiv.org link in an image's caption names the paper it is a figure of. */
function paperNamedIn(parsed: ParsedDocument): string | undefined {
  for (const figure of parsed.figures) {
    const match = /\barxiv(?::\s*|\.org\/(?:abs|pdf)\/)([a-z-]+(?:\.[A-Z]{2})?\/\d{7}|\d{4}\.\d{4,5})/i.exec(figure.caption);
    const id = normalizeArxivId(match?.[1]);
    if (id) return arxivDocId(id);
  }
  return undefined;
}

/** A document ready for the store writer. */
export interface ReadyDocument {
  display: string;
  input: DocumentInput;
  chunks: ChunkInput[];
  replaced: boolean;
  pages: number;
  figures: number;
  figureLabels: string[];
  startedAt: number;
}

export function chunkParsed(planned: PlannedItem, kind: SourceKind, parsed: ParsedDocument, fp: Fingerprint, replaced: boolean, startedAt: number, ctx: StageContext): ReadyDocument {
  const { item, docId } = planned;
  const entry = item.manifest;
  const display = displayOf(item);
  const meta: DocumentMeta = {
    docId,
    title: entry?.title ?? parsed.title,
    authors: entry?.authors ?? parsed.authors,
    year: entry?.year ?? parsed.year,
    doi: entry?.doi ?? parsed.doi,
    ...(entry?.citationKey ? { citationKey: entry.citationKey } : {}),
    arxivId: planned.knownArxivId ?? parsed.arxivId,
    source: display,
  };
  const { chunkTokens, chunkOverlapTokens } = ctx.options;
  // Each chunk is analysed in its own language: an English paper with a Chinese abstract is both.
  const paperId = kind === "image" ? (planned.paperId ?? paperNamedIn(parsed)) : undefined;
  const chunks = chunkDocument(parsed, meta, { chunkTokens, chunkOverlapTokens }).map((c) => ({ ...c, metadata: { ...c.metadata, lang: detectLanguage(c.text), ...(paperId ? { paperId } : {}) } }));
  if (chunks.length === 0) throw new Skip("empty", kind === "pdf" ? SCANNED_PDF_HINT : hintFor("empty"), kind === "pdf" ? "no extractable text (a scanned PDF?)" : "no text");
  return {
    display,
    input: {
      docId,
      source: display,
      contentHash: fp.contentHash,
      title: meta.title,
      authors: meta.authors ?? [],
      year: meta.year,
      ...(meta.citationKey ? { citationKey: meta.citationKey } : {}),
      ...(entry?.library ? { library: entry.library } : {}),
      ...(paperId ? { paperId } : {}),
      ...(meta.doi ? { doi: meta.doi } : {}),
      ...(meta.arxivId ? { arxivId: meta.arxivId } : {}),
      lang: dominantLanguage(chunks.filter((c) => c.metadata.kind === "text").map((c) => c.text)),
      pages: parsed.pageCount,
      chunks: chunks.length,
      figures: parsed.figures.length,
      profile: profileDocument(meta.title, parsed.abstract, parsed.blocks),
    },
    chunks,
    replaced,
    pages: parsed.pageCount,
    figures: parsed.figures.length,
    figureLabels: parsed.figures.map((f) => f.label).filter(Boolean),
    startedAt,
  };
}

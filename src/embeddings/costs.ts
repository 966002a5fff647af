/**
 * What each switch costs in embedding tokens, worked out from the settings with the same counts the
 * batcher and `ingest --estimate` use (images: one token per 28-px patch). `folio config` prints it;
 * the README's table is the default column.
 */
import { formatCount as n } from "../util/numbers.js";
import { DEFAULT_TOKEN_ESTIMATE, imageTokensForSize } from "./tokens.js";

/** US Letter, the size of most arXiv PDFs (an A4 page costs 4% more). */
const PAGE_INCHES = { width: 8.5, height: 11 } as const;
/** A one-column figure in a two-column paper. */
const FIGURE_INCHES = { width: 3.25, height: 2.5 } as const;

export interface CostSettings {
  pageDpi: number;
  figureDpi: number;
  chunkTokens: number;
  chunkOverlapTokens: number;
  /** Sources an answer reads, and how many candidates per source the reranker scores. */
  topK: number;
  rerankFetchFactor: number;
}

export interface SwitchCost {
  /** The settings that decide it. */
  settings: string;
  /** Tokens per unit (page, figure, chunk or question), or null when the switch scales the others. */
  tokens: number | null;
  unit: string;
  /** What the switch multiplies the ingest's tokens by, for the switches that scale them. */
  multiplier?: number;
  note: string;
}

export function pageTokens(dpi: number): number {
  return imageTokensForSize(Math.round(PAGE_INCHES.width * dpi), Math.round(PAGE_INCHES.height * dpi), DEFAULT_TOKEN_ESTIMATE);
}

export function figureTokens(dpi: number): number {
  return imageTokensForSize(Math.round(FIGURE_INCHES.width * dpi), Math.round(FIGURE_INCHES.height * dpi), DEFAULT_TOKEN_ESTIMATE);
}

export function switchCosts(s: CostSettings): SwitchCost[] {
  const page = pageTokens(s.pageDpi);
  const figure = figureTokens(s.figureDpi);
  const step = Math.max(1, s.chunkTokens - s.chunkOverlapTokens);
  const overlapShare = Math.round((s.chunkOverlapTokens / step) * 100);
  const candidates = s.topK * s.rerankFetchFactor;
  return [
    { settings: "JINA_API_KEY / JINA_BASE_URL", tokens: s.chunkTokens, unit: "text chunk", note: `every chunk is embedded once; the overlap (FOLIO_CHUNK_OVERLAP_TOKENS) sends ${overlapShare}% of the text twice` },
    { settings: "FOLIO_RENDER_PAGES, FOLIO_PAGE_DPI", tokens: page, unit: "page", note: `a Letter page at ${s.pageDpi} dpi; tokens grow with the square of the dpi; FOLIO_RENDER_PAGES=never sends none` },
    { settings: "FOLIO_FIGURE_DPI", tokens: figure, unit: "figure", note: `a ${FIGURE_INCHES.width} x ${FIGURE_INCHES.height} in figure at ${s.figureDpi} dpi (a full-width one is about 4 times that)` },
    { settings: "FOLIO_MULTIVECTOR", tokens: null, unit: "input", multiplier: 2, note: "every text, page and figure is sent a second time for its multi-vector: ingest costs twice the tokens, and each question's query once more" },
    { settings: "late chunking (with embeddings)", tokens: null, unit: "chunk", multiplier: 1, note: "no extra tokens: a document's chunks are sent together, in windows, instead of one by one" },
    { settings: "FOLIO_RERANK", tokens: candidates * s.chunkTokens, unit: "question", note: `the reranker reads ${candidates} candidates per question (top ${s.topK} x ${s.rerankFetchFactor}): about ${n(candidates * s.chunkTokens)} tokens when they are text, up to ${n(candidates * page)} when they are page images` },
  ];
}

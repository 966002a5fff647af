/**
 * The contract between the answering chain (src/chat) and its front ends (REPL, HTTP server, CLI).
 */
import type { ImageInput } from "../embeddings/types.js";
import type { ChunkKind, SearchFilters } from "../store/types.js";

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

/** A numbered source, as cited in an answer with [n]. */
export interface Citation {
  /** The marker number used in the answer text: [1], [2] ... */
  n: number;
  /** Store point id. */
  id: string;
  docId: string;
  title: string;
  /** The paper's citation key and DOI, when the library knows them (a .bib or Zotero ingest, the PDF). */
  citationKey?: string;
  doi?: string;
  source: string;
  kind: ChunkKind;
  page?: number;
  figureLabel?: string;
  /** For figures and pages: the image id served at GET /figures/:id or /pages/:id. */
  imageId?: string;
  /**
   * Where the source is on its page (PDFs): a text chunk's line rectangles, or a figure's region;
   * each [x0, y0, x1, y1] in PDF points from the page's top left. The web page highlights them.
   */
  boxes?: Array<[number, number, number, number]>;
  /** The supporting text (a quote for extractive answers, the chunk text otherwise; truncated). */
  snippet: string;
  score: number;
}

export interface AnswerRequest {
  question: string;
  history?: ChatTurn[];
  /** Ask with an image: searches figures and pages by image (and text by image). */
  image?: ImageInput;
  filters?: SearchFilters;
  k?: number;
  signal?: AbortSignal;
}

export interface Answer {
  answer: string;
  /** Sources actually cited in the answer, by marker number. */
  citations: Citation[];
  /** Everything retrieved and shown to the answerer. */
  sources: Citation[];
  /** The follow-up question rewritten as a standalone query (equals the question on the first turn). */
  standaloneQuestion: string;
  mode: "extractive" | "llm";
  model: string;
  /** True when the corpus does not answer the question (and the answer says so). */
  unanswered: boolean;
}

export type AnswerEvent =
  | { type: "query"; standaloneQuestion: string }
  | { type: "sources"; sources: Citation[] }
  | { type: "token"; text: string }
  | { type: "citation"; citation: Citation }
  | { type: "done"; answer: Answer };

export interface Answerer {
  answer(request: AnswerRequest): Promise<Answer>;
  /** Streams tokens as they are produced; ends with exactly one "done" event. Honours request.signal. */
  stream(request: AnswerRequest): AsyncIterable<AnswerEvent>;
}

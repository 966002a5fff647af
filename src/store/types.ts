/**
 * The contract between the store and its users (ingest, chat, server, cli).
 * The store never knows where documents came from or who asks: it takes chunks with metadata,
 * keeps one registry record per document, and answers searches.
 */
import { z } from "zod";
import type { EmbeddingUsage, ImageInput, SparseVector } from "../embeddings/types.js";
import type { DocumentCost } from "./cost.js";

export const CHUNK_KINDS = ["text", "page", "figure"] as const;
export type ChunkKind = (typeof CHUNK_KINDS)[number];

/**
 * Metadata stored with every point, under `metadata` in the payload (the @langchain/qdrant shape
 * `{content, metadata}`), so filters address `metadata.<field>`.
 */
export const ChunkMetadataSchema = z.object({
  /** Stable id of the document (paper), chosen by ingest. */
  docId: z.string().min(1),
  title: z.string(),
  authors: z.array(z.string()).default([]),
  year: z.number().int().optional(),
  doi: z.string().optional(),
  arxivId: z.string().optional(),
  /** The citation key the user's reference manager gives the paper (BibTeX). */
  citationKey: z.string().optional(),
  /** File path or URL the document came from, as the user gave it. */
  source: z.string(),
  /** For a figure image stored on its own: the document id of the paper it belongs to. */
  paperId: z.string().optional(),
  kind: z.enum(CHUNK_KINDS),
  /** 1-based page number. */
  page: z.number().int().positive().optional(),
  section: z.string().optional(),
  /** "Figure 3", "Table 2" */
  figureLabel: z.string().optional(),
  caption: z.string().optional(),
  /** Content hash of the image stored under FOLIO_HOME/images (<imageId>.png); for figures and pages. */
  imageId: z.string().optional(),
  /** A figure's or table's region on its page: [x0, y0, x1, y1] in PDF points, origin top left. */
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  /**
   * Where a text chunk sits on its page (PDFs): its lines' boxes merged into rectangles, each
   * [x0, y0, x1, y1] in PDF points, origin top left. The web page highlights the passage with them.
   */
  boxes: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])).optional(),
  /** Order of the chunk within its document (unique per document and kind). */
  chunkIndex: z.number().int().nonnegative(),
  /** True for the references section: kept out of answers by default. */
  references: z.boolean().default(false),
  /** The chunk's language as the analyser treated it ("en", "zh", "de" ...): filter with `langs`. */
  lang: z.string().optional(),
});
export type ChunkMetadata = z.infer<typeof ChunkMetadataSchema>;

/** One thing to index: a text chunk, a page or a figure. */
export interface ChunkInput {
  /** Searchable text: the chunk's text, a page's text, or a figure's caption plus the paragraphs that mention it. */
  text: string;
  metadata: ChunkMetadata;
  /**
   * For pages and figures: the image to embed when an image-capable embeddings endpoint is set;
   * when absent, the store's own image of `metadata.imageId` is used.
   */
  image?: ImageInput;
}

/**
 * What the document-level index reads of a document (src/chat/papers.ts): its abstract, the names it
 * gives itself ("BERT", "the Transformer"), its most used coined terms with their count per 10,000
 * words, and its section headings. Made by ingest; absent from records written before it existed.
 */
export const DocumentProfileSchema = z.object({
  abstract: z.string().optional(),
  names: z.array(z.string()).default([]),
  terms: z.array(z.tuple([z.string(), z.number()])).default([]),
  headings: z.array(z.string()).default([]),
});
export type DocumentProfile = z.infer<typeof DocumentProfileSchema>;

export const LibraryInfoSchema = z.object({
  itemType: z.string().optional(),
  url: z.string().optional(),
  tags: z.array(z.string()).default([]),
  collections: z.array(z.string()).default([]),
  /** The reference manager's key of the file the document was read from (Zotero's attachment key). */
  attachmentKey: z.string().optional(),
});
export type LibraryInfo = z.infer<typeof LibraryInfoSchema>;

/** The registry record of one fully stored document; written only after all its chunks are stored. */
export const DocumentRecordSchema = z.object({
  docId: z.string(),
  source: z.string(),
  /** Other paths holding the very same bytes (copies of the file): one document, every path recorded. */
  alsoAt: z.array(z.string()).optional(),
  /** For a figure image stored on its own: the document id of the paper it belongs to. */
  paperId: z.string().optional(),
  /** Content hash of the source file: unchanged hash means nothing to do. */
  contentHash: z.string(),
  title: z.string(),
  authors: z.array(z.string()).default([]),
  year: z.number().int().optional(),
  doi: z.string().optional(),
  arxivId: z.string().optional(),
  citationKey: z.string().optional(),
  /** What the user's reference manager records of the paper (Zotero): item type, URL, tags, collections. */
  library: LibraryInfoSchema.optional(),
  /** The document's dominant language (its chunks', weighted by length). */
  lang: z.string().optional(),
  pages: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  figures: z.number().int().nonnegative(),
  /** ISO timestamp */
  ingestedAt: z.string(),
  /** Embedding setup the points were made with (model and dimension, or "bm25"): a change means re-ingest. */
  embeddingSignature: z.string(),
  profile: DocumentProfileSchema.optional(),
});
export type DocumentRecord = z.infer<typeof DocumentRecordSchema>;

export type SearchMode = "dense" | "sparse" | "hybrid";

export interface SearchFilters {
  docIds?: string[];
  kinds?: ChunkKind[];
  /** Chunk languages ("zh", "de"): metadata.lang. */
  langs?: string[];
  year?: { gte?: number; lte?: number };
  pages?: { gte?: number; lte?: number };
  /** Include the references section (default false). */
  includeReferences?: boolean;
  /** A raw Qdrant filter (JSON), combined with the above by `must`. */
  qdrantFilter?: Record<string, unknown>;
}

export interface SearchRequest {
  text?: string;
  image?: ImageInput;
  /** Number of hits (default: config search.topK). */
  k?: number;
  /** Default: hybrid when dense embeddings exist, else sparse. Image queries are dense only. */
  mode?: SearchMode;
  filters?: SearchFilters;
  /** Re-score the candidates with late-interaction multi-vectors when they are stored. */
  rerankWithMultivector?: boolean;
  /** Maximal marginal relevance; lambda as LangChain means it (1 = relevance only). */
  mmr?: { lambda: number; fetchK?: number };
}

export interface SearchHit {
  id: string;
  score: number;
  text: string;
  metadata: ChunkMetadata;
}

/** What a document write needs besides its chunks; the store adds ingestedAt and embeddingSignature. */
export type DocumentInput = Omit<DocumentRecord, "ingestedAt" | "embeddingSignature">;

/** The Folio store as ingest, chat, server and cli use it. Implemented by `FolioStore` (src/store/folio-store.ts). */
/** One point with every vector it needs, as the embed stage makes it and the store stores it. */
export interface EmbeddedPoint {
  id: string;
  text: string;
  metadata: ChunkMetadata;
  dense?: number[];
  multivector?: number[][];
  sparse?: SparseVector;
}

/** A document's points, embedded batch by batch as the writer takes them. */
export interface EmbeddedDocument {
  docId: string;
  /** every point id the document will have (the store deletes the document's other points) */
  pointIds: string[];
  total: number;
  batches: AsyncIterable<EmbeddedPoint[]>;
}

/** Where parsers put the images they render, crop or convert. */
export interface ImageSink {
  /** Keeps a PNG and returns its id (content-addressed: the same bytes give the same id). */
  put(png: Uint8Array): Promise<string>;
}

/** The store's images: an ImageSink whose images are found by id and removed with their documents. */
export interface ImageStoreApi extends ImageSink {
  pathOf(imageId: string): string;
  remove(imageIds: Iterable<string>): Promise<number>;
}

export interface FolioStoreApi {
  readonly collection: string;
  /** Figure crops and page images of the stored documents. */
  readonly images: ImageStoreApi;
  /** What this store can do with the embeddings it was opened with. */
  readonly capabilities: { dense: boolean; images: boolean; multivector: boolean };
  /** Signature of the embedding setup (for DocumentRecord.embeddingSignature comparisons). */
  readonly embeddingSignature: string;
  /** Registry record of a fully stored document, or null (never stored, or interrupted before completion). */
  getDocument(docId: string): Promise<DocumentRecord | null>;
  listDocuments(): Promise<DocumentRecord[]>;
  /**
   * Replaces a document: deletes its old points, embeds and upserts the chunks (text chunks of the
   * document with late chunking when available), then writes the registry record last. Idempotent:
   * running it again after a crash leaves no duplicates.
   */
  putDocument(document: DocumentInput, chunks: ChunkInput[], onProgress?: (done: number, total: number) => void): Promise<DocumentRecord>;
  /**
   * The embed stage: validates the chunks and makes every vector their points need (Jina's dense
   * and multi-vectors when configured, BM25 always), batch by batch as they are stored.
   */
  embedChunks(docId: string, chunks: ChunkInput[]): EmbeddedDocument;
  /** What storing these chunks would send to the embeddings provider and take in the store; sends nothing. `seen`: cache keys earlier estimated documents would fill. */
  estimateChunks(docId: string, chunks: ChunkInput[], seen?: Set<string>): Promise<DocumentCost>;
  /** The embeddings provider's running usage, or null when there is none (BM25 only). */
  embeddingUsage(): EmbeddingUsage | null;
  /** Stores a document whose points the embed stage makes, in putDocument's crash-safe order. */
  putEmbedded(document: DocumentInput, embedded: EmbeddedDocument, onProgress?: (done: number, total: number) => void): Promise<DocumentRecord>;
  deleteDocument(docId: string): Promise<void>;
  /** Records more paths holding a stored document's very bytes (its `alsoAt`); false when it is not stored. */
  addAlsoAt(docId: string, paths: readonly string[]): Promise<boolean>;
  /** Number of points (chunks, pages, figures), optionally filtered. */
  count(filters?: SearchFilters): Promise<number>;
  /** Throws EmptyStoreError when nothing was ingested. */
  search(request: SearchRequest): Promise<SearchHit[]>;
  /**
   * Holds the store for one long run of writes (an ingest, a reset), waiting while another process
   * holds it (onWait says for whom) up to the configured time; resolves with the release.
   */
  lockForWriting(label: string, onWait?: (message: string) => void): Promise<() => void>;
  /**
   * Storage upkeep after a run of writes: turns on int8 quantization of dense vectors once the
   * collection is large enough (FOLIO_INT8_FROM_POINTS). Returns what it did, for the user, or null.
   */
  optimize(): Promise<string | null>;
  /** Documents a run writes before it turns HNSW indexing off for the rest (FOLIO_QDRANT_BULK_DOCUMENTS on a server; 0: never). */
  readonly bulkLoadFrom: number;
  /**
   * A large run of writes to a server: turns HNSW indexing off (indexing_threshold 0), as Qdrant
   * advises for bulk loads. The returned function turns it back on at the collection's previous
   * threshold and resolves with a warning when it could not. Does nothing on the embedded store.
   */
  beginBulkLoad(): Promise<() => Promise<string | null>>;
  getChunk(id: string): Promise<SearchHit | null>;
  /** Up to `limit` points that match the filters, in stored order, scored 0 (e.g. a paper's "Table 2" record). */
  find(filters: SearchFilters, limit: number): Promise<SearchHit[]>;
  close(): Promise<void>;
}

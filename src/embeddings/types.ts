/**
 * What the store needs from an embeddings provider. `JinaEmbeddings` implements it; it is a
 * LangChain `Embeddings` (embedQuery / embedDocuments) plus images, late chunking and multi-vectors.
 */
export type ImageInput =
  /** http(s) URL, data URI, raw base64, or a local file path */
  | string
  | Buffer
  | { data: Buffer; mimeType?: string };

/** One input of a mixed request: text or an image. */
export type EmbeddingInput = string | { text: string } | { image: ImageInput };

export interface MultimodalEmbeddings {
  /** Dense vector size (Matryoshka dimension in force). */
  readonly dimensions: number;
  /** False for text-only endpoints (the OpenAI wire format). */
  readonly supportsImages: boolean;
  /** False for text-only endpoints (the OpenAI wire format). */
  readonly supportsMultiVector: boolean;

  /** retrieval.query */
  embedQuery(text: string): Promise<number[]>;
  /** retrieval.passage */
  embedDocuments(texts: string[]): Promise<number[][]>;
  /** retrieval.passage, one vector per image */
  embedImageDocuments(images: ImageInput[]): Promise<number[][]>;
  /** retrieval.query with an image as the query */
  embedImageQuery(image: ImageInput): Promise<number[]>;
  /**
   * retrieval.passage with late chunking: `chunks` are consecutive pieces of ONE document, in order.
   * Returns one vector per chunk. Documents larger than the context are split into windows.
   */
  embedDocumentChunks(chunks: string[]): Promise<number[][]>;
  /** retrieval.passage multi-vector output: one (tokens x 128) matrix per input. */
  embedMultiVectorDocuments(inputs: EmbeddingInput[]): Promise<number[][][]>;
  /** retrieval.query multi-vector output. */
  embedMultiVectorQuery(input: EmbeddingInput): Promise<number[][]>;
  /** Running usage since construction, when the provider counts it. */
  readonly usage?: EmbeddingUsage;
  /**
   * What a passage call would send, consulting the cache and sending nothing; `seen` carries the
   * cache keys earlier estimated calls would have filled. Absent: the provider cannot say.
   */
  estimate?(inputs: EmbeddingInput[], options: { lateChunking?: boolean; multivector?: boolean }, seen: Set<string>): Promise<CallEstimate>;
}

/** What an embeddings provider has used since it was made: the server's token counts, requests, cache. */
export interface EmbeddingUsage {
  /** Tokens the server counted (`usage.total_tokens`). */
  totalTokens: number;
  promptTokens: number;
  /** HTTP attempts sent, retries included. */
  requests: number;
  retries: number;
  /** Inputs (or late-chunked documents) answered from the cache. */
  cacheHits: number;
  cacheMisses: number;
  /** Late-chunking requests sent (one per window). */
  lateChunkingWindows: number;
  /** Documents whose chunks exceeded one window and were split. */
  lateChunkingSplitDocuments: number;
}

/** What one embed call would send, worked out without sending it. */
export interface CallEstimate {
  /** Estimated tokens of each input, whether or not it would be sent. */
  inputTokens: number[];
  /** Whether each input would be sent: false when the cache, or an input sent earlier in the same estimate, serves it. */
  sent: boolean[];
  /** Requests the call would send. */
  requests: number;
  /** Late-chunking windows among them. */
  lateChunkingWindows: number;
}

/** A sparse vector as Qdrant takes it. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

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
}

/** A sparse vector as Qdrant takes it. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

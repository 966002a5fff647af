/**
 * Every vector Folio makes, in one place: for the points of a document (dense text vectors with
 * late chunking, figures and pages by image when images can be embedded, multi-vectors, BM25) and
 * for a search (the question's dense and BM25 vectors, an image query, a multi-vector query). The
 * store stores the points it is given and searches with the vectors made here.
 */
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { Bm25Encoder } from "../embeddings/bm25.js";
import type { ImageInput, MultimodalEmbeddings } from "../embeddings/types.js";
import { InputError } from "../errors.js";
import { estimateChunks, type DocumentCost } from "./cost.js";
import type { FolioQuery } from "./points.js";
import type { ChunkMetadata, EmbeddedPoint, SearchMode } from "./types.js";

/** A chunk with its point id, validated: what the vectorizer embeds. */
export interface PreparedChunk {
  id: string;
  text: string;
  metadata: ChunkMetadata;
  image?: ImageInput;
}

export interface VectorCapabilities {
  dense: boolean;
  images: boolean;
  multivector: boolean;
}

/** What a figure or page is embedded from when it has no image: its text, else its caption or label. */
export function searchableText(chunk: { text: string; metadata: ChunkMetadata }): string {
  return chunk.text.trim() || chunk.metadata.caption || chunk.metadata.figureLabel || chunk.metadata.title || " ";
}

/** What a figure or page is embedded from: its image when images can be embedded, else its text. */
export function visualInput(chunk: PreparedChunk, capabilities: VectorCapabilities): { image: ImageInput } | { text: string } {
  return capabilities.images && chunk.image !== undefined ? { image: chunk.image } : { text: searchableText(chunk) };
}

/** A text query's dense vector (when `mode` uses one and there are embeddings) and BM25 vector (when it uses one). */
export async function textQueryVectors(embeddings: Pick<EmbeddingsInterface, "embedQuery"> | null, bm25: Bm25Encoder, text: string, mode: SearchMode): Promise<Pick<FolioQuery, "dense" | "sparse">> {
  return {
    ...(mode !== "sparse" && embeddings ? { dense: await embeddings.embedQuery(text) } : {}),
    ...(mode !== "dense" ? { sparse: bm25.embedQuery(text) } : {}),
  };
}

export class PointVectorizer {
  constructor(
    private readonly embeddings: MultimodalEmbeddings | null,
    private readonly capabilities: VectorCapabilities,
    private readonly bm25: Bm25Encoder,
    private readonly batchSize: number,
  ) {}

  private get dense(): MultimodalEmbeddings | null {
    return this.capabilities.dense ? this.embeddings : null;
  }

  /**
   * Every vector the chunks' points need, as batches of at most `batchSize` points, made as they
   * are asked for: a writer that stores each batch before taking the next keeps one batch in memory
   * (text chunks are embedded together first, for late chunking).
   */
  async *batches(chunks: PreparedChunk[]): AsyncGenerator<EmbeddedPoint[]> {
    const text = await this.textPoints(chunks.filter((c) => c.metadata.kind === "text"));
    for (let i = 0; i < text.length; i += this.batchSize) yield text.slice(i, i + this.batchSize);
    const visual = chunks.filter((c) => c.metadata.kind !== "text");
    for (let i = 0; i < visual.length; i += this.batchSize) yield await this.visualPoints(visual.slice(i, i + this.batchSize));
  }

  /** What `batches(chunks)` would send and store, estimated without sending (cost.ts). */
  estimate(chunks: PreparedChunk[], seen: Set<string>): Promise<DocumentCost> {
    return estimateChunks(chunks, { embeddings: this.embeddings, capabilities: this.capabilities, bm25: this.bm25, batchSize: this.batchSize, seen });
  }

  /** Text chunks are consecutive pieces of one document: embedded together with late chunking. */
  private async textPoints(chunks: PreparedChunk[]): Promise<EmbeddedPoint[]> {
    if (chunks.length === 0) return [];
    const dense = this.dense ? await this.dense.embedDocumentChunks(chunks.map((c) => c.text)) : null;
    if (dense && dense.length !== chunks.length) {
      throw new InputError(`The embeddings returned ${dense.length} vectors for ${chunks.length} chunks.`, "Check the embeddings endpoint (JINA_BASE_URL) returns one vector per input.");
    }
    return chunks.map((c, i) => this.point(c, dense?.[i], undefined));
  }

  /** Figures and pages: image embeddings when possible, text otherwise; multi-vectors when configured. */
  private async visualPoints(batch: PreparedChunk[]): Promise<EmbeddedPoint[]> {
    const embeddings = this.dense;
    const dense: Array<number[] | undefined> = new Array(batch.length).fill(undefined);
    let multi: number[][][] | null = null;
    if (embeddings) {
      // Each chunk's input, worked out once for the dense and the multi-vector requests.
      const inputs = batch.map((c) => visualInput(c, this.capabilities));
      const withImage: Array<[number, ImageInput]> = [];
      const textOnly: Array<[number, string]> = [];
      inputs.forEach((input, j) => ("image" in input ? withImage.push([j, input.image]) : textOnly.push([j, input.text])));
      if (withImage.length) {
        const vectors = await embeddings.embedImageDocuments(withImage.map(([, image]) => image));
        withImage.forEach(([j], n) => (dense[j] = vectors[n]));
      }
      if (textOnly.length) {
        const vectors = await embeddings.embedDocuments(textOnly.map(([, text]) => text));
        textOnly.forEach(([j], n) => (dense[j] = vectors[n]));
      }
      if (this.capabilities.multivector) multi = await embeddings.embedMultiVectorDocuments(inputs);
    }
    return batch.map((c, j) => this.point(c, dense[j], multi?.[j]));
  }

  private point(c: PreparedChunk, dense: number[] | undefined, multivector: number[][] | undefined): EmbeddedPoint {
    return {
      id: c.id,
      text: c.text,
      metadata: c.metadata,
      sparse: this.bm25.embedDocument(c.text),
      ...(dense ? { dense } : {}),
      ...(multivector ? { multivector } : {}),
    };
  }

  /** The vectors a search runs with: dense and BM25 for the text as `mode` asks, the image, a multi-vector query. */
  async query(request: { text?: string; image?: ImageInput; mode: SearchMode; multivector: boolean }): Promise<Pick<FolioQuery, "dense" | "image" | "sparse" | "multivector">> {
    const embeddings = this.embeddings;
    const { text, image, mode } = request;
    const out: Pick<FolioQuery, "dense" | "image" | "sparse" | "multivector"> = {};
    if (image !== undefined && embeddings) out.image = await embeddings.embedImageQuery(image);
    if (text) Object.assign(out, await textQueryVectors(embeddings, this.bm25, text, mode));
    if (request.multivector && embeddings) out.multivector = await embeddings.embedMultiVectorQuery(image !== undefined ? { image } : { text: text as string });
    return out;
  }
}

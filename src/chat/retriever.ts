/**
 * The chain's retrieval step as a LangChain retriever, for use in other LangChain chains:
 * `new FolioRetriever({ store, config, k, filters, reranker }).invoke("question")` returns Documents whose
 * metadata carries the Folio chunk metadata plus `id` and `score`.
 */
import { Document } from "@langchain/core/documents";
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";
import type { FolioConfig } from "../config.js";
import type { ChunkMetadata, FolioStoreApi, SearchFilters } from "../store/types.js";
import { PaperDirectory } from "./papers.js";
import { DEFAULT_RETRIEVE_OPTIONS, retrieve, type Reranker, type RetrieveOptions } from "./retrieve.js";

export interface FolioRetrieverInput extends BaseRetrieverInput {
  store: FolioStoreApi;
  config: FolioConfig;
  /** Hits returned (default: config.search.topK). */
  k?: number;
  filters?: SearchFilters;
  reranker?: Reranker;
  options?: RetrieveOptions;
}

export type FolioDocumentMetadata = ChunkMetadata & { id: string; score: number };

export class FolioRetriever extends BaseRetriever<FolioDocumentMetadata> {
  lc_namespace = ["folio", "retrievers"];
  private readonly store: FolioStoreApi;
  private readonly k: number;
  private readonly filters: SearchFilters | undefined;
  private readonly reranker: Reranker | undefined;
  private readonly options: RetrieveOptions;
  private readonly papers: PaperDirectory;

  constructor(fields: FolioRetrieverInput) {
    super(fields);
    this.store = fields.store;
    this.k = fields.k ?? fields.config.search.topK;
    this.filters = fields.filters;
    this.reranker = fields.reranker;
    this.options = fields.options ?? DEFAULT_RETRIEVE_OPTIONS;
    this.papers = new PaperDirectory(fields.store);
  }

  static override lc_name(): string {
    return "FolioRetriever";
  }

  override async _getRelevantDocuments(query: string): Promise<Document<FolioDocumentMetadata>[]> {
    const { hits } = await retrieve(this.store, { query, filters: this.filters, k: this.k }, this.reranker, this.options, this.papers);
    return hits.map((hit) => new Document<FolioDocumentMetadata>({ id: hit.id, pageContent: hit.text, metadata: { ...hit.metadata, id: hit.id, score: hit.score } }));
  }
}

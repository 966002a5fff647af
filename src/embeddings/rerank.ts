/**
 * `JinaReranker`: second-stage relevance scores from jina-reranker-m0 (text and image documents),
 * over the same HTTP layer as the embeddings client (retries, typed errors, redaction).
 */
import { z } from "zod";
import { JinaHttpClient, type RetryEvent } from "./http.js";
import { prepareInput, type PreparedInput } from "./inputs.js";
import type { EmbeddingInput } from "./types.js";

export interface JinaRerankerOptions {
  apiKey?: string;
  /** Default: env JINA_BASE_URL, else https://api.jina.ai/v1. */
  baseUrl?: string;
  model?: string;
  maxConcurrency?: number;
  maxRetries?: number;
  timeout?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  onRetry?: (event: RetryEvent) => void;
  /** Other secrets to keep out of error messages; the API key always is. */
  secrets?: string[];
}

export interface RerankResult {
  /** Index into the documents passed. */
  index: number;
  relevanceScore: number;
}

const rerankResponse = z
  .object({
    results: z.array(z.object({ index: z.number().int().nonnegative(), relevance_score: z.number() }).passthrough()),
    usage: z.object({ total_tokens: z.number().optional() }).passthrough().optional(),
  })
  .passthrough();

export class JinaReranker {
  readonly model: string;
  readonly baseUrl: string;
  private readonly http: JinaHttpClient;
  private totalTokens = 0;

  constructor(options: JinaRerankerOptions = {}) {
    this.model = options.model ?? "jina-reranker-m0";
    this.http = new JinaHttpClient({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      maxRetries: options.maxRetries,
      timeoutMs: options.timeout,
      maxConcurrency: options.maxConcurrency ?? 4,
      backoffBaseMs: options.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs,
      onRetry: options.onRetry,
      secrets: options.secrets,
    });
    this.baseUrl = this.http.baseUrl;
  }

  get usage(): { totalTokens: number; requests: number; retries: number } {
    return { totalTokens: this.totalTokens, requests: this.http.stats.requests, retries: this.http.stats.retries };
  }

  private wire(item: PreparedInput): string | { text: string } | { image: string } {
    return item.kind === "image" ? { image: item.value } : { text: item.value };
  }

  /** Scores `documents` against `query`, best first; `topN` keeps only the best n. */
  async rerank(query: string | EmbeddingInput, documents: EmbeddingInput[], options: { topN?: number; signal?: AbortSignal } = {}): Promise<RerankResult[]> {
    if (documents.length === 0) return [];
    this.http.requireHostedKey("No API key for Jina's hosted reranker (api.jina.ai).", "Set JINA_API_KEY (https://jina.ai/reranker), or turn FOLIO_RERANK off.");
    const q = await prepareInput(query);
    const docs = await Promise.all(documents.map((d) => prepareInput(d)));
    const body = {
      model: this.model,
      query: q.kind === "text" ? q.value : this.wire(q),
      documents: docs.map((d) => this.wire(d)),
      top_n: Math.min(options.topN ?? docs.length, docs.length),
      return_documents: false,
    };
    const result = await this.http.post("rerank", body, rerankResponse, {
      what: "rerank",
      signal: options.signal,
      describeInput: (i) => (docs[i] ? { index: i, description: docs[i]!.description } : undefined),
    });
    this.totalTokens += result.data.usage?.total_tokens ?? 0;
    return result.data.results
      .filter((r) => r.index < docs.length)
      .map((r) => ({ index: r.index, relevanceScore: r.relevance_score }))
      .sort((a, b) => b.relevanceScore - a.relevanceScore);
  }
}

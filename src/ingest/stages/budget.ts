/**
 * Tokens of one run: what the embeddings server counted (the usage it returned), and, with
 * `estimate` or a token budget, what documents would cost before they are sent. With a budget, a
 * document is written only when its estimated tokens fit in what is left; from the first one that
 * does not, the run only estimates, so the summary says how many documents remain and their cost.
 */
import type { EmbeddingUsage } from "../../embeddings/types.js";
import { usageSince } from "../../embeddings/usage.js";
import { addCost, emptyCost, type DocumentCost } from "../../store/cost.js";
import type { FolioStoreApi } from "../../store/types.js";
import type { RunUsage } from "../summary.js";
import type { ReadyDocument } from "./chunk.js";

export class TokenAccount {
  private readonly start: EmbeddingUsage | null;
  /** Cache keys the estimated documents would fill (a later document sharing an input pays nothing). */
  private readonly seen = new Set<string>();
  private reached = false;
  /** With `estimate`: the documents that would be embedded, and their cost. */
  readonly estimated = { documents: 0, cost: emptyCost() };
  /** With a budget, once reached: the documents left unwritten and their estimated cost. */
  readonly remaining = { documents: 0, tokens: 0, paths: [] as string[] };

  constructor(
    private readonly store: FolioStoreApi,
    private readonly options: { estimate: boolean; maxTokens?: number },
  ) {
    this.start = store.embeddingUsage();
  }

  get budgetReached(): boolean {
    return this.reached;
  }

  /** True when the document is to be written; false when it is only estimated (estimate mode, or the budget is reached). */
  async admit(ready: ReadyDocument): Promise<boolean> {
    const { docId } = ready.input;
    if (this.options.estimate) {
      addCost(this.estimated.cost, await this.store.estimateChunks(docId, ready.chunks, this.seen));
      this.estimated.documents++;
      return false;
    }
    const max = this.options.maxTokens;
    if (max === undefined) return true;
    // Admitted documents fill the real cache, so sharing `seen` with them changes no later estimate.
    const cost: DocumentCost = await this.store.estimateChunks(docId, ready.chunks, this.seen);
    if (!this.reached && this.spent() + cost.tokens <= max) return true;
    this.reached = true;
    this.remaining.documents++;
    this.remaining.tokens += cost.tokens;
    this.remaining.paths.push(ready.display);
    return false;
  }

  /** Tokens the server has counted since the run started. */
  spent(): number {
    return this.usage()?.tokens ?? 0;
  }

  /** What the run used, from the server's counts; null without an embeddings provider. */
  usage(): RunUsage | null {
    const now = this.store.embeddingUsage();
    return now ? usageSince(this.start, now) : null;
  }
}

/**
 * The QdrantClient for a Qdrant server or cluster: writes ask for `ordering=strong` when the
 * collection's shards have replicas (every replica applies them in one order, so a read from any replica sees the
 * same store), and reads retry a replica's transient failures (502, 503, 504, a dropped
 * connection) with a short backoff, as a node restarting or re-balancing gives them.
 */
import { QdrantClient } from "@qdrant/js-client-rest";
import { errorStatus, isConnectionFailure } from "./client-errors.js";

export interface ServerClientOptions {
  url: string;
  apiKey?: string;
  /** Ordering of writes: "strong" when shards have replicas, else "weak" (Qdrant's default). */
  ordering: "weak" | "medium" | "strong";
  /** Attempts after the first for a read. */
  readRetries: number;
}

/** First wait before retrying a read; it doubles on each attempt. */
const RETRY_BASE_MS = 200;
const TRANSIENT_STATUSES = new Set([502, 503, 504]);

type Args<M extends keyof QdrantClient> = QdrantClient[M] extends (name: string, args: infer A, ...rest: never[]) => unknown ? A : never;

export function isTransient(error: unknown): boolean {
  const status = errorStatus(error);
  return status !== undefined ? TRANSIENT_STATUSES.has(status) : isConnectionFailure(error);
}

export class ServerQdrantClient extends QdrantClient {
  private readonly ordering: ServerClientOptions["ordering"];
  private readonly readRetries: number;

  constructor(options: ServerClientOptions) {
    super({ url: options.url, apiKey: options.apiKey, checkCompatibility: false });
    this.ordering = options.ordering;
    this.readRetries = options.readRetries;
  }

  private readonly replicated = new Map<string, Promise<boolean>>();

  /**
   * Strong ordering when the collection itself has replicas, whatever this machine's settings say
   * (another machine may have created it); asked once per collection.
   */
  private async ordered<A extends object>(name: string, args: A): Promise<A> {
    if ("ordering" in args && args.ordering) return args;
    if (this.ordering === "strong") return { ...args, ordering: "strong" };
    let replicated = this.replicated.get(name);
    if (!replicated) {
      replicated = super.getCollection(name).then(
        (info) => (info.config.params.replication_factor ?? 1) > 1,
        () => {
          this.replicated.delete(name); // not known yet (no collection, or a failure): ask again next time
          return false;
        },
      );
      this.replicated.set(name, replicated);
    }
    return { ...args, ordering: (await replicated) ? "strong" : this.ordering };
  }

  private async retrying<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (attempt >= this.readRetries || !isTransient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** attempt));
      }
    }
  }

  override async upsert(name: string, args: Args<"upsert">) {
    return super.upsert(name, await this.ordered(name, args));
  }
  override async delete(name: string, args: Args<"delete">) {
    return super.delete(name, await this.ordered(name, args));
  }
  override async setPayload(name: string, args: Args<"setPayload">) {
    return super.setPayload(name, await this.ordered(name, args));
  }
  override async overwritePayload(name: string, args: Args<"overwritePayload">) {
    return super.overwritePayload(name, await this.ordered(name, args));
  }
  override async updateVectors(name: string, args: Args<"updateVectors">) {
    return super.updateVectors(name, await this.ordered(name, args));
  }
  override async createPayloadIndex(name: string, args: Args<"createPayloadIndex">) {
    return super.createPayloadIndex(name, await this.ordered(name, args));
  }

  override query(name: string, args: Args<"query">) {
    return this.retrying(() => super.query(name, args));
  }
  override queryBatch(name: string, args: Args<"queryBatch">) {
    return this.retrying(() => super.queryBatch(name, args));
  }
  override scroll(name: string, args?: Args<"scroll">) {
    return this.retrying(() => super.scroll(name, args));
  }
  override count(name: string, args?: Args<"count">) {
    return this.retrying(() => super.count(name, args));
  }
  override retrieve(name: string, args: Args<"retrieve">) {
    return this.retrying(() => super.retrieve(name, args));
  }
  override facet(name: string, args: Args<"facet">) {
    return this.retrying(() => super.facet(name, args));
  }
  override getCollection(name: string) {
    return this.retrying(() => super.getCollection(name));
  }
  override collectionExists(name: string) {
    return this.retrying(() => super.collectionExists(name));
  }
  override getCollections() {
    return this.retrying(() => super.getCollections());
  }
}

/**
 * LocalQdrantClient: an embedded, Qdrant-compatible store behind the QdrantClient interface.
 * It subclasses the REST client (so code typed against QdrantClient, e.g. @langchain/qdrant,
 * takes it unchanged) and answers every call it overrides in-process, with the shapes and
 * semantics of a Qdrant server. Calls it does not implement throw UnsupportedFeatureError
 * instead of touching the network.
 */
import path from "node:path";
import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";
import { StoreError, UnsupportedFeatureError } from "../../errors.js";
import { DenseMatrix } from "./dense.js";
import { Collection, quantizationOf, type PreparedPoint, type StoredCollectionConfig, type StoredVector } from "./collection.js";
import { badRequest, collectionNotFound, formatError, LocalQdrantApiError, notFound, wrongInput } from "./errors.js";
import { compileOptionalFilter, valuesAt, type Payload } from "./filter.js";
import { compareIds, normalizeId, type PointId } from "./ids.js";
import { WriterLock, type WriterLockOptions } from "./lock.js";
import { clonePayload, deletePayloadKeys, mergePayload, selectPayload } from "./payload.js";
import { QueryEngine, type Hit, type StageRequest } from "./query.js";
import { StoreState, type StoreStateOptions } from "./state.js";
import type { Batch } from "./storage.js";

export interface LocalQdrantClientOptions {
  /** Folder of the persistent store, or ":memory:" for a store that lives only in this process. */
  path: string;
  /** Use the WebAssembly SIMD kernel when available (default true). */
  wasm?: boolean;
  /**
   * When a write is acknowledged: "commit" (default) once its LMDB transaction has committed, which
   * survives the process being killed at any moment (like a server's `wait=true`); "flush" also waits
   * for the fsync, so it survives a power loss too, at the cost of one disk sync per write.
   */
  durability?: "commit" | "flush";
  /** Recoverable trouble (a damaged segment file that is read around): default process.emitWarning. */
  onWarning?: (message: string) => void;
}

type Args<M extends keyof QdrantClient> = QdrantClient[M] extends (...a: infer P) => unknown ? P : never;

const VERSION = "1.15.0-local";

/** Defaults getCollection reports (the server's defaults; the embedded store has no HNSW). */
const HNSW_DEFAULTS = { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false };
const OPTIMIZER_DEFAULTS = {
  deleted_threshold: 0.2,
  vacuum_min_vector_number: 1000,
  default_segment_number: 0,
  max_segment_size: null,
  memmap_threshold: null,
  indexing_threshold: 20000,
  flush_interval_sec: 5,
  max_optimization_threads: null,
};

/** Qdrant's partial update of collection parameters: objects merge, "Disabled" removes quantization. */
function mergeParams(current: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = JSON.parse(JSON.stringify(current)) as Record<string, unknown>;
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined || value === null) continue;
    if (key === "quantization_config" && value === "Disabled") delete params[key];
    else if (key !== "quantization_config" && typeof value === "object" && !Array.isArray(value) && typeof params[key] === "object" && params[key] !== null) {
      params[key] = { ...(params[key] as object), ...(value as object) };
    } else params[key] = JSON.parse(JSON.stringify(value)) as unknown;
  }
  return params;
}

export class LocalQdrantClient extends QdrantClient {
  readonly path: string;
  private readonly state: StoreState;
  private readonly useWasm: boolean;
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: LocalQdrantClientOptions) {
    // A URL nothing listens on; with checkCompatibility false the base constructor does no I/O.
    super({ url: "http://127.0.0.1:1", checkCompatibility: false });
    this.path = options.path;
    this.useWasm = options.wasm ?? true;
    const stateOptions: StoreStateOptions = {
      dir: options.path === ":memory:" ? null : path.resolve(options.path),
      wasm: this.useWasm,
      flush: options.durability === "flush",
      onWarning: options.onWarning ?? ((message) => process.emitWarning(message, { code: "FOLIO_STORE" })),
    };
    this.state = new StoreState(stateOptions);
  }

  /** Compacts what this process changed (see state.ts), then flushes and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.catch(() => undefined);
    await this.state.close();
  }

  /**
   * Writes a new read-optimised segment for each collection that changed (or only `collection`)
   * now, instead of at close: the next process to open the store reads it instead of the log.
   */
  async compact(collection?: string): Promise<void> {
    this.ensureOpen();
    await this.serial(async () => this.state.compact(collection));
  }

  /**
   * Waits until no other process holds the store for writing, then holds it until the returned
   * release is called: for long runs of writes (an ingest) that must not interleave with another.
   * Reads and single writes from other processes go on meanwhile.
   */
  async lockForWriting(options: WriterLockOptions): Promise<() => void> {
    this.ensureOpen();
    if (this.path === ":memory:") return () => undefined;
    const lock = await WriterLock.acquire(path.resolve(this.path), options);
    return () => lock.release();
  }

  /** Name of the scoring kernel in use (for benchmarks and diagnostics). */
  kernelName(): string {
    // A 4-d probe: asking a collection would read its whole matrix just to name the kernel.
    return new DenseMatrix(4, this.useWasm).kernelName;
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreError("The embedded store is closed.", "Open a new LocalQdrantClient.");
  }

  /** A collection as of every commit so far (any process's). */
  private get(name: string): Collection {
    this.ensureOpen();
    this.state.sync();
    const c = this.state.collections.get(name);
    if (!c) throw collectionNotFound(name);
    return c;
  }

  /** Inside a write: the collection as the transaction sees it, which must be the one validated against. */
  private current(name: string, uid: number): Collection {
    const c = this.state.collections.get(name);
    if (!c || c.uid !== uid) throw collectionNotFound(name);
    return c;
  }

  /** Runs writes one at a time, in call order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private static updated(operation: number, wait: boolean | undefined): Schemas["UpdateResult"] {
    return { operation_id: operation, status: wait === false ? "acknowledged" : "completed" };
  }

  /** Commits a change to points of `c` and applies it here; resolves when acknowledged. */
  private async pointsWrite(
    name: string,
    uid: number,
    wait: boolean | undefined,
    write: (c: Collection, version: number, batch: Batch) => { ids: PointId[]; apply: () => void },
  ): Promise<Schemas["UpdateResult"]> {
    const { result, durable } = this.state.write((batch) => {
      const c = this.current(name, uid);
      const version = batch.nextOperation(uid, c.operation + 1);
      const { ids, apply } = write(c, version, batch);
      return {
        result: { version, c, ids },
        log: { u: uid, ids },
        apply: () => {
          c.operation = version;
          apply();
        },
      };
    });
    this.state.noteWrite(result.c, result.ids);
    if (wait !== false) await durable;
    return LocalQdrantClient.updated(result.version, wait);
  }

  /** Commits a change to the collections table. */
  private collectionWrite<T>(prepare: (batch: Batch) => { result: T; apply: () => void; uid: number }): T {
    return this.state.write((batch) => {
      const out = prepare(batch);
      return { result: out.result, log: { u: out.uid, c: true }, apply: out.apply };
    }).result;
  }

  // ---------------------------------------------------------------- collections

  override async versionInfo(): Promise<Schemas["VersionInfo"]> {
    return { title: "qdrant - vector search engine (embedded Folio local mode)", version: VERSION };
  }

  override async getCollections(): Promise<Schemas["CollectionsResponse"]> {
    this.ensureOpen();
    this.state.sync();
    return { collections: [...this.state.collections.keys()].map((name) => ({ name })) };
  }

  override async collectionExists(collection_name: string): Promise<Schemas["CollectionExistence"]> {
    this.ensureOpen();
    this.state.sync();
    return { exists: this.state.collections.has(collection_name) };
  }

  override async getCollection(collection_name: string): Promise<Schemas["CollectionInfo"]> {
    const c = this.get(collection_name);
    const payload_schema: Record<string, Schemas["PayloadIndexInfo"]> = {};
    for (const [field, schema] of Object.entries(c.config.payload_schema)) {
      const isObj = typeof schema === "object" && schema !== null;
      const data_type = (isObj ? (schema as { type: string }).type : schema) as Schemas["PayloadSchemaType"];
      const column = c.columns.get(field);
      let points = 0;
      const any = (): boolean => true;
      for (const s of c.liveSlots()) if (column?.any(s, any) ?? valuesAt(c.payloadOf(s), field).length > 0) points++;
      payload_schema[field] = { data_type, ...(isObj ? { params: schema as Schemas["PayloadSchemaParams"] } : {}), points };
    }
    const params = c.config.params;
    return {
      status: "green",
      optimizer_status: "ok",
      indexed_vectors_count: 0,
      points_count: c.pointsCount,
      segments_count: 1,
      config: {
        params: {
          vectors: c.config.vectors as Schemas["VectorsConfig"],
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: (params.on_disk_payload as boolean | undefined) ?? true,
          ...(c.config.sparse_vectors ? { sparse_vectors: c.config.sparse_vectors as Record<string, Schemas["SparseVectorParams"]> } : {}),
        },
        hnsw_config: { ...HNSW_DEFAULTS, ...((params.hnsw_config as object | undefined) ?? {}) },
        optimizer_config: { ...OPTIMIZER_DEFAULTS, ...((params.optimizers_config as object | undefined) ?? {}) },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: (params.quantization_config as Schemas["QuantizationConfig"] | undefined) ?? null,
      },
      payload_schema,
    };
  }

  override async createCollection(collection_name: string, args: Args<"createCollection">[1]): Promise<boolean> {
    this.ensureOpen();
    return this.serial(async () => {
      if (!collection_name || /[/\\\0]/.test(collection_name) || collection_name.length > 255) {
        throw formatError(`Validation error in path parameters: [name: collection name "${collection_name}" is not allowed]`);
      }
      const { timeout: _t, vectors, sparse_vectors, ...rest } = args;
      const config: StoredCollectionConfig = {
        vectors: vectors ?? {},
        sparse_vectors: (sparse_vectors as Record<string, unknown> | null | undefined) ?? null,
        params: JSON.parse(JSON.stringify(rest)) as Record<string, unknown>,
        payload_schema: {},
      };
      quantizationOf(config.params); // rejects what the embedded store cannot do before anything is written
      return this.collectionWrite((batch) => {
        if (this.state.collections.has(collection_name)) {
          throw new LocalQdrantApiError(409, "Conflict", `Wrong input: Collection \`${collection_name}\` already exists!`);
        }
        const coll = new Collection(collection_name, this.state.newUid(), config, this.useWasm);
        batch.putCollection({ name: collection_name, uid: coll.uid, config });
        return { result: true, uid: coll.uid, apply: () => void this.state.collections.set(collection_name, coll) };
      });
    });
  }

  override async recreateCollection(collection_name: string, args: Args<"recreateCollection">[1]): Promise<boolean> {
    await this.deleteCollection(collection_name);
    return this.createCollection(collection_name, args);
  }

  override async deleteCollection(collection_name: string): Promise<boolean> {
    this.ensureOpen();
    return this.serial(async () =>
      this.collectionWrite((batch) => {
        const c = this.state.collections.get(collection_name);
        if (!c) return { result: false, uid: -1, apply: () => undefined };
        batch.deleteCollection(collection_name, c.uid);
        return {
          result: true,
          uid: c.uid,
          apply: () => {
            c.close();
            this.state.collections.delete(collection_name);
            this.state.forget(c.uid);
          },
        };
      }),
    );
  }

  /**
   * Changes collection parameters: quantization (on, or off with "Disabled") and the optimizer,
   * HNSW and storage settings a server keeps (echoed by getCollection). Vector parameters cannot
   * change here. Every process reads the collection again with the new parameters.
   */
  override async updateCollection(collection_name: string, args: Args<"updateCollection">[1]): Promise<boolean> {
    const { uid } = this.get(collection_name);
    const { timeout: _t, vectors, sparse_vectors, ...rest } = args ?? {};
    if (vectors || sparse_vectors) {
      throw new UnsupportedFeatureError("changing vector parameters of a collection in the embedded store", "Create a new collection with the new vectors, or set QDRANT_URL.");
    }
    return this.serial(async () =>
      this.collectionWrite((batch) => {
        const c = this.current(collection_name, uid);
        const params = mergeParams(c.config.params, rest as Record<string, unknown>);
        quantizationOf(params);
        const config = { ...c.config, params };
        batch.putCollection({ name: c.name, uid, config });
        return {
          result: true,
          uid,
          apply: () => {
            c.config.params = params;
            this.state.reload(collection_name);
          },
        };
      }),
    );
  }

  private async setIndex(collection_name: string, field: string, schema: unknown, wait: boolean | undefined): Promise<Schemas["UpdateResult"]> {
    const { uid } = this.get(collection_name);
    return this.serial(async () => {
      let version = 0;
      this.collectionWrite((batch) => {
        const c = this.current(collection_name, uid);
        const payload_schema = { ...c.config.payload_schema };
        if (schema === undefined) delete payload_schema[field];
        else payload_schema[field] = schema;
        batch.putCollection({ name: c.name, uid: c.uid, config: { ...c.config, payload_schema } });
        version = batch.nextOperation(uid, c.operation + 1);
        return {
          result: true,
          uid,
          apply: () => {
            c.config.payload_schema = payload_schema;
            if (schema === undefined) c.dropField(field);
            else c.indexField(field);
            c.operation = version;
          },
        };
      });
      return LocalQdrantClient.updated(version, wait);
    });
  }

  override async createPayloadIndex(collection_name: string, args: Args<"createPayloadIndex">[1]): Promise<Schemas["UpdateResult"]> {
    if (!args.field_name) throw formatError("field_name is required");
    return this.setIndex(collection_name, args.field_name, args.field_schema ?? "keyword", args.wait);
  }

  override async deletePayloadIndex(collection_name: string, field_name: string, args?: Args<"deletePayloadIndex">[2]): Promise<Schemas["UpdateResult"]> {
    return this.setIndex(collection_name, field_name, undefined, args?.wait);
  }

  // ---------------------------------------------------------------- points: writes

  override async upsert(collection_name: string, args: Args<"upsert">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const { wait } = args;
    const raw = args as { points?: unknown; batch?: unknown; update_filter?: unknown; update_mode?: unknown };
    if (raw.update_filter || (raw.update_mode && raw.update_mode !== "upsert")) {
      throw new UnsupportedFeatureError("conditional upserts (update_filter / update_mode) in the embedded store", "Set QDRANT_URL to use a Qdrant server.");
    }
    // Validate everything before anything is written: a bad point rejects the whole request.
    const prepared: PreparedPoint[] = [];
    if (Array.isArray(raw.points)) {
      for (const p of raw.points as Array<{ id: unknown; vector: unknown; payload?: unknown }>) {
        prepared.push({ id: normalizeId(p.id), payload: clonePayload(p.payload), vectors: c.prepareVectors(p.vector) });
      }
    } else if (raw.batch && typeof raw.batch === "object") {
      const b = raw.batch as { ids: unknown[]; vectors: unknown; payloads?: unknown[] | null };
      const vectorAt = (i: number): unknown => {
        if (Array.isArray(b.vectors)) return b.vectors[i];
        const named: Record<string, unknown> = {};
        for (const [name, list] of Object.entries(b.vectors as Record<string, unknown[]>)) named[name] = list[i];
        return named;
      };
      b.ids.forEach((id, i) => prepared.push({ id: normalizeId(id), payload: clonePayload(b.payloads?.[i]), vectors: c.prepareVectors(vectorAt(i)) }));
    } else throw formatError("upsert needs `points` or `batch`");
    return this.serial(() =>
      this.pointsWrite(collection_name, c.uid, wait, (coll, version, batch) => {
        batch.putPoints(coll.uid, prepared.map((p) => ({ ...p, version })));
        return { ids: prepared.map((p) => p.id), apply: () => prepared.forEach((p) => coll.applyPoint(p, version)) };
      }),
    );
  }

  override async updateVectors(collection_name: string, args: Args<"updateVectors">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    if ((args as { update_filter?: unknown }).update_filter) {
      throw new UnsupportedFeatureError("conditional vector updates (update_filter) in the embedded store", "Set QDRANT_URL to use a Qdrant server.");
    }
    const updates = args.points.map((p) => ({ id: normalizeId(p.id), vectors: c.prepareVectors(p.vector) }));
    return this.serial(() =>
      this.pointsWrite(collection_name, c.uid, args.wait, (coll, version, batch) => {
        for (const u of updates) if (coll.slot(u.id) === undefined) throw notFound(`No point with id ${String(u.id)} found`);
        return this.rewriteVectors(coll, updates, version, batch);
      }),
    );
  }

  override async deleteVectors(collection_name: string, args: Args<"deleteVectors">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const names = args.vector.map(String);
    for (const name of names) if (!c.vectorNames().includes(name)) throw wrongInput(`Not existing vector name error: ${name}`);
    const removal = new Map<string, null>(names.map((name) => [name, null]));
    return this.serial(() =>
      this.pointsWrite(collection_name, c.uid, args.wait, (coll, version, batch) =>
        this.rewriteVectors(coll, this.select(coll, args.points, args.filter).map((id) => ({ id, vectors: removal })), version, batch),
      ),
    );
  }

  /**
   * Changes some named vectors of existing points, keeping their payloads and other vectors: in each
   * change a vector sets that name and null removes it. Written as whole points, then applied name by
   * name in memory (the rest of each point is left as it is).
   */
  private rewriteVectors(
    c: Collection,
    changes: Array<{ id: PointId; vectors: ReadonlyMap<string, StoredVector | null> }>,
    version: number,
    batch: Batch,
  ): { ids: PointId[]; apply: () => void } {
    const records = changes.map((u) => {
      const slot = c.slot(u.id) as number;
      const vectors = c.storedVectors(slot);
      for (const [name, v] of u.vectors) {
        if (v) vectors.set(name, v);
        else vectors.delete(name);
      }
      return { id: u.id, payload: c.payloadOf(slot), version, vectors };
    });
    batch.putPoints(c.uid, records);
    return {
      ids: changes.map((u) => u.id),
      apply: () => {
        for (const u of changes) {
          const slot = c.slot(u.id) as number;
          for (const [name, v] of u.vectors) {
            if (v) c.setVector(slot, name, v);
            else c.removeVector(slot, name);
          }
          c.setPayload(slot, c.payloadOf(slot), version);
        }
      },
    };
  }

  override async facet(collection_name: string, args: Args<"facet">[1]): Promise<Schemas["FacetResponse"]> {
    const c = this.get(collection_name);
    const schema = c.config.payload_schema[args.key];
    const type = typeof schema === "object" && schema !== null ? (schema as { type?: unknown }).type : schema;
    if (!["keyword", "integer", "bool", "uuid"].includes(String(type))) {
      throw badRequest(`Index required but not found for "${args.key}" of one of the following types: [keyword, integer, bool, uuid]. Help: Create an index for this key or use a different filter.`);
    }
    const pred = compileOptionalFilter(args.filter);
    const counts = new Map<string, { value: string | number | boolean; count: number }>();
    for (const s of c.liveSlots()) {
      if (!c.matches(s, pred)) continue;
      const seen = new Set<string>();
      for (const v of valuesAt(c.payloadOf(s), args.key)) {
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") continue;
        const k = `${typeof v}:${String(v)}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const entry = counts.get(k);
        if (entry) entry.count++;
        else counts.set(k, { value: v, count: 1 });
      }
    }
    const hits = [...counts.values()].sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return { hits: hits.slice(0, args.limit ?? 10) };
  }

  /** Ids a points selector (ids or filter) picks, existing points only. */
  private select(c: Collection, points: unknown, filter: unknown): PointId[] {
    if (Array.isArray(points)) return points.map(normalizeId).filter((id) => c.slot(id) !== undefined);
    if (filter !== undefined && filter !== null) {
      const pred = compileOptionalFilter(filter);
      const out: PointId[] = [];
      for (const s of c.liveSlots()) if (c.matches(s, pred)) out.push(c.idOf(s));
      return out;
    }
    throw formatError("expected `points` (a list of ids) or `filter`");
  }

  override async delete(collection_name: string, args: Args<"delete">[1]): Promise<Schemas["UpdateResult"]> {
    const { uid } = this.get(collection_name);
    const a = args as { points?: unknown; filter?: unknown; wait?: boolean };
    return this.serial(() =>
      this.pointsWrite(collection_name, uid, a.wait, (c, _version, batch) => {
        const ids = this.select(c, a.points, a.filter);
        batch.deletePoints(c.uid, ids);
        return { ids, apply: () => ids.forEach((id) => c.deletePoint(id)) };
      }),
    );
  }

  /** Rewrites the payloads of the selected points with `fn`, keeping their vectors. */
  private rewritePayloads(collection_name: string, points: unknown, filter: unknown, wait: boolean | undefined, fn: (p: Payload) => Payload): Promise<Schemas["UpdateResult"]> {
    const { uid } = this.get(collection_name);
    return this.serial(() =>
      this.pointsWrite(collection_name, uid, wait, (c, version, batch) => {
        const updates = this.select(c, points, filter).map((id) => ({ id, payload: fn(c.payloadOf(c.slot(id) as number)), version }));
        batch.putPayloads(c.uid, updates);
        return { ids: updates.map((u) => u.id), apply: () => updates.forEach((u) => c.setPayload(c.slot(u.id) as number, u.payload, version)) };
      }),
    );
  }

  override async setPayload(collection_name: string, args: Args<"setPayload">[1]): Promise<Schemas["UpdateResult"]> {
    const update = clonePayload(args.payload);
    return this.rewritePayloads(collection_name, args.points, args.filter, args.wait, (p) => mergePayload(p, update, args.key));
  }

  override async overwritePayload(collection_name: string, args: Args<"overwritePayload">[1]): Promise<Schemas["UpdateResult"]> {
    const update = clonePayload(args.payload);
    return this.rewritePayloads(collection_name, args.points, args.filter, args.wait, (p) =>
      args.key ? mergePayload(deletePayloadKeys(p, [args.key]), update, args.key) : clonePayload(update),
    );
  }

  override async deletePayload(collection_name: string, args: Args<"deletePayload">[1]): Promise<Schemas["UpdateResult"]> {
    const a = args as { keys: string[]; points?: unknown; filter?: unknown; wait?: boolean };
    return this.rewritePayloads(collection_name, a.points, a.filter, a.wait, (p) => deletePayloadKeys(p, a.keys));
  }

  override async clearPayload(collection_name: string, args: Args<"clearPayload">[1]): Promise<Schemas["UpdateResult"]> {
    const a = args as { points?: unknown; filter?: unknown; wait?: boolean };
    return this.rewritePayloads(collection_name, a.points, a.filter, a.wait, () => ({}));
  }

  // ---------------------------------------------------------------- points: reads

  private record(c: Collection, slot: number, withPayload: unknown, withVector: unknown, payloadDefault: boolean): Schemas["Record"] {
    return {
      id: c.idOf(slot),
      payload: selectPayload(c.payloadOf(slot), withPayload, payloadDefault),
      vector: (c.vectorOutput(slot, withVector) ?? null) as Schemas["Record"]["vector"],
    };
  }

  private scored(c: Collection, hit: Hit, withPayload: unknown, withVector: unknown): Schemas["ScoredPoint"] {
    const slot = hit.slot;
    return {
      id: c.idOf(slot),
      version: c.versionOf(slot),
      score: Math.fround(hit.score),
      payload: selectPayload(c.payloadOf(slot), withPayload, false),
      vector: (c.vectorOutput(slot, withVector) ?? null) as Schemas["ScoredPoint"]["vector"],
    };
  }

  override async retrieve(collection_name: string, args: Args<"retrieve">[1]): Promise<Schemas["Record"][]> {
    const c = this.get(collection_name);
    const out: Schemas["Record"][] = [];
    const seen = new Set<PointId>();
    for (const raw of args.ids) {
      const id = normalizeId(raw);
      const slot = c.slot(id);
      if (slot === undefined || seen.has(id)) continue;
      seen.add(id);
      out.push(this.record(c, slot, args.with_payload, args.with_vector, true));
    }
    return out;
  }

  override async scroll(collection_name: string, args: Args<"scroll">[1] = {}): Promise<Schemas["ScrollResult"]> {
    const c = this.get(collection_name);
    if (args.order_by) throw new UnsupportedFeatureError("scroll with order_by in the embedded store", "Scroll by id, or set QDRANT_URL.");
    const limit = args.limit ?? 10;
    const pred = compileOptionalFilter(args.filter);
    const start = args.offset === undefined || args.offset === null ? null : normalizeId(args.offset);
    const slots: number[] = [];
    for (const s of c.liveSlots()) {
      if (start !== null && compareIds(c.idOf(s), start) < 0) continue;
      if (c.matches(s, pred)) slots.push(s);
    }
    slots.sort(c.compareSlots);
    const page = slots.slice(0, limit);
    const next = slots[limit];
    return {
      points: page.map((s) => this.record(c, s, args.with_payload, args.with_vector, true)),
      next_page_offset: next === undefined ? null : c.idOf(next),
    };
  }

  override async count(collection_name: string, args: Args<"count">[1] = {}): Promise<Schemas["CountResult"]> {
    const c = this.get(collection_name);
    if (args.filter === undefined || args.filter === null) return { count: c.pointsCount };
    const pred = compileOptionalFilter(args.filter);
    let n = 0;
    for (const s of c.liveSlots()) if (c.matches(s, pred)) n++;
    return { count: n };
  }

  override async query(collection_name: string, args: Args<"query">[1]): Promise<Schemas["QueryResponse"]> {
    this.get(collection_name);
    return this.state.recovering(collection_name, () => {
      const c = this.get(collection_name);
      const offset = args.offset ?? 0;
      const hits = new QueryEngine(c).run(args as StageRequest, null, offset).slice(offset);
      return { points: hits.map((h) => this.scored(c, h, args.with_payload, args.with_vector)) };
    });
  }

  override async queryBatch(collection_name: string, args: Args<"queryBatch">[1]): Promise<Schemas["QueryResponse"][]> {
    const out: Schemas["QueryResponse"][] = [];
    for (const search of args.searches) out.push(await this.query(collection_name, search));
    return out;
  }

  override async queryGroups(collection_name: string, args: Args<"queryGroups">[1]): Promise<Schemas["GroupsResult"]> {
    this.get(collection_name);
    return this.state.recovering(collection_name, () => this.groups(this.get(collection_name), args));
  }

  private groups(c: Collection, args: Args<"queryGroups">[1]): Schemas["GroupsResult"] {
    if (args.with_lookup) throw new UnsupportedFeatureError("with_lookup in the embedded store", "Set QDRANT_URL to use a Qdrant server.");
    const groupBy = args.group_by;
    if (!groupBy) throw formatError("group_by is required");
    const groupSize = args.group_size ?? 3;
    const limit = args.limit ?? 10;
    const hasKey = { must_not: [{ is_empty: { key: groupBy } }] };
    const filter = args.filter ? { must: [args.filter, hasKey] } : hasKey;
    const hits = new QueryEngine(c).run({ ...(args as StageRequest), filter, limit: Math.max(c.pointsCount, 1) }, null, 0);
    const groups = new Map<string, { id: string | number; hits: Hit[] }>();
    for (const h of hits) {
      const values = new Set(valuesAt(c.payloadOf(h.slot), groupBy).filter((v) => typeof v === "string" || (typeof v === "number" && Number.isInteger(v))) as Array<string | number>);
      for (const v of values) {
        const key = `${typeof v}:${v}`;
        let g = groups.get(key);
        if (!g) {
          if (groups.size >= limit) continue;
          groups.set(key, (g = { id: v, hits: [] }));
        }
        if (g.hits.length < groupSize) g.hits.push(h);
      }
    }
    return {
      groups: [...groups.values()].map((g) => ({ id: g.id, hits: g.hits.map((h) => this.scored(c, h, args.with_payload, args.with_vector)) })),
    };
  }

  /** Legacy search: the same as query with `using` taken from a named vector. */
  override async search(collection_name: string, args: Args<"search">[1]): Promise<Schemas["ScoredPoint"][]> {
    const v = args.vector as unknown;
    let query: unknown = v;
    let using: string | undefined;
    if (typeof v === "object" && v !== null && !Array.isArray(v) && "name" in v) {
      const named = v as { name: string; vector?: unknown };
      using = named.name;
      query = named.vector;
    }
    const res = await this.query(collection_name, {
      query: query as Schemas["QueryInterface"],
      using,
      filter: args.filter,
      limit: args.limit,
      offset: args.offset,
      score_threshold: args.score_threshold,
      with_payload: args.with_payload,
      with_vector: args.with_vector,
    });
    return res.points;
  }

  override async searchBatch(collection_name: string, args: Args<"searchBatch">[1]): Promise<Schemas["ScoredPoint"][][]> {
    const out: Schemas["ScoredPoint"][][] = [];
    for (const s of args.searches) out.push(await this.search(collection_name, s));
    return out;
  }
}

/** Every QdrantClient method not overridden above fails clearly instead of reaching for the network. */
const base = QdrantClient.prototype as unknown as Record<string, unknown>;
for (const name of Object.getOwnPropertyNames(QdrantClient.prototype)) {
  if (name === "constructor" || typeof base[name] !== "function") continue;
  if (Object.prototype.hasOwnProperty.call(LocalQdrantClient.prototype, name)) continue;
  Object.defineProperty(LocalQdrantClient.prototype, name, {
    configurable: true,
    writable: true,
    value: function unsupported(): never {
      throw new UnsupportedFeatureError(`${name}() in the embedded Qdrant-compatible store`, "Set QDRANT_URL to use a Qdrant server for this feature.");
    },
  });
}

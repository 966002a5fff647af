/**
 * LocalQdrantClient: an embedded, Qdrant-compatible store behind the QdrantClient interface.
 * It subclasses the REST client (so code typed against QdrantClient, e.g. @langchain/qdrant,
 * takes it unchanged) and answers every call it overrides in-process, with the shapes and
 * semantics of a Qdrant server. Calls it does not implement throw UnsupportedFeatureError
 * instead of touching the network.
 */
import fs from "node:fs";
import path from "node:path";
import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";
import { StoreError, UnsupportedFeatureError } from "../../errors.js";
import { Collection, type PreparedPoint, type StoredCollectionConfig, type StoredVector } from "./collection.js";
import { badRequest, collectionNotFound, formatError, LocalQdrantApiError, notFound, wrongInput } from "./errors.js";
import { anyValueAt, compileOptionalFilter, valuesAt, type Payload } from "./filter.js";
import { compareIds, normalizeId, type PointId } from "./ids.js";
import { StoreLock } from "./lock.js";
import { clonePayload, deletePayloadKeys, mergePayload, selectPayload } from "./payload.js";
import { QueryEngine, type Hit, type StageRequest } from "./query.js";
import { Storage } from "./storage.js";

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

export class LocalQdrantClient extends QdrantClient {
  readonly path: string;
  private readonly collections = new Map<string, Collection>();
  private readonly storage: Storage | null;
  private readonly lock: StoreLock | null;
  private readonly useWasm: boolean;
  private readonly flush: boolean;
  private nextUid = 1;
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: LocalQdrantClientOptions) {
    // A URL nothing listens on; with checkCompatibility false the base constructor does no I/O.
    super({ url: "http://127.0.0.1:1", checkCompatibility: false });
    this.path = options.path;
    this.useWasm = options.wasm ?? true;
    this.flush = options.durability === "flush";
    if (options.path === ":memory:") {
      this.storage = null;
      this.lock = null;
      return;
    }
    const dir = path.resolve(options.path);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new StoreError(`Cannot create the store folder ${dir}.`, "Check the path and its permissions (FOLIO_HOME).", e);
    }
    this.lock = StoreLock.acquire(dir);
    try {
      this.storage = new Storage(dir);
      for (const rec of this.storage.loadCollections()) {
        const coll = new Collection(rec.name, rec.uid, rec.config, this.useWasm);
        for (const p of this.storage.loadPoints(rec.uid)) {
          coll.applyPoint({ id: p.id, payload: p.payload, vectors: p.vectors }, p.version);
          coll.operation = Math.max(coll.operation, p.version);
        }
        this.collections.set(rec.name, coll);
        this.nextUid = Math.max(this.nextUid, rec.uid + 1);
      }
    } catch (e) {
      this.lock.release();
      throw new StoreError(`Cannot open the embedded store at ${dir}: ${(e as Error).message}`, "If the folder is not a Folio store, choose another FOLIO_HOME; otherwise restore it from a backup.", e);
    }
  }

  /** Flushes and releases the store (the lock is also released when the process exits). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.catch(() => undefined);
    await this.storage?.close();
    this.lock?.release();
  }

  /** Name of the scoring kernel in use (for benchmarks and diagnostics). */
  kernelName(): string {
    for (const c of this.collections.values()) for (const d of c.dense.values()) return d.matrix.kernelName;
    return this.useWasm ? "wasm-simd (when available)" : "js";
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreError("The embedded store is closed.", "Open a new LocalQdrantClient.");
  }

  private get(name: string): Collection {
    this.ensureOpen();
    const c = this.collections.get(name);
    if (!c) throw collectionNotFound(name);
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

  // ---------------------------------------------------------------- collections

  override async versionInfo(): Promise<Schemas["VersionInfo"]> {
    return { title: "qdrant - vector search engine (embedded Folio local mode)", version: VERSION };
  }

  override async getCollections(): Promise<Schemas["CollectionsResponse"]> {
    this.ensureOpen();
    return { collections: [...this.collections.keys()].map((name) => ({ name })) };
  }

  override async collectionExists(collection_name: string): Promise<Schemas["CollectionExistence"]> {
    this.ensureOpen();
    return { exists: this.collections.has(collection_name) };
  }

  override async getCollection(collection_name: string): Promise<Schemas["CollectionInfo"]> {
    const c = this.get(collection_name);
    const payload_schema: Record<string, Schemas["PayloadIndexInfo"]> = {};
    for (const [field, schema] of Object.entries(c.config.payload_schema)) {
      const isObj = typeof schema === "object" && schema !== null;
      const data_type = (isObj ? (schema as { type: string }).type : schema) as Schemas["PayloadSchemaType"];
      let points = 0;
      const hasValue = anyValueAt(field, () => true);
      for (const s of c.liveSlots()) if (hasValue(c.payloads[s])) points++;
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
        quantization_config: null,
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
      if (this.collections.has(collection_name)) {
        throw new LocalQdrantApiError(409, "Conflict", `Wrong input: Collection \`${collection_name}\` already exists!`);
      }
      const { timeout: _t, vectors, sparse_vectors, ...rest } = args;
      if (rest.quantization_config) {
        throw new UnsupportedFeatureError("quantization in the embedded store (search there is exact)", "Drop quantization_config, or set QDRANT_URL.");
      }
      const config: StoredCollectionConfig = {
        vectors: vectors ?? {},
        sparse_vectors: (sparse_vectors as Record<string, unknown> | null | undefined) ?? null,
        params: JSON.parse(JSON.stringify(rest)) as Record<string, unknown>,
        payload_schema: {},
      };
      const coll = new Collection(collection_name, this.nextUid++, config, this.useWasm);
      await this.storage?.putCollection({ name: collection_name, uid: coll.uid, config });
      this.collections.set(collection_name, coll);
      return true;
    });
  }

  override async recreateCollection(collection_name: string, args: Args<"recreateCollection">[1]): Promise<boolean> {
    await this.deleteCollection(collection_name);
    return this.createCollection(collection_name, args);
  }

  override async deleteCollection(collection_name: string): Promise<boolean> {
    this.ensureOpen();
    return this.serial(async () => {
      const c = this.collections.get(collection_name);
      if (!c) return false;
      await this.storage?.deleteCollection(collection_name, c.uid);
      this.collections.delete(collection_name);
      return true;
    });
  }

  override async createPayloadIndex(collection_name: string, args: Args<"createPayloadIndex">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    return this.serial(async () => {
      if (!args.field_name) throw formatError("field_name is required");
      c.config.payload_schema[args.field_name] = args.field_schema ?? "keyword";
      await this.storage?.putCollection({ name: c.name, uid: c.uid, config: c.config });
      return LocalQdrantClient.updated(++c.operation, args.wait);
    });
  }

  override async deletePayloadIndex(collection_name: string, field_name: string, args?: Args<"deletePayloadIndex">[2]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    return this.serial(async () => {
      delete c.config.payload_schema[field_name];
      await this.storage?.putCollection({ name: c.name, uid: c.uid, config: c.config });
      return LocalQdrantClient.updated(++c.operation, args?.wait);
    });
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
    return this.serial(async () => {
      const version = ++c.operation;
      await this.storage?.writePoints(c.uid, prepared.map((p) => ({ ...p, version })), this.flush && wait !== false);
      for (const p of prepared) c.applyPoint(p, version);
      return LocalQdrantClient.updated(version, wait);
    });
  }

  override async updateVectors(collection_name: string, args: Args<"updateVectors">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    if ((args as { update_filter?: unknown }).update_filter) {
      throw new UnsupportedFeatureError("conditional vector updates (update_filter) in the embedded store", "Set QDRANT_URL to use a Qdrant server.");
    }
    const updates = args.points.map((p) => ({ id: normalizeId(p.id), vectors: c.prepareVectors(p.vector) }));
    return this.serial(async () => {
      for (const u of updates) if (c.slot(u.id) === undefined) throw notFound(`No point with id ${String(u.id)} found`);
      return this.rewriteVectors(c, updates, args.wait);
    });
  }

  override async deleteVectors(collection_name: string, args: Args<"deleteVectors">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const names = args.vector.map(String);
    for (const name of names) if (!c.vectorNames().includes(name)) throw wrongInput(`Not existing vector name error: ${name}`);
    const removal = new Map<string, null>(names.map((name) => [name, null]));
    return this.serial(() => this.rewriteVectors(c, this.select(c, args.points, args.filter).map((id) => ({ id, vectors: removal })), args.wait));
  }

  /**
   * Changes some named vectors of existing points, keeping their payloads and other vectors: in each
   * change a vector sets that name and null removes it. Written as whole points, then applied name by
   * name in memory (the rest of each point is left as it is).
   */
  private async rewriteVectors(
    c: Collection,
    changes: Array<{ id: PointId; vectors: ReadonlyMap<string, StoredVector | null> }>,
    wait: boolean | undefined,
  ): Promise<Schemas["UpdateResult"]> {
    const version = ++c.operation;
    const records = changes.map((u) => {
      const slot = c.slot(u.id) as number;
      const vectors = c.storedVectors(slot);
      for (const [name, v] of u.vectors) {
        if (v) vectors.set(name, v);
        else vectors.delete(name);
      }
      return { id: u.id, payload: c.payloads[slot] ?? {}, version, vectors };
    });
    await this.storage?.writePoints(c.uid, records, this.flush && wait !== false);
    for (const u of changes) {
      const slot = c.slot(u.id) as number;
      for (const [name, v] of u.vectors) {
        if (v) c.setVector(slot, name, v);
        else c.removeVector(slot, name);
      }
      c.versions[slot] = version;
    }
    return LocalQdrantClient.updated(version, wait);
  }

  /** Counts of each value of a payload key (which, as on the server, needs a keyword / integer / bool index). */
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
      for (const v of valuesAt(c.payloads[s], args.key)) {
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
      for (const s of c.liveSlots()) if (c.matches(s, pred)) out.push(c.ids[s] as PointId);
      return out;
    }
    throw formatError("expected `points` (a list of ids) or `filter`");
  }

  override async delete(collection_name: string, args: Args<"delete">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const a = args as { points?: unknown; filter?: unknown; wait?: boolean };
    return this.serial(async () => {
      const ids = this.select(c, a.points, a.filter);
      const version = ++c.operation;
      await this.storage?.deletePoints(c.uid, ids, this.flush && a.wait !== false);
      for (const id of ids) c.deletePoint(id);
      return LocalQdrantClient.updated(version, a.wait);
    });
  }

  private async rewritePayloads(c: Collection, ids: PointId[], wait: boolean | undefined, fn: (p: Payload) => Payload): Promise<Schemas["UpdateResult"]> {
    const version = ++c.operation;
    const updates = ids.map((id) => ({ id, payload: fn(c.payloads[c.slot(id) as number] ?? {}), version }));
    await this.storage?.updatePayloads(c.uid, updates, this.flush && wait !== false);
    for (const u of updates) {
      const slot = c.slot(u.id) as number;
      c.payloads[slot] = u.payload;
      c.versions[slot] = version;
    }
    return LocalQdrantClient.updated(version, wait);
  }

  override async setPayload(collection_name: string, args: Args<"setPayload">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const update = clonePayload(args.payload);
    return this.serial(() => this.rewritePayloads(c, this.select(c, args.points, args.filter), args.wait, (p) => mergePayload(p, update, args.key)));
  }

  override async overwritePayload(collection_name: string, args: Args<"overwritePayload">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const update = clonePayload(args.payload);
    return this.serial(() =>
      this.rewritePayloads(c, this.select(c, args.points, args.filter), args.wait, (p) => (args.key ? mergePayload(deletePayloadKeys(p, [args.key]), update, args.key) : clonePayload(update))),
    );
  }

  override async deletePayload(collection_name: string, args: Args<"deletePayload">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const a = args as { keys: string[]; points?: unknown; filter?: unknown; wait?: boolean };
    return this.serial(() => this.rewritePayloads(c, this.select(c, a.points, a.filter), a.wait, (p) => deletePayloadKeys(p, a.keys)));
  }

  override async clearPayload(collection_name: string, args: Args<"clearPayload">[1]): Promise<Schemas["UpdateResult"]> {
    const c = this.get(collection_name);
    const a = args as { points?: unknown; filter?: unknown; wait?: boolean };
    return this.serial(() => this.rewritePayloads(c, this.select(c, a.points, a.filter), a.wait, () => ({})));
  }

  // ---------------------------------------------------------------- points: reads

  private record(c: Collection, slot: number, withPayload: unknown, withVector: unknown, payloadDefault: boolean): Schemas["Record"] {
    return {
      id: c.ids[slot] as PointId,
      payload: selectPayload(c.payloads[slot] ?? {}, withPayload, payloadDefault),
      vector: (c.vectorOutput(slot, withVector) ?? null) as Schemas["Record"]["vector"],
    };
  }

  private scored(c: Collection, hit: Hit, withPayload: unknown, withVector: unknown): Schemas["ScoredPoint"] {
    const slot = hit.slot;
    return {
      id: c.ids[slot] as PointId,
      version: c.versions[slot] as number,
      score: Math.fround(hit.score),
      payload: selectPayload(c.payloads[slot] ?? {}, withPayload, false),
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
      if (start !== null && compareIds(c.ids[s] as PointId, start) < 0) continue;
      if (c.matches(s, pred)) slots.push(s);
    }
    slots.sort(c.compareSlots);
    const page = slots.slice(0, limit);
    const next = slots[limit];
    return {
      points: page.map((s) => this.record(c, s, args.with_payload, args.with_vector, true)),
      next_page_offset: next === undefined ? null : (c.ids[next] as PointId),
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
    const c = this.get(collection_name);
    const offset = args.offset ?? 0;
    const hits = new QueryEngine(c).run(args as StageRequest, null, offset).slice(offset);
    return { points: hits.map((h) => this.scored(c, h, args.with_payload, args.with_vector)) };
  }

  override async queryBatch(collection_name: string, args: Args<"queryBatch">[1]): Promise<Schemas["QueryResponse"][]> {
    const out: Schemas["QueryResponse"][] = [];
    for (const search of args.searches) out.push(await this.query(collection_name, search));
    return out;
  }

  override async queryGroups(collection_name: string, args: Args<"queryGroups">[1]): Promise<Schemas["GroupsResult"]> {
    const c = this.get(collection_name);
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
      const values = new Set(valuesAt(c.payloads[h.slot], groupBy).filter((v) => typeof v === "string" || (typeof v === "number" && Number.isInteger(v))) as Array<string | number>);
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

/**
 * One collection as a process sees it: points live in slots. What a query scans is in memory or
 * read on first use from the collection's segment (ids, versions, presence, payload-index columns,
 * dense matrices, BM25 postings); what it returns (payloads, multivectors) is read from storage
 * per hit. Points written after the segment live in memory on top of it. Deleted slots are
 * reused (free list).
 */
import { Column, type EncodedColumn } from "./columns.js";
import { DenseMatrix } from "./dense.js";
import { wrongInput, formatError } from "./errors.js";
import { compareIds, type PointId } from "./ids.js";
import type { Payload, Predicate } from "./filter.js";
import { Int8Matrix } from "./int8.js";
import { Metric } from "./kernels.js";
import { SparseStore, toSparseRow, type SparseBase, type SparseRow } from "./sparse.js";
import { UnsupportedFeatureError } from "../../errors.js";

export type Distance = "Cosine" | "Dot" | "Euclid" | "Manhattan";
const DISTANCES: readonly Distance[] = ["Cosine", "Dot", "Euclid", "Manhattan"];

export interface DenseSpec {
  kind: "dense";
  size: number;
  distance: Distance;
  multivector: boolean;
}
export interface SparseSpec {
  kind: "sparse";
  idf: boolean;
}

/** The collection's create request as stored (kept verbatim for getCollection). */
export interface StoredCollectionConfig {
  /** raw `vectors` as given (a single VectorParams or a map) */
  vectors: unknown;
  sparse_vectors: Record<string, unknown> | null;
  /** other create parameters echoed back by getCollection */
  params: Record<string, unknown>;
  payload_schema: Record<string, unknown>;
}

export type StoredVector =
  | { kind: "dense"; data: Float32Array }
  | { kind: "multi"; data: Float32Array; count: number }
  | { kind: "sparse"; row: SparseRow };

/** A vector as read back from storage: a dense row comes as its stored bytes, copied once, into the matrix. */
export type LoadedVector = StoredVector | { kind: "dense-bytes"; bytes: Uint8Array };

export interface PreparedPoint {
  id: PointId;
  payload: Payload;
  vectors: Map<string, StoredVector>;
}

export function metricOf(distance: Distance): Metric {
  return distance === "Euclid" ? Metric.Euclid : distance === "Manhattan" ? Metric.Manhattan : Metric.Dot;
}

/** Output score from an internal similarity (higher is better). */
export function scoreFromSimilarity(distance: Distance, sim: number): number {
  if (distance === "Euclid") return Math.sqrt(Math.max(0, -sim));
  if (distance === "Manhattan") return -sim;
  return sim;
}

/** Normalises in place when its squared norm is not tiny, as the server does for Cosine. */
export function normalizeInPlace(v: Float32Array, from = 0, to = v.length): void {
  let sq = 0;
  for (let i = from; i < to; i++) sq += (v[i] as number) * (v[i] as number);
  if (sq < 1.1920929e-7) return;
  const inv = 1 / Math.sqrt(sq);
  for (let i = from; i < to; i++) v[i] = (v[i] as number) * inv;
}

function parseVectorParams(name: string, raw: unknown): DenseSpec {
  if (typeof raw !== "object" || raw === null) throw formatError(`vector params for "${name}" must be an object`);
  const p = raw as Record<string, unknown>;
  const size = p.size;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > 65536) {
    throw formatError(`Validation error in JSON body: [vectors.size: value ${String(size)} invalid, must be from 1 to 65536]`);
  }
  if (typeof p.distance !== "string" || !DISTANCES.includes(p.distance as Distance)) {
    throw formatError(`unknown variant \`${String(p.distance)}\`, expected one of \`Cosine\`, \`Euclid\`, \`Dot\`, \`Manhattan\``);
  }
  if (p.datatype !== undefined && p.datatype !== null && p.datatype !== "float32") {
    throw new UnsupportedFeatureError(`vector datatype "${String(p.datatype)}" in the embedded store`, "Use float32 vectors, or set QDRANT_URL to use a Qdrant server.");
  }
  let multivector = false;
  if (p.multivector_config !== undefined && p.multivector_config !== null) {
    const comparator = (p.multivector_config as { comparator?: unknown }).comparator;
    if (comparator !== "max_sim") throw formatError(`unknown variant \`${String(comparator)}\`, expected \`max_sim\``);
    multivector = true;
  }
  return { kind: "dense", size, distance: p.distance as Distance, multivector };
}

/** What a collection reads from a segment (see snapshot.ts). */
export interface CollectionBase {
  seq: number;
  slots: number;
  live: Uint8Array;
  idAt(slot: number): PointId;
  versions: Float64Array;
  dense: Map<string, DenseBase>;
  multi: Map<string, { present: Uint8Array }>;
  sparse: Map<string, SparseBase>;
  columns: Map<string, EncodedColumn>;
  /** throws SegmentCorruptError when a background check of a large section failed */
  assertIntact(): void;
  close(): void;
}

export interface DenseBase {
  present: Uint8Array;
  /** reads rows [0, slots) into a matrix of the same stride */
  loadInto(matrix: DenseMatrix): void;
  /** int8 rows and scales, when the collection is quantized */
  loadQuantized: ((matrix: Int8Matrix) => void) | null;
  row(slot: number): Float32Array;
}

/** Where a collection reads what it does not keep in memory: a point's payload and vectors, by id. */
export interface PointSource {
  payload(id: PointId): Payload;
  vectors(id: PointId): Map<string, LoadedVector>;
}

interface DenseEntry {
  spec: DenseSpec;
  quantized: boolean;
  present: Uint8Array;
  count: number;
  /** float rows, read from the segment when first needed */
  matrix: DenseMatrix | null;
  /** int8 rows (quantized collections), read when first needed */
  quant: Int8Matrix | null;
  base: DenseBase | null;
  /** rows set (or cleared, null) since the segment, while the float matrix is not in memory (exact rows for rescoring) */
  pending: Map<number, Float32Array | null>;
}
interface MultiEntry {
  spec: DenseSpec;
  present: Uint8Array;
  /** rows read so far, or set since the segment */
  rows: Array<{ data: Float32Array; count: number } | undefined>;
  count: number;
}
interface SparseEntry {
  spec: SparseSpec;
  store: SparseStore;
}

/** Changes are kept aside while a matrix that must see them is not in memory (floats also serve exact rows). */
function needsPending(e: DenseEntry): boolean {
  return !e.matrix || (e.quantized && !e.quant);
}

/** Writes the rows changed since the segment into a matrix just read from it. */
function applyPending(e: DenseEntry, m: Pick<DenseMatrix, "setRow" | "clearRow">): void {
  for (const [slot, v] of e.pending) {
    if (v) m.setRow(slot, v);
    else m.clearRow(slot);
  }
}

function grown(a: Uint8Array, n: number): Uint8Array {
  if (n <= a.length) return a;
  const next = new Uint8Array(Math.max(n, Math.ceil(a.length * 1.5), 64));
  next.set(a);
  return next;
}

function countOnes(a: Uint8Array): number {
  let n = 0;
  for (const x of a) n += x;
  return n;
}

/** The scalar quantization a collection asked for, if any (only int8 exists). */
export function quantizationOf(params: Record<string, unknown>): "int8" | null {
  const q = params.quantization_config as { scalar?: { type?: unknown } } | null | undefined;
  if (q === undefined || q === null) return null;
  if (typeof q !== "object" || !q.scalar || typeof q.scalar !== "object") {
    throw new UnsupportedFeatureError("product or binary quantization in the embedded store (it has scalar int8)", 'Use {"scalar": {"type": "int8"}}, or set QDRANT_URL.');
  }
  if (q.scalar.type !== "int8") throw formatError(`unknown variant \`${String(q.scalar.type)}\`, expected \`int8\``);
  return "int8";
}

export class Collection {
  readonly dense = new Map<string, DenseEntry>();
  readonly multi = new Map<string, MultiEntry>();
  readonly sparse = new Map<string, SparseEntry>();
  readonly columns = new Map<string, Column>();
  /** true when `vectors` is a single unnamed VectorParams */
  readonly unnamed: boolean;

  private slotMap: Map<PointId, number> | null = null;
  private readonly idCache: Array<PointId | undefined> = [];
  private live: Uint8Array = new Uint8Array(0);
  private liveCount = 0;
  private readonly payloads: Array<Payload | undefined> = [];
  private versions = new Float64Array(0);
  private readonly free: number[] = [];
  /** number of slots ever used (rows [0, highWater) may be scored) */
  highWater = 0;
  /** last operation id */
  operation = 0;
  /** commit sequence of the segment this collection was read from (0: none) */
  readonly baseSeq: number;

  constructor(
    readonly name: string,
    readonly uid: number,
    readonly config: StoredCollectionConfig,
    private readonly useWasm = true,
    private readonly base: CollectionBase | null = null,
    private readonly source: PointSource | null = null,
  ) {
    const vectors = config.vectors;
    const isSingle = typeof vectors === "object" && vectors !== null && "size" in vectors && "distance" in vectors;
    this.unnamed = isSingle;
    const quantized = quantizationOf(config.params) === "int8";
    const named: Record<string, unknown> = isSingle ? { "": vectors } : ((vectors ?? {}) as Record<string, unknown>);
    for (const [vname, raw] of Object.entries(named)) {
      const spec = parseVectorParams(vname, raw);
      if (spec.multivector) {
        const present = base?.multi.get(vname)?.present.slice() ?? new Uint8Array(0);
        this.multi.set(vname, { spec, present, rows: [], count: countOnes(present) });
      } else {
        const b = base?.dense.get(vname) ?? null;
        const present = b?.present.slice() ?? new Uint8Array(0);
        // Without a segment there is nothing to read later: start with empty matrices (floats only when not quantized).
        const matrix = b || quantized ? null : new DenseMatrix(spec.size, useWasm);
        const quant = !b && quantized ? new Int8Matrix(spec.size, useWasm) : null;
        this.dense.set(vname, { spec, quantized, present, count: countOnes(present), matrix, quant, base: b, pending: new Map() });
      }
    }
    for (const [vname, raw] of Object.entries(config.sparse_vectors ?? {})) {
      const modifier = (raw as { modifier?: unknown } | null)?.modifier;
      if (modifier !== undefined && modifier !== null && modifier !== "idf" && modifier !== "none") {
        throw formatError(`unknown variant \`${String(modifier)}\`, expected \`none\` or \`idf\``);
      }
      if (this.dense.has(vname) || this.multi.has(vname)) throw wrongInput(`Vector name "${vname}" is used by both a dense and a sparse vector`);
      this.sparse.set(vname, { spec: { kind: "sparse", idf: modifier === "idf" }, store: new SparseStore(base?.sparse.get(vname) ?? null) });
    }
    this.baseSeq = base?.seq ?? 0;
    if (base) {
      this.highWater = base.slots;
      this.live = base.live.slice();
      this.liveCount = countOnes(this.live);
      this.versions = base.versions.slice();
      for (let s = 0; s < base.slots; s++) if (this.live[s] === 1) this.operation = Math.max(this.operation, this.versions[s] as number);
    }
    for (const field of Object.keys(config.payload_schema)) this.indexField(field, true);
  }

  get pointsCount(): number {
    return this.liveCount;
  }

  /** The id of a live slot. */
  idOf(slot: number): PointId {
    let id = this.idCache[slot];
    if (id === undefined) this.idCache[slot] = id = this.base!.idAt(slot);
    return id;
  }

  isLive(slot: number): boolean {
    return this.live[slot] === 1;
  }

  versionOf(slot: number): number {
    return this.versions[slot] as number;
  }

  private setVersion(slot: number, version: number): void {
    if (slot >= this.versions.length) {
      const next = new Float64Array(Math.max(slot + 1, Math.ceil(this.versions.length * 1.5), 64));
      next.set(this.versions);
      this.versions = next;
    }
    this.versions[slot] = version;
  }

  /** A slot's payload: kept for points written since the segment, read from storage otherwise. */
  payloadOf(slot: number): Payload {
    let p = this.payloads[slot];
    if (p === undefined) {
      if (!this.source || !this.isLive(slot)) return EMPTY;
      this.payloads[slot] = p = this.source.payload(this.idOf(slot));
    }
    return p;
  }

  private slots(): Map<PointId, number> {
    if (!this.slotMap) {
      this.slotMap = new Map();
      for (let s = 0; s < this.highWater; s++) if (this.live[s] === 1) this.slotMap.set(this.idOf(s), s);
    }
    return this.slotMap;
  }

  slot(id: PointId): number | undefined {
    return this.slots().get(id);
  }

  /** Iterates live slots in slot order. */
  *liveSlots(): Generator<number> {
    for (let s = 0; s < this.highWater; s++) if (this.live[s] === 1) yield s;
  }

  compareSlots = (a: number, b: number): number => compareIds(this.idOf(a), this.idOf(b));

  /**
   * Starts keeping a payload-index column for a field: at open from the segment (changes since come
   * through setPayload), else from the payloads (a segment's column may predate their changes).
   */
  indexField(field: string, atOpen = false): void {
    if (this.columns.has(field)) return;
    const encoded = atOpen ? this.base?.columns.get(field) : undefined;
    const column = encoded ? new Column(field, encoded) : Column.empty(field);
    for (let s = encoded ? this.base!.slots : 0; s < this.highWater; s++) if (this.live[s] === 1) column.set(s, this.payloadOf(s));
    this.columns.set(field, column);
  }

  dropField(field: string): void {
    this.columns.delete(field);
  }

  hasVector(slot: number, name: string): boolean {
    const d = this.dense.get(name);
    if (d) return d.present[slot] === 1;
    const m = this.multi.get(name);
    if (m) return m.present[slot] === 1;
    const s = this.sparse.get(name);
    if (s) return s.store.has(slot);
    return false;
  }

  /** One reusable target for filter evaluation (filters are synchronous and never keep it). */
  private readonly probe = ((c: Collection) => {
    const probe = {
      slot: 0,
      get payload(): Payload {
        return c.payloadOf(probe.slot);
      },
      get id(): PointId {
        return c.idOf(probe.slot);
      },
      hasVector: (n: string) => c.hasVector(probe.slot, n),
      indexed: (key: string, m: (value: unknown) => boolean) => c.columns.get(key)?.any(probe.slot, m),
    };
    return probe;
  })(this);

  matches(slot: number, predicate: Predicate | null): boolean {
    if (predicate === null) return true;
    this.probe.slot = slot;
    return predicate(this.probe);
  }

  vectorNames(): string[] {
    return [...this.dense.keys(), ...this.multi.keys(), ...this.sparse.keys()];
  }

  /** The float rows of a dense vector, read from the segment on first use. */
  denseMatrix(name: string): DenseMatrix {
    const e = this.dense.get(name)!;
    if (!e.matrix) {
      const m = new DenseMatrix(e.spec.size, this.useWasm);
      m.ensure(Math.max(1, this.highWater));
      e.base?.loadInto(m);
      applyPending(e, m);
      e.matrix = m;
      if (!needsPending(e)) e.pending.clear();
    }
    return e.matrix;
  }

  /** The int8 rows of a quantized dense vector, read from the segment on first use. */
  quantMatrix(name: string): Int8Matrix | null {
    const e = this.dense.get(name)!;
    if (!e.quantized) return null;
    if (!e.quant) {
      const m = new Int8Matrix(e.spec.size, this.useWasm);
      m.ensure(Math.max(1, this.highWater));
      e.base?.loadQuantized?.(m);
      if (e.base && !e.base.loadQuantized) {
        // a segment written before quantization: quantize its rows (later rows are in pending)
        const rows = Math.min(this.highWater, this.base!.slots);
        for (let s = 0; s < rows; s++) if (e.present[s] === 1 && !e.pending.has(s)) m.setRow(s, e.base.row(s));
      }
      applyPending(e, m);
      e.quant = m;
      if (!needsPending(e)) e.pending.clear();
    }
    return e.quant;
  }

  /** One exact dense row, without reading the whole matrix. */
  denseRow(slot: number, name: string): Float32Array | undefined {
    const e = this.dense.get(name)!;
    if (e.present[slot] !== 1) return undefined;
    const pending = e.pending.get(slot);
    if (pending) return pending;
    if (e.matrix) return e.matrix.row(slot);
    return e.base?.row(slot);
  }

  /** A multivector's rows (read from storage for points from the segment). */
  multiRow(slot: number, name: string): { data: Float32Array; count: number } | undefined {
    const e = this.multi.get(name)!;
    if (e.present[slot] !== 1) return undefined;
    let row = e.rows[slot];
    if (!row && this.source) {
      const v = this.source.vectors(this.idOf(slot)).get(name);
      if (v?.kind === "multi") e.rows[slot] = row = { data: v.data, count: v.count };
    }
    return row;
  }

  /** Validates one point's vectors and turns them into stored form (Cosine normalised, sparse sorted). */
  prepareVectors(raw: unknown): Map<string, StoredVector> {
    const out = new Map<string, StoredVector>();
    if (raw === undefined || raw === null) return out;
    let named: Record<string, unknown>;
    if (Array.isArray(raw)) named = { "": raw };
    else if (typeof raw === "object") {
      const r = raw as Record<string, unknown>;
      if ("model" in r && ("text" in r || "image" in r || "object" in r)) {
        throw new UnsupportedFeatureError("server-side inference (Document / Image objects) in the embedded store", "Embed on the client, or set QDRANT_URL.");
      }
      named = r;
    } else throw formatError("vector must be a list of numbers or an object of named vectors");
    for (const [name, value] of Object.entries(named)) {
      if (value === undefined) continue;
      out.set(name, this.prepareOne(name, value));
    }
    return out;
  }

  prepareOne(name: string, value: unknown): StoredVector {
    const d = this.dense.get(name);
    const m = this.multi.get(name);
    const s = this.sparse.get(name);
    if (!d && !m && !s) throw wrongInput(`Not existing vector name error: ${name}`);
    if (s) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrongInput(`Conversion between sparse and regular vectors failed`);
      return { kind: "sparse", row: toSparseRow(value as { indices: unknown; values: unknown }, (msg) => wrongInput(msg)) };
    }
    if (!Array.isArray(value)) throw wrongInput(`Conversion between sparse and regular vectors failed`);
    const spec = (d ?? m)!.spec;
    if (m) {
      if (value.length === 0 || !value.every(Array.isArray)) throw wrongInput("Conversion between multi and regular vectors failed");
      const count = value.length;
      const data = new Float32Array(count * spec.size);
      (value as unknown[][]).forEach((sub, i) => {
        checkDense(sub, spec.size);
        data.set(sub as number[], i * spec.size);
        if (spec.distance === "Cosine") normalizeInPlace(data, i * spec.size, (i + 1) * spec.size);
      });
      return { kind: "multi", data, count };
    }
    if (value.length > 0 && Array.isArray(value[0])) throw wrongInput("Conversion between multi and regular vectors failed");
    checkDense(value, spec.size);
    const data = new Float32Array(value as number[]);
    if (spec.distance === "Cosine") normalizeInPlace(data);
    return { kind: "dense", data };
  }

  /** Applies a validated upsert (replaces the whole point, like the server). */
  applyPoint(point: Omit<PreparedPoint, "vectors"> & { vectors: ReadonlyMap<string, LoadedVector> }, version: number): void {
    let slot = this.slot(point.id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.highWater++;
      this.slots().set(point.id, slot);
      this.idCache[slot] = point.id;
      this.live = grown(this.live, slot + 1);
      this.live[slot] = 1;
      this.liveCount++;
    } else {
      this.clearVectors(slot);
    }
    this.setPayload(slot, point.payload);
    this.setVersion(slot, version);
    this.operation = Math.max(this.operation, version);
    for (const [name, v] of point.vectors) this.setVector(slot, name, v);
  }

  /** Replaces a slot's payload (and its payload-index values). */
  setPayload(slot: number, payload: Payload, version?: number): void {
    this.payloads[slot] = payload;
    for (const column of this.columns.values()) column.set(slot, payload);
    if (version !== undefined) this.setVersion(slot, version);
  }

  setVector(slot: number, name: string, v: LoadedVector): void {
    if (v.kind === "dense" || v.kind === "dense-bytes") {
      const e = this.dense.get(name)!;
      e.present = grown(e.present, slot + 1);
      if (e.present[slot] !== 1) e.count++;
      e.present[slot] = 1;
      if (v.kind === "dense-bytes" && e.matrix && !e.quantized) {
        e.matrix.setRowBytes(slot, v.bytes); // the common load path: one copy, straight into the matrix
        return;
      }
      const data = v.kind === "dense" ? v.data : floatsOf(v.bytes);
      if (needsPending(e)) e.pending.set(slot, data);
      e.matrix?.setRow(slot, data);
      e.quant?.setRow(slot, data);
    } else if (v.kind === "multi") {
      const e = this.multi.get(name)!;
      e.present = grown(e.present, slot + 1);
      if (e.present[slot] !== 1) e.count++;
      e.present[slot] = 1;
      e.rows[slot] = { data: v.data, count: v.count };
    } else {
      this.sparse.get(name)!.store.set(slot, v.row);
    }
  }

  removeVector(slot: number, name: string): void {
    const d = this.dense.get(name);
    if (d && d.present[slot] === 1) {
      d.present[slot] = 0;
      d.count--;
      if (needsPending(d)) d.pending.set(slot, null);
      d.matrix?.clearRow(slot);
      d.quant?.clearRow(slot);
    }
    const m = this.multi.get(name);
    if (m && m.present[slot] === 1) {
      m.present[slot] = 0;
      m.rows[slot] = undefined;
      m.count--;
    }
    this.sparse.get(name)?.store.remove(slot);
  }

  private clearVectors(slot: number): void {
    for (const name of this.vectorNames()) this.removeVector(slot, name);
  }

  deletePoint(id: PointId): boolean {
    const slot = this.slot(id);
    if (slot === undefined) return false;
    this.clearVectors(slot);
    this.slots().delete(id);
    this.idCache[slot] = undefined;
    this.live[slot] = 0;
    this.liveCount--;
    this.payloads[slot] = undefined;
    for (const column of this.columns.values()) column.set(slot, undefined);
    this.free.push(slot);
    return true;
  }

  /** Stored vectors of a slot (for persistence and with_vector). */
  storedVectors(slot: number): Map<string, StoredVector> {
    const out = new Map<string, StoredVector>();
    for (const name of this.dense.keys()) {
      const data = this.denseRow(slot, name);
      if (data) out.set(name, { kind: "dense", data });
    }
    for (const name of this.multi.keys()) {
      const row = this.multiRow(slot, name);
      if (row) out.set(name, { kind: "multi", data: row.data, count: row.count });
    }
    for (const [name, e] of this.sparse) {
      const row = e.store.get(slot);
      if (row) out.set(name, { kind: "sparse", row });
    }
    return out;
  }

  /** The `vector` field of a returned point, as the server shapes it. */
  vectorOutput(slot: number, withVector: unknown): unknown {
    if (withVector === undefined || withVector === null || withVector === false) return undefined;
    let names: string[] | null = null;
    if (Array.isArray(withVector)) names = withVector.map(String);
    else if (withVector !== true) throw formatError("with_vector must be a bool or a list of vector names");
    const stored = this.storedVectors(slot);
    const toJson = (v: StoredVector): unknown => {
      if (v.kind === "dense") return Array.from(v.data);
      if (v.kind === "sparse") return { indices: Array.from(v.row.indices), values: Array.from(v.row.values) };
      const size = v.data.length / v.count;
      const rows: number[][] = [];
      for (let i = 0; i < v.count; i++) rows.push(Array.from(v.data.subarray(i * size, (i + 1) * size)));
      return rows;
    };
    const onlyDefault = this.unnamed && this.sparse.size === 0;
    if (onlyDefault) {
      if (names && !names.includes("")) return undefined;
      const v = stored.get("");
      return v ? toJson(v) : undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [name, v] of stored) if (!names || names.includes(name)) out[name] = toJson(v);
    return out;
  }

  /** Throws when a background check found the segment damaged (the store then reads the records). */
  assertIntact(): void {
    this.base?.assertIntact();
  }

  /** Releases the segment file this collection reads from. */
  close(): void {
    this.base?.close();
  }
}

/** Stored float32 bytes as a Float32Array (copied: the bytes may be a view of a read buffer). */
export function floatsOf(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

const EMPTY: Payload = Object.freeze({}) as Payload;

/** A dense vector of `size` finite numbers, else the server's 400. */
export function checkDense(value: unknown[], size: number): void {
  if (value.length !== size) throw wrongInput(`Vector dimension error: expected dim: ${size}, got ${value.length}`);
  for (const x of value) if (typeof x !== "number" || !Number.isFinite(x)) throw formatError(`invalid vector component ${JSON.stringify(x)}`);
}

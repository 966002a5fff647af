/**
 * In-memory state of one collection: points live in slots; every named vector keeps its rows by
 * slot (dense rows in one typed array, multivectors and sparse vectors per slot); deleted slots
 * are reused (free list).
 */
import { DenseMatrix } from "./dense.js";
import { wrongInput, formatError } from "./errors.js";
import { compareIds, type PointId } from "./ids.js";
import type { Payload, Predicate } from "./filter.js";
import { Metric } from "./kernels.js";
import { SparseStore, toSparseRow, type SparseRow } from "./sparse.js";
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

interface DenseEntry {
  spec: DenseSpec;
  matrix: DenseMatrix;
  present: Uint8Array;
  count: number;
}
interface MultiEntry {
  spec: DenseSpec;
  rows: Array<Float32Array | undefined>;
  counts: number[];
  count: number;
}
interface SparseEntry {
  spec: SparseSpec;
  store: SparseStore;
}

export class Collection {
  readonly dense = new Map<string, DenseEntry>();
  readonly multi = new Map<string, MultiEntry>();
  readonly sparse = new Map<string, SparseEntry>();
  /** true when `vectors` is a single unnamed VectorParams */
  readonly unnamed: boolean;

  private readonly slotOf = new Map<PointId, number>();
  readonly ids: Array<PointId | undefined> = [];
  readonly payloads: Array<Payload | undefined> = [];
  readonly versions: number[] = [];
  private readonly free: number[] = [];
  /** number of slots ever used (rows [0, highWater) may be scored) */
  highWater = 0;
  /** last operation id */
  operation = 0;

  constructor(
    readonly name: string,
    readonly uid: number,
    readonly config: StoredCollectionConfig,
    useWasm = true,
  ) {
    const vectors = config.vectors;
    const isSingle = typeof vectors === "object" && vectors !== null && "size" in vectors && "distance" in vectors;
    this.unnamed = isSingle;
    const named: Record<string, unknown> = isSingle ? { "": vectors } : ((vectors ?? {}) as Record<string, unknown>);
    for (const [vname, raw] of Object.entries(named)) {
      const spec = parseVectorParams(vname, raw);
      if (spec.multivector) this.multi.set(vname, { spec, rows: [], counts: [], count: 0 });
      else this.dense.set(vname, { spec, matrix: new DenseMatrix(spec.size, useWasm), present: new Uint8Array(0), count: 0 });
    }
    for (const [vname, raw] of Object.entries(config.sparse_vectors ?? {})) {
      const modifier = (raw as { modifier?: unknown } | null)?.modifier;
      if (modifier !== undefined && modifier !== null && modifier !== "idf" && modifier !== "none") {
        throw formatError(`unknown variant \`${String(modifier)}\`, expected \`none\` or \`idf\``);
      }
      if (this.dense.has(vname) || this.multi.has(vname)) throw wrongInput(`Vector name "${vname}" is used by both a dense and a sparse vector`);
      this.sparse.set(vname, { spec: { kind: "sparse", idf: modifier === "idf" }, store: new SparseStore() });
    }
  }

  get pointsCount(): number {
    return this.slotOf.size;
  }

  slot(id: PointId): number | undefined {
    return this.slotOf.get(id);
  }

  /** Iterates live slots in slot order. */
  *liveSlots(): Generator<number> {
    for (let s = 0; s < this.highWater; s++) if (this.ids[s] !== undefined) yield s;
  }

  compareSlots = (a: number, b: number): number => compareIds(this.ids[a] as PointId, this.ids[b] as PointId);

  hasVector(slot: number, name: string): boolean {
    const d = this.dense.get(name);
    if (d) return d.present[slot] === 1;
    const m = this.multi.get(name);
    if (m) return m.rows[slot] !== undefined;
    const s = this.sparse.get(name);
    if (s) return s.store.has(slot);
    return false;
  }

  /** One reusable target for filter evaluation (filters are synchronous and never keep it). */
  private readonly probe = (() => {
    const probe = { slot: 0, payload: {} as Payload, id: 0 as PointId, hasVector: (n: string) => this.hasVector(probe.slot, n) };
    return probe;
  })();

  matches(slot: number, predicate: Predicate | null): boolean {
    if (predicate === null) return true;
    const probe = this.probe;
    probe.slot = slot;
    probe.payload = this.payloads[slot] ?? EMPTY;
    probe.id = this.ids[slot] as PointId;
    return predicate(probe);
  }

  vectorNames(): string[] {
    return [...this.dense.keys(), ...this.multi.keys(), ...this.sparse.keys()];
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
    let slot = this.slotOf.get(point.id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.highWater++;
      this.slotOf.set(point.id, slot);
      this.ids[slot] = point.id;
    } else {
      this.clearVectors(slot);
    }
    this.payloads[slot] = point.payload;
    this.versions[slot] = version;
    for (const [name, v] of point.vectors) this.setVector(slot, name, v);
  }

  setVector(slot: number, name: string, v: LoadedVector): void {
    if (v.kind === "dense" || v.kind === "dense-bytes") {
      const e = this.dense.get(name)!;
      e.matrix.ensure(slot + 1);
      if (e.present.length < e.matrix.rowsCapacity) {
        const p = new Uint8Array(e.matrix.rowsCapacity);
        p.set(e.present);
        e.present = p;
      }
      if (e.present[slot] !== 1) e.count++;
      if (v.kind === "dense") e.matrix.setRow(slot, v.data);
      else e.matrix.setRowBytes(slot, v.bytes);
      e.present[slot] = 1;
    } else if (v.kind === "multi") {
      const e = this.multi.get(name)!;
      if (e.rows[slot] === undefined) e.count++;
      e.rows[slot] = v.data;
      e.counts[slot] = v.count;
    } else {
      this.sparse.get(name)!.store.set(slot, v.row);
    }
  }

  removeVector(slot: number, name: string): void {
    const d = this.dense.get(name);
    if (d && d.present[slot] === 1) {
      d.present[slot] = 0;
      d.count--;
      d.matrix.clearRow(slot);
    }
    const m = this.multi.get(name);
    if (m && m.rows[slot] !== undefined) {
      m.rows[slot] = undefined;
      m.count--;
    }
    this.sparse.get(name)?.store.remove(slot);
  }

  private clearVectors(slot: number): void {
    for (const name of this.vectorNames()) this.removeVector(slot, name);
  }

  deletePoint(id: PointId): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.clearVectors(slot);
    this.slotOf.delete(id);
    this.ids[slot] = undefined;
    this.payloads[slot] = undefined;
    this.free.push(slot);
    return true;
  }

  /** Stored vectors of a slot (for persistence and with_vector). */
  storedVectors(slot: number): Map<string, StoredVector> {
    const out = new Map<string, StoredVector>();
    for (const [name, e] of this.dense) if (e.present[slot] === 1) out.set(name, { kind: "dense", data: e.matrix.row(slot) });
    for (const [name, e] of this.multi) {
      const data = e.rows[slot];
      if (data) out.set(name, { kind: "multi", data, count: e.counts[slot] as number });
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
}

const EMPTY: Payload = Object.freeze({}) as Payload;

/** A dense vector of `size` finite numbers, else the server's 400. */
export function checkDense(value: unknown[], size: number): void {
  if (value.length !== size) throw wrongInput(`Vector dimension error: expected dim: ${size}, got ${value.length}`);
  for (const x of value) if (typeof x !== "number" || !Number.isFinite(x)) throw formatError(`invalid vector component ${JSON.stringify(x)}`);
}

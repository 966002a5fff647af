/**
 * Persistence in LMDB (ACID, memory-mapped, crash-safe): one record per collection and one per
 * point, written in a single transaction per operation. A write is acknowledged only after its
 * transaction has committed (and, with `durable`, been synced to disk), so a killed process loses
 * no acknowledged write and never leaves a half-written operation.
 */
import { open, type Database, type RootDatabase } from "lmdb";
import type { PointId } from "./ids.js";
import type { Payload } from "./filter.js";
import type { LoadedVector, StoredCollectionConfig, StoredVector } from "./collection.js";

export interface CollectionRecord {
  name: string;
  uid: number;
  config: StoredCollectionConfig;
}

type VectorRecord = Uint8Array | { i: Uint8Array; v: Uint8Array } | { m: number; d: Uint8Array };

interface PointRecord {
  id: PointId;
  p: Payload;
  v: number;
  x: Record<string, VectorRecord>;
}

export interface LoadedPoint {
  id: PointId;
  payload: Payload;
  version: number;
  /** Dense rows are the stored bytes, which may be a view of LMDB's read buffer: use them before reading the next point. */
  vectors: Map<string, LoadedVector>;
}

function bytes(a: Float32Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
function floats(b: Uint8Array): Float32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}
function uints(b: Uint8Array): Uint32Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Uint32Array(copy.buffer);
}

export class Storage {
  private readonly root: RootDatabase;
  private readonly collections: Database<CollectionRecord, string>;
  private readonly points: Database<PointRecord, [number, PointId]>;

  constructor(dir: string) {
    this.root = open({ path: dir, compression: false });
    this.collections = this.root.openDB<CollectionRecord, string>({ name: "collections" });
    this.points = this.root.openDB<PointRecord, [number, PointId]>({ name: "points" });
  }

  loadCollections(): CollectionRecord[] {
    return [...this.collections.getRange({})].map(({ value }) => value);
  }

  *loadPoints(uid: number): Generator<LoadedPoint> {
    for (const { value } of this.points.getRange({ start: [uid], end: [uid + 1] })) {
      const vectors = new Map<string, LoadedVector>();
      for (const [name, r] of Object.entries(value.x ?? {})) {
        if (r instanceof Uint8Array) vectors.set(name, { kind: "dense-bytes", bytes: r });
        else if ("m" in r) vectors.set(name, { kind: "multi", count: r.m, data: floats(r.d) });
        else vectors.set(name, { kind: "sparse", row: { indices: uints(r.i), values: floats(r.v) } });
      }
      yield { id: value.id, payload: value.p ?? {}, version: value.v, vectors };
    }
  }

  private async commit(action: () => void, durable: boolean): Promise<void> {
    await this.root.transaction(action);
    if (durable) await this.root.flushed;
  }

  putCollection(record: CollectionRecord): Promise<void> {
    return this.commit(() => void this.collections.put(record.name, record), true);
  }

  async deleteCollection(name: string, uid: number): Promise<void> {
    await this.commit(() => {
      void this.collections.remove(name);
      for (const key of this.points.getKeys({ start: [uid], end: [uid + 1] })) void this.points.remove(key);
    }, true);
  }

  writePoints(uid: number, points: Array<{ id: PointId; payload: Payload; version: number; vectors: Map<string, StoredVector> }>, durable = true): Promise<void> {
    return this.commit(() => {
      for (const pt of points) {
        const x: Record<string, VectorRecord> = {};
        for (const [name, v] of pt.vectors) {
          if (v.kind === "dense") x[name] = bytes(v.data);
          else if (v.kind === "multi") x[name] = { m: v.count, d: bytes(v.data) };
          else x[name] = { i: bytes(v.row.indices), v: bytes(v.row.values) };
        }
        void this.points.put([uid, pt.id], { id: pt.id, p: pt.payload, v: pt.version, x });
      }
    }, durable);
  }

  /** Rewrites only payload and version, keeping stored vectors. */
  updatePayloads(uid: number, updates: Array<{ id: PointId; payload: Payload; version: number }>, durable = true): Promise<void> {
    return this.commit(() => {
      for (const u of updates) {
        const rec = this.points.get([uid, u.id]);
        if (rec) void this.points.put([uid, u.id], { ...rec, p: u.payload, v: u.version });
      }
    }, durable);
  }

  deletePoints(uid: number, ids: PointId[], durable = true): Promise<void> {
    return this.commit(() => {
      for (const id of ids) void this.points.remove([uid, id]);
    }, durable);
  }

  async close(): Promise<void> {
    await this.root.flushed;
    await this.root.close();
  }
}

/**
 * Persistence in LMDB (ACID, memory-mapped, multi-process): one record per collection and one per
 * point, plus a commit log. Every write is one synchronous LMDB write transaction, which LMDB
 * serializes across processes; it bumps the store's commit sequence and logs which collection and
 * points it touched, so other processes can catch up by reading only what changed. A write is
 * acknowledged only after its transaction has committed (and, with `durable`, been synced to
 * disk), so a killed process loses no acknowledged write and never leaves a half-written operation.
 */
import fs from "node:fs";
import path from "node:path";
import { open, type Database, type RootDatabase, type Transaction } from "lmdb";
import { StoreError } from "../../errors.js";
import type { PointId } from "./ids.js";
import type { Payload } from "./filter.js";
import type { LoadedVector, StoredCollectionConfig, StoredVector } from "./collection.js";

export interface SegmentRef {
  file: string;
  seq: number;
}

export interface CollectionRecord {
  name: string;
  uid: number;
  config: StoredCollectionConfig;
  /** the collection's current segment file (a name inside the segments folder) */
  segment?: SegmentRef | null;
}

type VectorRecord = Uint8Array | { i: Uint8Array; v: Uint8Array } | { m: number; d: Uint8Array };

interface PointRecord {
  id: PointId;
  p: Payload;
  v: number;
  x: Record<string, VectorRecord>;
}

/** What one commit changed: some points of collection `u`, or (c) the collection itself. */
export interface LogEntry {
  u: number;
  ids?: PointId[];
  c?: true;
}

export interface LoadedPoint {
  id: PointId;
  payload: Payload;
  version: number;
  /** Dense rows are the stored bytes, which may be a view of LMDB's read buffer: use them before reading the next point. */
  vectors: Map<string, LoadedVector>;
}

export interface PointWrite {
  id: PointId;
  payload: Payload;
  version: number;
  vectors: ReadonlyMap<string, StoredVector>;
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

function decodeVectors(x: Record<string, VectorRecord> | undefined): Map<string, LoadedVector> {
  const vectors = new Map<string, LoadedVector>();
  for (const [name, r] of Object.entries(x ?? {})) {
    if (r instanceof Uint8Array) vectors.set(name, { kind: "dense-bytes", bytes: r });
    else if ("m" in r) vectors.set(name, { kind: "multi", count: r.m, data: floats(r.d) });
    else vectors.set(name, { kind: "sparse", row: { indices: uints(r.i), values: floats(r.v) } });
  }
  return vectors;
}

function encodeVectors(vectors: ReadonlyMap<string, StoredVector>): Record<string, VectorRecord> {
  const x: Record<string, VectorRecord> = {};
  for (const [name, v] of vectors) {
    if (v.kind === "dense") x[name] = bytes(v.data);
    else if (v.kind === "multi") x[name] = { m: v.count, d: bytes(v.data) };
    else x[name] = { i: bytes(v.row.indices), v: bytes(v.row.values) };
  }
  return x;
}

/**
 * transactionSync flags: abortable, committed before it returns (so a kill loses nothing
 * acknowledged), without waiting for the disk flush (durability "flush" awaits `flushed`).
 */
const COMMIT_FLAGS = 0x1 | 0x2 | 0x10000;

const SEQ = "seq";
/** per collection, the last operation id given out (key prefix + uid) */
const OPERATION_PREFIX = "op:";
/** the last collection uid given out */
const UID_NEXT = "uidNext";
/** the oldest sequence the log still holds entries after */
const LOG_FLOOR = "logFloor";

/** The writes one commit may make; everything happens inside one LMDB write transaction. */
export interface Batch {
  /** The collection's next operation id, shared by every process (at least `atLeast`). */
  nextOperation(uid: number, atLeast: number): number;
  putPoints(uid: number, points: PointWrite[]): void;
  putPayloads(uid: number, updates: Array<{ id: PointId; payload: Payload; version: number }>): void;
  deletePoints(uid: number, ids: PointId[]): void;
  putCollection(record: CollectionRecord): void;
  deleteCollection(name: string, uid: number): void;
}

export class Storage {
  private readonly root: RootDatabase;
  private readonly collections: Database<CollectionRecord, string>;
  private readonly points: Database<PointRecord, [number, PointId]>;
  private readonly log: Database<LogEntry, number>;
  private readonly meta: Database<number, string>;

  constructor(dir: string) {
    checkDataFile(dir);
    this.root = open({ path: dir, compression: false });
    this.collections = this.root.openDB<CollectionRecord, string>({ name: "collections" });
    this.points = this.root.openDB<PointRecord, [number, PointId]>({ name: "points" });
    this.log = this.root.openDB<LogEntry, number>({ name: "log" });
    this.meta = this.root.openDB<number, string>({ name: "meta" });
  }

  /** Reads from here on see every commit made so far, by any process. */
  refresh(): void {
    this.root.resetReadTxn();
  }

  /** A consistent view of the store (pass it to the reads below); call done() when finished. */
  snapshot(): Transaction {
    this.refresh();
    return this.root.useReadTransaction();
  }

  seq(transaction?: Transaction): number {
    return this.meta.get(SEQ, transaction ? { transaction } : undefined) ?? 0;
  }

  logFloor(transaction?: Transaction): number {
    return this.meta.get(LOG_FLOOR, transaction ? { transaction } : undefined) ?? 0;
  }

  loadCollections(transaction?: Transaction): CollectionRecord[] {
    return [...this.collections.getRange(transaction ? { transaction } : {})].map(({ value }) => value);
  }

  countPoints(uid: number, transaction?: Transaction): number {
    return this.points.getKeysCount({ start: [uid], end: [uid + 1], ...(transaction ? { transaction } : {}) });
  }

  *loadPoints(uid: number, transaction?: Transaction): Generator<LoadedPoint> {
    for (const { value } of this.points.getRange({ start: [uid], end: [uid + 1], ...(transaction ? { transaction } : {}) })) {
      yield { id: value.id, payload: value.p ?? {}, version: value.v, vectors: decodeVectors(value.x) };
    }
  }

  /** One point's current record, or undefined when it is gone. */
  getPoint(uid: number, id: PointId, transaction?: Transaction): LoadedPoint | undefined {
    const value = this.points.get([uid, id], transaction ? { transaction } : undefined);
    return value ? { id: value.id, payload: value.p ?? {}, version: value.v, vectors: decodeVectors(value.x) } : undefined;
  }

  /** The next collection uid, at least `min` (inside a write transaction): uids only grow. */
  nextUid(min: number): number {
    const uid = Math.max(min, (this.meta.get(UID_NEXT) ?? 0) + 1);
    void this.meta.put(UID_NEXT, uid);
    return uid;
  }

  /** Commits in (after, upTo], oldest first. */
  *logSince(after: number, upTo: number, transaction?: Transaction): Generator<[number, LogEntry]> {
    for (const { key, value } of this.log.getRange({ start: after + 1, end: upTo + 1, ...(transaction ? { transaction } : {}) })) yield [key, value];
  }

  /**
   * Runs one commit: `prepare` sees every earlier commit of every process (LMDB's write lock is
   * held) and returns what to log; the sequence is bumped only when it wrote something.
   */
  commit<T>(prepare: (batch: Batch, seq: number) => { result: T; log: LogEntry | null }): { result: T; seq: number } {
    return this.root.transactionSync(() => {
      const seq = this.seq() + 1;
      const { result, log } = prepare(this.batch(), seq);
      if (!log) return { result, seq: seq - 1 };
      void this.log.put(seq, log);
      void this.meta.put(SEQ, seq);
      return { result, seq };
    }, COMMIT_FLAGS);
  }

  private batch(): Batch {
    return {
      nextOperation: (uid, atLeast) => {
        const key = `${OPERATION_PREFIX}${uid}`;
        const next = Math.max(atLeast, (this.meta.get(key) ?? 0) + 1);
        void this.meta.put(key, next);
        return next;
      },
      putPoints: (uid, points) => {
        for (const pt of points) void this.points.put([uid, pt.id], { id: pt.id, p: pt.payload, v: pt.version, x: encodeVectors(pt.vectors) });
      },
      putPayloads: (uid, updates) => {
        for (const u of updates) {
          const rec = this.points.get([uid, u.id]);
          if (rec) void this.points.put([uid, u.id], { ...rec, p: u.payload, v: u.version });
        }
      },
      deletePoints: (uid, ids) => {
        for (const id of ids) void this.points.remove([uid, id]);
      },
      putCollection: (record) => {
        // A config change keeps the collection's segment (it still holds the same points).
        const current = this.collections.get(record.name);
        const segment = record.segment !== undefined ? record.segment : current && current.uid === record.uid ? (current.segment ?? null) : null;
        void this.collections.put(record.name, { ...record, segment });
      },
      deleteCollection: (name, uid) => {
        void this.collections.remove(name);
        for (const key of this.points.getKeys({ start: [uid], end: [uid + 1] })) void this.points.remove(key);
      },
    };
  }

  /** Records a collection's new segment, unless a newer one is there already; returns the one it replaced. */
  registerSegment(name: string, uid: number, segment: SegmentRef): { replaced: SegmentRef | null; accepted: boolean } {
    return this.root.transactionSync(() => {
      const record = this.collections.get(name);
      if (!record || record.uid !== uid) return { replaced: null, accepted: false };
      const current = record.segment ?? null;
      if (current && current.seq >= segment.seq) return { replaced: null, accepted: false };
      void this.collections.put(name, { ...record, segment });
      return { replaced: current, accepted: true };
    }, COMMIT_FLAGS);
  }

  /** Drops log entries up to `seq` (readers behind it reload from a segment). */
  pruneLog(seq: number): void {
    this.root.transactionSync(() => {
      if (this.logFloor() >= seq) return;
      for (const key of this.log.getKeys({ end: seq + 1 })) void this.log.remove(key);
      void this.meta.put(LOG_FLOOR, seq);
    }, COMMIT_FLAGS);
  }

  /** Waits until every commit so far is on disk. */
  async flushed(): Promise<void> {
    await this.root.flushed;
  }

  async close(): Promise<void> {
    await this.root.flushed;
    await this.root.close();
  }
}

/** LMDB's meta page fields (lmdb-js 3.x, 64-bit): magic and version at +24, page size at +48, last page and txn id at +144. */
const META = { magic: 24, version: 28, pageSize: 48, lastPage: 144, txnId: 152, MAGIC: 0xbeefc0de, VERSION: 2 } as const;

/**
 * Checks data.mdb before LMDB maps it: LMDB trusts its meta pages, and a file that was cut short or
 * overwritten crashes the whole process (SIGSEGV, SIGBUS) instead of failing.
 */
function checkDataFile(dir: string): void {
  const file = path.join(dir, "data.mdb");
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return; // a new store
  }
  const damaged = (why: string): StoreError =>
    new StoreError(
      `The embedded store's database file ${file} is damaged (${why}).`,
      `Restore ${dir} from a backup, or delete that folder and ingest again (\`folio reset\` cannot open a damaged store).`,
    );
  const head = Buffer.alloc(Math.min(size, 2 * 65536));
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, head, 0, head.byteLength, 0);
  } finally {
    fs.closeSync(fd);
  }
  const metaAt = (offset: number): { lastPage: number; txnId: number; pageSize: number } | null => {
    if (offset + META.txnId + 8 > head.byteLength) return null;
    if (head.readUInt32LE(offset + META.magic) !== META.MAGIC || head.readUInt32LE(offset + META.version) !== META.VERSION) return null;
    return { pageSize: head.readUInt32LE(offset + META.pageSize), lastPage: Number(head.readBigUInt64LE(offset + META.lastPage)), txnId: Number(head.readBigUInt64LE(offset + META.txnId)) };
  };
  const first = metaAt(0);
  if (!first || first.pageSize < 512 || first.pageSize > 65536) throw damaged("its first meta page is not LMDB's");
  const metas = [first, metaAt(first.pageSize)].filter((m): m is NonNullable<typeof m> => m !== null);
  const newest = metas.reduce((a, b) => (b.txnId > a.txnId ? b : a));
  if (size < (newest.lastPage + 1) * first.pageSize) throw damaged(`it ends at ${size} bytes, before its last page`);
}

/**
 * The collections one process sees, kept in step with the store on disk. Opening reads each
 * collection's segment (or, when it has none, its points) and then the commits logged since.
 * Before every call the process catches up with commits other processes made: it reads the
 * commit log from its own sequence on and re-reads only the points named there. Writes run
 * inside one LMDB write transaction that first catches up, so every process applies them in the
 * same order. Compaction writes a new segment from a read snapshot and prunes the log.
 */
import fs from "node:fs";
import path from "node:path";
import type { Transaction } from "lmdb";
import { errorMessage, FolioError, StoreError } from "../../errors.js";
import { Collection, type PointSource } from "./collection.js";
import { LocalQdrantApiError } from "./errors.js";
import { processRuns } from "./lock.js";
import { SegmentCorruptError } from "./segment.js";
import { readSnapshot, writeSnapshot } from "./snapshot.js";
import { Storage, type Batch, type CollectionRecord, type LogEntry } from "./storage.js";
import type { PointId } from "./ids.js";

export interface StoreStateOptions {
  /** folder of the store, or null for a store that lives only in this process */
  dir: string | null;
  wasm: boolean;
  flush: boolean;
  onWarning: (message: string) => void;
}

/** When a collection's segment is rewritten: after this many changed points, or this share of its points. */
export const COMPACTION = {
  /** at close of a process that wrote */
  changes: 5_000,
  ratio: 0.05,
  /**
   * during a long run of writes (a large ingest), so a killed run does not leave a huge log: at
   * least this many changes and half the collection, so segments grow geometrically and a
   * growing store is rewritten about twice in all, not once per fixed step
   */
  inlineChanges: 50_000,
  inlineRatio: 0.5,
  /** a reader that had to read every point of a collection writes its segment (old stores) from this size */
  migratePoints: 1_000,
} as const;

const SEGMENTS = "segments";
/** Opening retries when a compaction in another process replaced a segment file meanwhile. */
const OPEN_ATTEMPTS = 5;

interface Tracked {
  /** points changed since the collection's segment */
  changes: number;
  /** whether this process wrote to it */
  wrote: boolean;
}

/** errno values lmdb-js reports as numbers: EIO (a write cut short at the disk's or file's end), EFBIG, ENOSPC. */
const DISK_FULL_ERRNOS = new Set([5, 27, 28]);

/** Turns a failed disk write into an error that says what to do. */
export function storageWriteError(dir: string, error: unknown): StoreError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = errorMessage(error).split("\n")[0] ?? "";
  if (code === "ENOSPC" || code === "EFBIG" || code === "EIO" || (typeof code === "number" && DISK_FULL_ERRNOS.has(code)) || /No space left|File too large|Input\/output error|MDB_MAP_FULL/i.test(message)) {
    return new StoreError(
      `The embedded store at ${dir} could not write: the disk is full or the file is too large (${message}).`,
      "Free disk space (or raise the file-size limit), then run the command again: nothing acknowledged was lost.",
      error,
    );
  }
  return new StoreError(`The embedded store at ${dir} could not write: ${message}`, "Check the folder's permissions and free space (FOLIO_HOME), then run the command again.", error);
}

export class StoreState {
  readonly collections = new Map<string, Collection>();
  private readonly tracked = new Map<number, Tracked>();
  private readonly storage: Storage | null;
  private readonly segmentsDir: string | null;
  private seq = 0;
  private memoryUid = 0;

  constructor(private readonly options: StoreStateOptions) {
    if (options.dir === null) {
      this.storage = null;
      this.segmentsDir = null;
      return;
    }
    const dir = options.dir;
    try {
      fs.mkdirSync(path.join(dir, SEGMENTS), { recursive: true });
    } catch (e) {
      throw new StoreError(`Cannot create the store folder ${dir}.`, "Check the path and its permissions (FOLIO_HOME).", e);
    }
    this.segmentsDir = path.join(dir, SEGMENTS);
    try {
      this.storage = new Storage(dir);
      this.loadAll();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(
        `Cannot open the embedded store at ${dir}: ${errorMessage(e)}`,
        "If the folder is not a Folio store, choose another FOLIO_HOME; if it is damaged, run `folio reset --yes` and ingest again (or restore it from a backup).",
        e,
      );
    }
  }

  private get dir(): string {
    return this.options.dir ?? ":memory:";
  }

  // ------------------------------------------------------------------ reading the store

  /** Reads every collection afresh (at open, and when this process fell behind a pruned log). */
  private loadAll(inWrite = false): void {
    const storage = this.storage!;
    const loaded = this.readConsistently(inWrite, (txn) => {
      const seq = storage.seq(txn);
      const collections = new Map<string, Collection>();
      try {
        for (const record of storage.loadCollections(txn)) collections.set(record.name, this.loadCollection(record, txn, seq));
      } catch (e) {
        for (const c of collections.values()) c.close();
        throw e;
      }
      return { seq, collections };
    });
    for (const c of this.collections.values()) c.close();
    this.collections.clear();
    for (const [name, c] of loaded.collections) this.collections.set(name, c);
    this.seq = loaded.seq;
    if (!inWrite) this.migrateOldCollections();
  }

  /**
   * Runs `read` on one consistent view of the store (inside a write transaction its own view is
   * the latest; elsewhere a read snapshot), again when a compaction in another process removed a
   * segment between reading its record and opening the file.
   */
  private readConsistently<T>(inWrite: boolean, read: (txn: Transaction | undefined) => T): T {
    const storage = this.storage!;
    for (let attempt = 1; ; attempt++) {
      const txn = inWrite ? undefined : storage.snapshot();
      try {
        return read(txn);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= OPEN_ATTEMPTS) throw e;
      } finally {
        txn?.done();
      }
    }
  }

  private source(uid: number): PointSource {
    const storage = this.storage!;
    return {
      payload: (id) => storage.getPoint(uid, id)?.payload ?? {},
      vectors: (id) => storage.getPoint(uid, id)?.vectors ?? new Map(),
    };
  }

  /** One collection: its segment plus the commits since, or every point when it has no usable segment. */
  private loadCollection(record: CollectionRecord, txn: Transaction | undefined, seq: number): Collection {
    const storage = this.storage!;
    const source = this.source(record.uid);
    const segment = record.segment ?? null;
    if (segment && segment.seq <= seq && storage.logFloor(txn) <= segment.seq) {
      const file = path.join(this.segmentsDir!, segment.file);
      try {
        const c = new Collection(record.name, record.uid, record.config, this.options.wasm, readSnapshot(file, source), source);
        let changes = 0;
        for (const [, entry] of storage.logSince(segment.seq, seq, txn)) changes += this.applyEntry(c, entry, txn);
        this.tracked.set(record.uid, { changes, wrote: false });
        return c;
      } catch (e) {
        if (!(e instanceof SegmentCorruptError)) throw e;
        this.options.onWarning(`${e.message}; reading the collection "${record.name}" from the store's records instead (the segment is rewritten at the next compaction).`);
      }
    }
    const c = new Collection(record.name, record.uid, record.config, this.options.wasm, null, source);
    for (const p of storage.loadPoints(record.uid, txn)) c.applyPoint(p, p.version);
    this.tracked.set(record.uid, { changes: c.pointsCount, wrote: false });
    return c;
  }

  /** Re-reads the points a commit named (their current records: later commits may have changed them again). */
  private applyEntry(c: Collection, entry: LogEntry, txn?: Transaction): number {
    if (entry.u !== c.uid || !entry.ids) return 0;
    for (const id of entry.ids) {
      const p = this.storage!.getPoint(c.uid, id, txn);
      if (p) c.applyPoint(p, p.version);
      else c.deletePoint(id);
    }
    return entry.ids.length;
  }

  /**
   * Catches up with commits made since this process last looked. Inside a write transaction
   * (`inWrite`) the reads see the latest commit already; elsewhere the read view is renewed first.
   */
  sync(inWrite = false): void {
    const storage = this.storage;
    if (!storage) return;
    if (!inWrite) storage.refresh();
    const latest = storage.seq();
    if (latest === this.seq) return;
    if (this.seq < storage.logFloor()) {
      this.loadAll(inWrite);
      return;
    }
    for (const [, entry] of storage.logSince(this.seq, latest)) {
      if (entry.c) this.reconcileCollections(inWrite);
      const c = this.byUid(entry.u);
      if (!c) continue;
      const n = this.applyEntry(c, entry);
      const t = this.tracked.get(c.uid);
      if (t) t.changes += n;
    }
    this.seq = latest;
  }

  private byUid(uid: number): Collection | undefined {
    for (const c of this.collections.values()) if (c.uid === uid) return c;
    return undefined;
  }

  /** After a collection-level commit: picks up created, dropped, recreated and re-indexed collections. */
  private reconcileCollections(inWrite: boolean): void {
    const storage = this.storage!;
    const records = new Map(storage.loadCollections().map((r) => [r.name, r]));
    for (const [name, c] of this.collections) {
      const r = records.get(name);
      if (!r || r.uid !== c.uid) {
        c.close();
        this.collections.delete(name);
      }
    }
    for (const [name, r] of records) {
      const c = this.collections.get(name);
      if (!c) {
        const loaded = this.loadCurrent(name, inWrite);
        if (loaded) this.collections.set(name, loaded);
      } else if (JSON.stringify(c.config.params) !== JSON.stringify(r.config.params)) {
        this.reload(name, inWrite); // e.g. quantization turned on: the vectors are kept another way
      } else {
        for (const field of Object.keys(c.config.payload_schema)) if (!(field in r.config.payload_schema)) c.dropField(field);
        c.config.payload_schema = r.config.payload_schema;
        for (const field of Object.keys(r.config.payload_schema)) c.indexField(field);
      }
    }
  }

  /** Reads a collection again after its parameters changed (its segment, the log since, or its points). */
  reload(name: string, inWrite = false): void {
    const old = this.collections.get(name);
    if (!this.storage) {
      if (old) this.collections.set(name, rebuilt(old, this.options.wasm));
      return;
    }
    const fresh = this.loadCurrent(name, inWrite);
    old?.close();
    if (fresh) this.collections.set(name, fresh);
    else this.collections.delete(name);
  }

  /** A collection as its current record says (undefined: it is gone). */
  private loadCurrent(name: string, inWrite: boolean): Collection | undefined {
    const storage = this.storage!;
    return this.readConsistently(inWrite, (txn) => {
      const record = storage.loadCollections(txn).find((r) => r.name === name);
      return record ? this.loadCollection(record, txn, storage.seq(txn)) : undefined;
    });
  }

  // ------------------------------------------------------------------ writing

  /** A uid for a new collection (inside a write transaction: unique across processes). */
  newUid(): number {
    if (!this.storage) return ++this.memoryUid;
    // never reused: a collection dropped and made again under its name must look new to every process
    return this.storage.nextUid(Math.max(0, ...this.storage.loadCollections().map((r) => r.uid)) + 1);
  }

  /**
   * One write: `prepare` runs after catching up, inside the transaction, and returns what to log
   * and how to apply it here once committed. Nothing in memory changes if the commit fails.
   */
  write<T>(prepare: (batch: Batch) => { result: T; log: LogEntry | null; apply: () => void }): { result: T; durable: Promise<void> } {
    if (!this.storage) {
      const { result, apply } = prepare(NO_STORAGE);
      apply();
      return { result, durable: Promise.resolve() };
    }
    const storage = this.storage;
    let apply: () => void = () => undefined;
    let committed: { result: T; seq: number };
    try {
      committed = storage.commit((batch) => {
        this.sync(true);
        const out = prepare(batch);
        apply = out.apply;
        return { result: out.result, log: out.log };
      });
    } catch (e) {
      // the request's own errors pass through; what LMDB or the disk refused is said plainly
      if (e instanceof FolioError || e instanceof LocalQdrantApiError || !isIoError(e)) throw e;
      throw storageWriteError(this.dir, e);
    }
    apply();
    if (committed.seq > this.seq) this.seq = committed.seq;
    return { result: committed.result, durable: this.options.flush ? storage.flushed() : Promise.resolve() };
  }

  /** Counts changed points toward the next compaction, and compacts during long runs of writes. */
  noteWrite(c: Collection, ids: readonly PointId[]): void {
    const t = this.tracked.get(c.uid) ?? { changes: 0, wrote: false };
    t.changes += ids.length;
    t.wrote = true;
    this.tracked.set(c.uid, t);
    if (t.changes >= COMPACTION.inlineChanges && t.changes >= COMPACTION.inlineRatio * c.pointsCount) this.compact(c.name);
  }

  forget(uid: number): void {
    this.tracked.delete(uid);
  }

  // ------------------------------------------------------------------ compaction

  /** Writes a new segment for each named collection (all when none is named) that changed since its last one. */
  compact(name?: string): void {
    if (!this.storage) return;
    for (const c of [...this.collections.values()]) {
      if (name !== undefined && c.name !== name) continue;
      this.compactOne(c.name);
    }
  }

  private compactOne(name: string): void {
    const storage = this.storage!;
    const txn = storage.snapshot();
    let written: { file: string; seq: number; uid: number } | null = null;
    try {
      const record = storage.loadCollections(txn).find((r) => r.name === name);
      const seq = storage.seq(txn);
      if (!record || (record.segment && record.segment.seq >= seq && !this.damaged.has(record.segment.file))) return;
      const file = `${record.uid}-${seq}-${process.pid}.seg`;
      const tmp = path.join(this.segmentsDir!, `${file}.tmp`);
      const count = storage.countPoints(record.uid, txn);
      try {
        writeSnapshot(tmp, record.name, record.uid, seq, record.config, count, storage.loadPoints(record.uid, txn));
        fs.renameSync(tmp, path.join(this.segmentsDir!, file));
      } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw storageWriteError(this.dir, e);
      }
      written = { file, seq, uid: record.uid };
    } finally {
      txn.done();
    }
    const { replaced, accepted } = storage.registerSegment(name, written.uid, { file: written.file, seq: written.seq });
    if (!accepted) fs.rmSync(path.join(this.segmentsDir!, written.file), { force: true });
    if (replaced) fs.rmSync(path.join(this.segmentsDir!, replaced.file), { force: true });
    const t = this.tracked.get(written.uid);
    if (t && accepted) t.changes = 0;
    this.pruneLog();
    this.sweepSegments();
  }

  /** Segment files found damaged by this process: rewritten at the next compaction even when current. */
  private readonly damaged = new Set<string>();

  /** Drops log entries every collection's segment already holds. */
  private pruneLog(): void {
    const records = this.storage!.loadCollections();
    if (records.length === 0) return;
    const floor = Math.min(...records.map((r) => r.segment?.seq ?? 0));
    if (floor > 0) this.storage!.pruneLog(floor);
  }

  /** Removes segment files no collection names, left by compactions that were killed. */
  private sweepSegments(): void {
    const dir = this.segmentsDir!;
    const inUse = new Set(this.storage!.loadCollections().flatMap((r) => (r.segment ? [r.segment.file] : [])));
    for (const name of fs.readdirSync(dir)) {
      if (inUse.has(name)) continue;
      const pid = Number(/^\d+-\d+-(\d+)\.seg(\.tmp)?$/.exec(name)?.[1]);
      if (pid === process.pid || (Number.isInteger(pid) && !processRuns(pid))) fs.rmSync(path.join(dir, name), { force: true });
    }
  }

  /** Collections read point by point (no segment yet: an older store) get one, so the next open is fast. */
  private migrateOldCollections(): void {
    for (const c of this.collections.values()) {
      const t = this.tracked.get(c.uid);
      if (c.baseSeq === 0 && c.pointsCount >= COMPACTION.migratePoints && t && t.changes >= c.pointsCount) {
        try {
          this.compactOne(c.name);
        } catch (e) {
          this.options.onWarning(`Could not write a segment for "${c.name}" (${errorMessage(e)}); the store works, but opens more slowly.`);
        }
      }
    }
  }

  /**
   * Runs a read; when a segment turns out damaged while it is read (a BM25 posting, a dense
   * matrix), warns, reads that collection from the records instead and runs the read again.
   */
  recovering<T>(name: string, read: () => T): T {
    try {
      this.collections.get(name)?.assertIntact();
      return read();
    } catch (e) {
      if (!(e instanceof SegmentCorruptError) || !this.storage) throw e;
      this.damaged.add(path.basename(e.file));
      this.options.onWarning(`${e.message}; reading the collection "${name}" from the store's records instead.`);
      const storage = this.storage;
      const txn = storage.snapshot();
      try {
        const record = storage.loadCollections(txn).find((r) => r.name === name);
        if (!record) throw e;
        this.collections.get(name)?.close();
        // this.seq stays: commits since it, for other collections too, are replayed by the next sync
        this.collections.set(name, this.loadCollection({ ...record, segment: null }, txn, storage.seq(txn)));
      } finally {
        txn.done();
      }
      return read();
    }
  }

  /** Compacts what this process changed enough, then closes. */
  async close(): Promise<void> {
    if (this.storage) {
      for (const c of this.collections.values()) {
        const t = this.tracked.get(c.uid);
        if (!t?.wrote || t.changes === 0) continue;
        if (t.changes < Math.min(COMPACTION.changes, Math.max(1, COMPACTION.ratio * c.pointsCount))) continue;
        try {
          this.compactOne(c.name);
        } catch (e) {
          this.options.onWarning(`Could not compact "${c.name}" (${errorMessage(e)}); the store works, but opens more slowly until the next compaction.`);
        }
      }
    }
    for (const c of this.collections.values()) c.close();
    await this.storage?.close();
  }

  async flushed(): Promise<void> {
    await this.storage?.flushed();
  }
}

function isIoError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return (typeof code === "string" && /^E[A-Z]+$/.test(code)) || typeof code === "number" || /MDB_|No space|File too large|Input\/output/i.test(errorMessage(e));
}

/** An in-memory collection made again with its (changed) config, point by point. */
function rebuilt(old: Collection, wasm: boolean): Collection {
  const c = new Collection(old.name, old.uid, old.config, wasm);
  for (const slot of old.liveSlots()) c.applyPoint({ id: old.idOf(slot), payload: old.payloadOf(slot), vectors: old.storedVectors(slot) }, old.versionOf(slot));
  c.operation = old.operation;
  return c;
}

const NO_STORAGE: Batch = {
  // one process: the collection's own count is the whole truth
  nextOperation: (_uid, atLeast) => atLeast,
  putPoints: () => undefined,
  putPayloads: () => undefined,
  deletePoints: () => undefined,
  putCollection: () => undefined,
  deleteCollection: () => undefined,
};

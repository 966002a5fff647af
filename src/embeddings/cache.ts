/**
 * Persistent embedding cache in LMDB (transactional: a crash mid-write leaves either the old or the
 * new state, never a torn entry). Values are compact: a 12-byte header (kind, rows, columns) then
 * float32 little-endian rows, or raw packed bytes. One entry holds all rows of one result: a dense
 * vector (1 row), a multi-vector matrix, or the vectors of one late-chunked document.
 */
import { createHash, type Hash } from "node:crypto";
import fs from "node:fs";
import { open, type Database, type RootDatabase } from "lmdb";
import { floatsFromBytes, bytesFromFloats } from "./codec.js";

/** What an entry holds: float32 rows or packed bytes. */
export type StoredRows = { kind: "float"; rows: Float32Array[] } | { kind: "bytes"; rows: Uint8Array[] };
/** Rows as the cache takes and gives them: stored rows, or float rows as number[][] (getNumbers; putMany converts them). */
export type CachedRows = StoredRows | { kind: "numbers"; rows: number[][] };

const KIND_FLOAT = 1;
const KIND_BYTES = 2;
const HEADER = 12;

/**
 * The cache's key hashing: SHA-256 over each part followed by "\0". With `base`, a copy of that hash
 * (its parts already fed) is extended, so a shared prefix is hashed once.
 */
export function partsHash(parts: Iterable<string | Uint8Array>, base?: Hash): Hash {
  const hash = base ? base.copy() : createHash("sha256");
  for (const part of parts) hash.update(part).update("\u0000");
  return hash;
}

export function sha256(...parts: Array<string | Uint8Array>): string {
  return partsHash(parts).digest("hex");
}

function encodeRows(value: CachedRows): Uint8Array {
  // putMany is public: rows read back with getNumbers may be written again as they are.
  if (value.kind === "numbers") value = { kind: "float", rows: value.rows.map((row) => Float32Array.from(row)) };
  const cols = value.rows[0]?.length ?? 0;
  const width = value.kind === "float" ? cols * 4 : cols;
  const out = new Uint8Array(HEADER + value.rows.length * width);
  const view = new DataView(out.buffer);
  view.setUint32(0, value.kind === "float" ? KIND_FLOAT : KIND_BYTES, true);
  view.setUint32(4, value.rows.length, true);
  view.setUint32(8, cols, true);
  value.rows.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError("rows of one cache entry must have the same length");
    out.set(value.kind === "float" ? bytesFromFloats(row) : (row as Uint8Array), HEADER + r * width);
  });
  return out;
}

/** Undefined when the entry is not one we wrote (treated as a miss). */
function decodeRows(bytes: Uint8Array): StoredRows | undefined {
  if (bytes.byteLength < HEADER) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint32(0, true);
  const rows = view.getUint32(4, true);
  const cols = view.getUint32(8, true);
  const width = kind === KIND_FLOAT ? cols * 4 : cols;
  if ((kind !== KIND_FLOAT && kind !== KIND_BYTES) || bytes.byteLength !== HEADER + rows * width) return undefined;
  const out: Array<Float32Array | Uint8Array> = [];
  for (let r = 0; r < rows; r++) {
    const slice = bytes.subarray(HEADER + r * width, HEADER + (r + 1) * width);
    out.push(kind === KIND_FLOAT ? floatsFromBytes(slice) : Uint8Array.from(slice));
  }
  return kind === KIND_FLOAT ? { kind: "float", rows: out as Float32Array[] } : { kind: "bytes", rows: out as Uint8Array[] };
}

interface Shared {
  root: RootDatabase<Uint8Array, string>;
  refs: number;
}
// LMDB environments must be opened once per process and path.
const openDatabases = new Map<string, Shared>();

export class EmbeddingCache {
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly db: Database<Uint8Array, string>,
  ) {}

  static open(dir: string): EmbeddingCache {
    const key = fs.existsSync(dir) ? fs.realpathSync(dir) : dir;
    let shared = openDatabases.get(key);
    if (!shared) {
      fs.mkdirSync(dir, { recursive: true });
      // 16 KiB pages hold a 1024-d float32 vector (4 KiB) inline, ~3 per page, instead of two 4 KiB
      // overflow pages each: a re-run touches (and page-faults) far fewer pages.
      const root = open<Uint8Array, string>({ path: dir, encoding: "binary", compression: false, pageSize: 16_384 });
      shared = { root, refs: 0 };
      openDatabases.set(fs.realpathSync(dir), shared);
    }
    shared.refs++;
    return new EmbeddingCache(dir, shared.root);
  }

  get(key: string): CachedRows | undefined {
    const value = this.db.get(key);
    return value ? decodeRows(value) : undefined;
  }

  /**
   * Float entries straight to number[][], the hot path of a re-run. Reads LMDB's reusable buffer
   * (valid until the next get; its `length` is the value's, its byteLength the arena's) and decodes
   * it at once, so a hit allocates only the arrays it returns.
   */
  getNumbers(key: string): CachedRows | undefined {
    const fast = this.db.getBinaryFast(key);
    if (!fast || fast.length < HEADER) return undefined;
    const length = fast.length;
    const view = new DataView(fast.buffer, fast.byteOffset, length);
    if (view.getUint32(0, true) !== KIND_FLOAT) return decodeRows(Uint8Array.prototype.slice.call(fast, 0, length));
    const rows = view.getUint32(4, true);
    const cols = view.getUint32(8, true);
    if (length !== HEADER + rows * cols * 4) return undefined;
    const out: number[][] = [];
    let offset = HEADER;
    for (let r = 0; r < rows; r++) {
      const row = new Array<number>(cols);
      for (let c = 0; c < cols; c++, offset += 4) row[c] = view.getFloat32(offset, true);
      out.push(row);
    }
    return { kind: "numbers", rows: out };
  }

  /** Writes all entries in one transaction. */
  async putMany(entries: Array<[string, CachedRows]>): Promise<void> {
    if (entries.length === 0) return;
    const encoded = entries.map(([key, value]) => [key, encodeRows(value)] as const);
    await this.db.transaction(() => {
      for (const [key, value] of encoded) void this.db.put(key, value);
    });
  }

  get size(): number {
    return this.db.getCount();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const key = fs.realpathSync(this.dir);
    const shared = openDatabases.get(key);
    if (!shared) return;
    shared.refs--;
    if (shared.refs <= 0) {
      openDatabases.delete(key);
      await shared.root.close();
    }
  }
}

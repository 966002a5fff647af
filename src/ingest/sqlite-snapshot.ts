/**
 * A consistent, read-only copy of an SQLite database another program holds open (Zotero keeps
 * zotero.sqlite locked, in WAL mode): the main file and its `-wal` file are copied first, then the
 * WAL's committed frames are applied to the copy in memory, as SQLite's own recovery would, and the
 * copy is opened with sql.js (SQLite compiled to WebAssembly: no native module to build).
 *
 * WAL format (sqlite.org/fileformat.html, "The Write-Ahead Log"): a 32-byte header (magic,
 * version, page size, checkpoint sequence, two salts, checksum), then frames of a 24-byte header
 * (page number, database size in pages after a commit frame or 0, the header's salts, a checksum
 * cumulative over the header and every frame so far) and one page. Frames belong to the current
 * WAL only while their salts and checksums hold; only frames up to the last commit are committed.
 */
import { copyFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import initSqlJs, { type Database } from "sql.js";

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const WAL_MAGIC = [0x377f0682, 0x377f0683];

const WAL_VERSION = 3_007_000;

/**
 * SQLite's WAL checksum over `bytes` (a multiple of 8), continuing from `seed`: 32-bit words in the
 * byte order the magic number names (its low bit set: big-endian).
 */
function walChecksum(view: DataView, offset: number, length: number, bigEndian: boolean, seed: [number, number]): [number, number] {
  let [s0, s1] = seed;
  for (let i = offset; i < offset + length; i += 8) {
    s0 = (s0 + view.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

/**
 * The database bytes with the WAL's committed frames written over their pages. A frame counts only
 * while its salts and its cumulative checksum are right (a copy taken while the other program was
 * appending can end in a torn frame), and only frames up to the last valid commit frame are applied,
 * as SQLite's own recovery does.
 */
export function applyWal(database: Uint8Array, wal: Uint8Array): Uint8Array {
  if (wal.length < WAL_HEADER) return database;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (!WAL_MAGIC.includes(magic) || view.getUint32(4) !== WAL_VERSION) return database;
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0) return database;
  let checksum = walChecksum(view, 0, 24, bigEndian, [0, 0]);
  if (checksum[0] !== view.getUint32(24) || checksum[1] !== view.getUint32(28)) return database;
  const salt = [view.getUint32(16), view.getUint32(20)];
  const frames: Array<{ page: number; offset: number }> = [];
  let committed: { frames: number; pages: number } | undefined;
  for (let offset = WAL_HEADER; offset + FRAME_HEADER + pageSize <= wal.length; offset += FRAME_HEADER + pageSize) {
    if (view.getUint32(offset + 8) !== salt[0] || view.getUint32(offset + 12) !== salt[1]) break;
    checksum = walChecksum(view, offset, 8, bigEndian, checksum);
    checksum = walChecksum(view, offset + FRAME_HEADER, pageSize, bigEndian, checksum);
    if (checksum[0] !== view.getUint32(offset + 16) || checksum[1] !== view.getUint32(offset + 20)) break;
    frames.push({ page: view.getUint32(offset), offset: offset + FRAME_HEADER });
    const sizeAfterCommit = view.getUint32(offset + 4);
    if (sizeAfterCommit > 0) committed = { frames: frames.length, pages: sizeAfterCommit };
  }
  if (!committed) return database;
  const out = new Uint8Array(committed.pages * pageSize);
  out.set(database.subarray(0, Math.min(database.length, out.length)));
  for (const frame of frames.slice(0, committed.frames)) {
    if (frame.page <= committed.pages) out.set(wal.subarray(frame.offset, frame.offset + pageSize), (frame.page - 1) * pageSize);
  }
  return out;
}

/** A WAL-mode file opened as a rollback-journal one: the copy has no WAL beside it. */
function asRollbackJournal(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 19 && bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return bytes;
}

let sqlLoading: ReturnType<typeof initSqlJs> | undefined;
function sql(): ReturnType<typeof initSqlJs> {
  const wasm = path.join(path.dirname(createRequire(import.meta.url).resolve("sql.js")), "sql-wasm.wasm");
  sqlLoading ??= initSqlJs({ locateFile: () => wasm });
  return sqlLoading;
}

/** Opens a snapshot of the database at `file` (and its -wal file, when there is one), read-only in memory. */
export async function openSnapshot(file: string): Promise<Database> {
  // Both files are copied first, then read; a frame the other program was still writing fails its
  // checksum and is left out (the snapshot is then its last complete commit).
  const dir = await mkdtemp(path.join(os.tmpdir(), "folio-sqlite-"));
  try {
    const copy = path.join(dir, path.basename(file));
    await copyFile(file, copy);
    const wal = `${file}-wal`;
    const hasWal = (await stat(wal).catch(() => undefined))?.isFile() ?? false;
    if (hasWal) await copyFile(wal, `${copy}-wal`);
    let bytes: Uint8Array = new Uint8Array(await readFile(copy));
    if (hasWal) bytes = applyWal(bytes, new Uint8Array(await readFile(`${copy}-wal`)));
    const SQL = await sql();
    return new SQL.Database(asRollbackJournal(bytes));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

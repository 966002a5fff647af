/**
 * A consistent, read-only copy of an SQLite database another program holds open (Zotero keeps
 * zotero.sqlite locked, in WAL mode): the main file and its `-wal` file are copied first, then the
 * WAL's committed frames are applied to the copy in memory, as SQLite's own recovery would, and the
 * copy is opened with sql.js (SQLite compiled to WebAssembly: no native module to build).
 *
 * WAL format (sqlite.org/wal.html): a 32-byte header (magic, version, page size, checkpoint
 * sequence, two salts, checksums), then frames of a 24-byte header (page number, database size in
 * pages after a commit frame or 0, the header's salts, checksums) and one page. Frames belong to
 * the current WAL only while their salts match the header's; only frames up to the last commit
 * frame are committed.
 */
import { copyFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import initSqlJs, { type Database } from "sql.js";

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const WAL_MAGIC = [0x377f0682, 0x377f0683];

/** The database bytes with the WAL's committed frames written over their pages. */
export function applyWal(database: Uint8Array, wal: Uint8Array): Uint8Array {
  if (wal.length < WAL_HEADER) return database;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  if (!WAL_MAGIC.includes(view.getUint32(0))) return database;
  const pageSize = view.getUint32(8) || 65_536;
  const salt = [view.getUint32(16), view.getUint32(20)];
  const frames: Array<{ page: number; offset: number }> = [];
  let committed: { frames: number; pages: number } | undefined;
  for (let offset = WAL_HEADER; offset + FRAME_HEADER + pageSize <= wal.length; offset += FRAME_HEADER + pageSize) {
    if (view.getUint32(offset + 8) !== salt[0] || view.getUint32(offset + 12) !== salt[1]) break;
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
  // Copied before reading, so the other program's writes during the read cannot tear it.
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

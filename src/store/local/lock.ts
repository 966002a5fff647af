/**
 * The writer lock: one long run of writes (an ingest, a reset) at a time on a store folder, while
 * any number of processes read and make single writes (LMDB serializes those). The lock file
 * records pid, host, label, boot id and the process start time (Linux /proc); a lock whose
 * process is gone (killed, crashed, machine rebooted, pid reused by another program) is taken over
 * at once, so a killed process never blocks the store. A lock from another host is honoured until
 * it is older than `staleMs`. A second writer waits its turn, saying for whom, until a timeout.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { StoreLockedError } from "./errors.js";

interface LockInfo {
  pid: number;
  host: string;
  since: string;
  label?: string;
  bootId?: string;
  startTime?: string;
}

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

const bootId = readOr("/proc/sys/kernel/random/boot_id");

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), where available. */
function startTimeOf(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

/** Whether the process that wrote the lock still runs (and is the same process, not a reused pid). */
function holderRuns(holder: LockInfo): boolean {
  if (holder.bootId && bootId && holder.bootId !== bootId) return false;
  if (!processRuns(holder.pid)) return false;
  const now = startTimeOf(holder.pid);
  return !(holder.startTime && now && holder.startTime !== now);
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface WriterLockOptions {
  /** what the holder does, for the message another writer sees ("ingest") */
  label: string;
  /** how long to wait for another writer (ms) before failing with STORE_LOCKED */
  timeoutMs: number;
  /** called once when the lock is held by another process, with what to tell the user */
  onWait?: (message: string) => void;
  pollMs?: number;
  staleMs?: number;
}

/** How often a waiting writer looks again (ms). */
const POLL_MS = 200;
const STALE_MS = 60 * 60 * 1000;
/** An unreadable lock file younger than this may be one being written right now (ms). */
const UNREADABLE_GRACE_MS = 2000;

function describe(holder: LockInfo | null): string {
  if (!holder) return "a process that is starting up";
  return `the ${holder.label ?? "writer"} in pid ${holder.pid}${holder.host === os.hostname() ? "" : ` on ${holder.host}`}, since ${holder.since}`;
}

export class WriterLock {
  private released = false;
  private readonly onExit = (): void => this.release();

  private constructor(readonly file: string) {
    process.once("exit", this.onExit);
  }

  /** Takes the lock, waiting while a live process holds it. */
  static async acquire(dir: string, options: WriterLockOptions): Promise<WriterLock> {
    const file = path.join(dir, "folio-writer.lock");
    const deadline = Date.now() + options.timeoutMs;
    let told = false;
    for (;;) {
      const holder = WriterLock.tryTake(file, options);
      if (holder === "taken") return new WriterLock(file);
      if (Date.now() >= deadline) throw new StoreLockedError(dir, describe(holder));
      if (!told) {
        options.onWait?.(`waiting for ${describe(holder)} to finish writing to ${dir}`);
        told = true;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? POLL_MS));
    }
  }

  /** "taken", or who holds the lock now (null: a lock file that cannot be read yet). */
  private static tryTake(file: string, options: WriterLockOptions): "taken" | LockInfo | null {
    const me: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), label: options.label, bootId, startTime: startTimeOf(process.pid) };
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, JSON.stringify(me));
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      return "taken";
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder: LockInfo | null = null;
    let ageMs = 0;
    try {
      ageMs = Date.now() - fs.statSync(file).mtimeMs;
      holder = JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo;
    } catch {
      holder = null; // unreadable: written by a process killed mid-write, or gone meanwhile
    }
    const stale =
      holder === null
        ? ageMs > UNREADABLE_GRACE_MS
        : holder.host === me.host
          ? holder.pid !== process.pid && !holderRuns(holder)
          : ageMs > (options.staleMs ?? STALE_MS);
    if (!stale) return holder;
    fs.rmSync(file, { force: true });
    return WriterLock.tryTake(file, options);
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener("exit", this.onExit);
    try {
      const info = JSON.parse(fs.readFileSync(this.file, "utf8")) as LockInfo;
      if (info.pid === process.pid) fs.rmSync(this.file, { force: true });
    } catch {
      /* already gone */
    }
  }
}

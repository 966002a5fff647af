/**
 * One process at a time holds a store folder. The lock file records pid, host, boot id and the
 * process start time (Linux /proc); a lock whose process is gone (killed, crashed, machine
 * rebooted, pid reused by another program) is taken over at once, so a killed process never
 * blocks the store. A lock from another host is honoured until it is older than `staleMs`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { StoreLockedError } from "./errors.js";

interface LockInfo {
  pid: number;
  host: string;
  since: string;
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
  if (!alive(holder.pid)) return false;
  const now = startTimeOf(holder.pid);
  return !(holder.startTime && now && holder.startTime !== now);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class StoreLock {
  private released = false;
  private readonly onExit = (): void => this.release();

  private constructor(readonly file: string) {
    process.once("exit", this.onExit);
  }

  static acquire(dir: string, staleMs = 60 * 60 * 1000): StoreLock {
    const file = path.join(dir, "folio-store.lock");
    const me: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), bootId, startTime: startTimeOf(process.pid) };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(file, "wx");
        fs.writeSync(fd, JSON.stringify(me));
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        return new StoreLock(file);
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
          ? ageMs > 2000
          : holder.host === me.host
            ? holder.pid !== process.pid && !holderRuns(holder)
            : ageMs > staleMs;
      if (holder && holder.host === me.host && holder.pid === process.pid) {
        throw new StoreLockedError(dir, `this process (pid ${process.pid}) already has it open`);
      }
      if (!stale) {
        throw new StoreLockedError(dir, holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : "a process that is starting up");
      }
      fs.rmSync(file, { force: true });
    }
    throw new StoreLockedError(dir, "lock could not be taken after removing a stale lock");
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

/**
 * Child processes: a `folio` command (or a probe script) run to completion with its wall time and
 * peak RSS, and long-running ones (`folio serve`) started and stopped by their pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Build } from "./builds.js";
import { KiB } from "./util.js";

/** GNU time: peak RSS of the command in KiB (`-f %M`); measured by polling /proc when it is missing. */
const GNU_TIME = "/usr/bin/time";
const HAVE_GNU_TIME = fs.existsSync(GNU_TIME);
const VMHWM_POLL_MS = 10;
/** What a child never runs to: a command that outlives this is killed and reported as failed. */
export const COMMAND_TIMEOUT_MS = 10 * 60 * 1000;

/** Variables that would switch Folio to a server, real embeddings or an LLM: the benchmark is offline. */
const OFFLINE_UNSET = ["QDRANT_URL", "QDRANT_API_KEY", "JINA_API_KEY", "JINA_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "FOLIO_COLLECTION", "FOLIO_HOME", "FOLIO_DEBUG"];

export function offlineEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of OFFLINE_UNSET) delete env[name];
  return { ...env, ...extra };
}

/** An empty working directory: Folio reads `.env` from its working directory, the repo's must not leak in. */
export const NEUTRAL_CWD = fs.mkdtempSync(path.join(os.tmpdir(), "folio-bench-cwd-"));

export function removeNeutralCwd(): void {
  fs.rmSync(NEUTRAL_CWD, { recursive: true, force: true });
}

export interface Measured {
  code: number | null;
  ms: number;
  /** Peak resident set size of the process, bytes (NaN when it could not be read). */
  peakRss: number;
  stdout: string;
  stderr: string;
}

function readVmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * KiB : NaN;
  } catch {
    return NaN;
  }
}

/** Runs `node <script> ...args` to completion: wall time from spawn to exit, peak RSS, output. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = COMMAND_TIMEOUT_MS): Promise<Measured> {
  const rssFile = HAVE_GNU_TIME ? path.join(NEUTRAL_CWD, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.txt`) : null;
  const [command, argv] = rssFile ? [GNU_TIME, ["-f", "%M", "-o", rssFile, process.execPath, script, ...args]] : [process.execPath, [script, ...args]];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { cwd: NEUTRAL_CWD, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let polled = NaN;
    const poll = rssFile
      ? null
      : setInterval(() => {
          const hwm = readVmHwm(child.pid ?? 0);
          if (hwm > (polled || 0)) polled = hwm;
        }, VMHWM_POLL_MS);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let peakRss = polled;
      if (rssFile) {
        try {
          // GNU time prints "Command exited with non-zero status N" before the figure on failures.
          const lines = fs.readFileSync(rssFile, "utf8").trim().split("\n");
          peakRss = Number(lines[lines.length - 1]) * KiB;
          fs.rmSync(rssFile, { force: true });
        } catch {
          peakRss = NaN;
        }
      }
      resolve({ code, ms, peakRss, stdout, stderr });
    });
  });
}

/** `folio <args>` of a build against FOLIO_HOME=home, offline. */
export function runFolio(build: Build, home: string, args: string[], extraEnv: Record<string, string> = {}, timeoutMs?: number): Promise<Measured> {
  return runNode(build.cli, args, offlineEnv({ FOLIO_HOME: home, ...extraEnv }), timeoutMs);
}

/** A long-running `folio` command (serve): output collected, stopped with stop(). */
export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

export function startFolio(build: Build, home: string, args: string[], extraEnv: Record<string, string>): Running {
  const child = spawn(process.execPath, [build.cli, ...args], { cwd: NEUTRAL_CWD, env: offlineEnv({ FOLIO_HOME: home, ...extraEnv }), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const STOP_GRACE_MS = 10_000;
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const forced = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        const code = await exited;
        clearTimeout(forced);
        return code;
      }
      return exited;
    },
  };
}

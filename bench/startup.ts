/**
 * CLI start-up benchmark: how long `folio` commands take from spawn to exit, against bare Node.
 *
 *   npm run bench:startup [-- --runs 7] [-- --query "late interaction"]
 *
 * Folio runs from the build in dist/ (run `npm run build` first; this script builds nothing). It
 * makes a demo store in a temp working directory (`folio demo`, BM25 only, no keys), then times in
 * the same run, interleaved round by round so the host's load touches every command alike:
 *   node -e 0 (bare Node), folio --help, folio config, folio search "<query>", folio docs.
 * Each is spawned N times (default 7); the table gives the median and minimum wall time, the median
 * minus bare Node's median, and the target from the start-up issue: --help and config within
 * 0.15 s of bare Node, search within 0.4 s (docs: no target, shown for comparison).
 * Nothing is asserted: the report prints PASS/FAIL and the script exits 0.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");

/** Variables that would switch Folio to a server, real embeddings or an LLM: the benchmark is offline. */
const OFFLINE_UNSET = ["QDRANT_URL", "QDRANT_API_KEY", "JINA_API_KEY", "JINA_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "FOLIO_COLLECTION", "FOLIO_HOME", "FOLIO_DEBUG"];

interface Case {
  name: string;
  args: string[];
  /** Allowed seconds over bare Node's median; undefined: shown without a target. */
  targetOverNode?: number;
}

const { values } = parseArgs({ options: { runs: { type: "string", default: "7" }, query: { type: "string", default: "late interaction" } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs takes a positive integer, got ${values.runs}`);

function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of OFFLINE_UNSET) delete env[name];
  return env;
}

/** Runs node with these arguments in `cwd` to completion; throws when it fails. Returns wall ms. */
function timeNode(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${run.status ?? run.signal}:\n${run.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const signedSeconds = (ms: number): string => `${ms >= 0 ? "+" : "-"}${(Math.abs(ms) / 1000).toFixed(3)} s`;

async function main(): Promise<void> {
  if (!existsSync(CLI)) {
    console.error(`${CLI} is missing: run \`npm run build\` first (this benchmark measures the build, it does not make one).`);
    process.exitCode = 1;
    return;
  }
  const cwd = await mkdtemp(path.join(os.tmpdir(), "folio-bench-startup-"));
  const env = offlineEnv();
  try {
    process.stderr.write(`[bench:startup] building the demo store in ${cwd}/.folio ...\n`);
    const demo = spawnSync(process.execPath, [CLI, "demo", "--json"], { cwd, env, encoding: "utf8" });
    if (demo.status !== 0) throw new Error(`folio demo failed (${demo.status ?? demo.signal}):\n${demo.stderr}`);

    const cases: Case[] = [
      { name: "node -e 0", args: ["-e", "0"] },
      { name: "folio --help", args: [CLI, "--help"], targetOverNode: 0.15 },
      { name: "folio config", args: [CLI, "config"], targetOverNode: 0.15 },
      { name: `folio search "${values.query}"`, args: [CLI, "search", values.query], targetOverNode: 0.4 },
      { name: "folio docs", args: [CLI, "docs"] },
    ];

    // One untimed round warms the file system cache; then the cases alternate round by round.
    for (const c of cases) timeNode(c.args, cwd, env);
    const times = new Map<Case, number[]>(cases.map((c) => [c, []]));
    for (let round = 0; round < RUNS; round++) {
      for (const c of cases) times.get(c)?.push(timeNode(c.args, cwd, env));
      process.stderr.write(`[bench:startup] round ${round + 1}/${RUNS}\n`);
    }

    const node = median(times.get(cases[0] as Case) ?? []);
    const rows = cases.map((c) => {
      const ms = times.get(c) ?? [];
      const med = median(ms);
      const over = med - node;
      const target = c.targetOverNode === undefined ? "" : `<= +${c.targetOverNode.toFixed(2)} s: ${over <= c.targetOverNode * 1000 ? "PASS" : "FAIL"}`;
      return [c.name, seconds(med), seconds(Math.min(...ms)), c === cases[0] ? "" : signedSeconds(over), target];
    });
    const header = ["command", "median", "min", "over node", "target (over node)"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join("  ");
    console.log(`CLI start-up, ${RUNS} runs each (Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(2)}), demo store, BM25 only:\n`);
    console.log(line(header));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of rows) console.log(line(row).trimEnd());
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

await main();

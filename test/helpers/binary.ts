/** Runs the real `folio` executable (src/cli/main.ts through tsx) as a child process, optionally in a shell pipeline. */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FOLIO_MAIN = path.join(REPO, "src", "cli", "main.ts");
/** tsx's loader by absolute URL: `--import tsx` would resolve from the child's working directory. */
const TSX = pathToFileURL(path.join(REPO, "node_modules", "tsx", "dist", "loader.mjs")).href;

export interface BinaryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command line that starts folio, quoted for a POSIX shell. */
export function folioCommand(): string {
  return [process.execPath, "--import", TSX, FOLIO_MAIN].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(" ");
}

function collect(child: ReturnType<typeof spawn>, stdin: string | undefined): Promise<BinaryRun> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (c: Buffer) => out.push(c));
  child.stderr?.on("data", (c: Buffer) => err.push(c));
  child.stdin?.end(stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** `folio <args>` with a clean environment (plus `env`) in `cwd`. */
export function runBinary(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {}): Promise<BinaryRun> {
  const child = spawn(process.execPath, ["--import", TSX, FOLIO_MAIN, ...args], { cwd: options.cwd ?? REPO, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  return collect(child, options.stdin);
}

/**
 * `folio <args> | <reader>` in bash; resolves with the reader's output and folio's own exit code
 * (PIPESTATUS), which the script prints last on stderr as "folio-exit=N".
 */
export async function runPiped(args: string[], reader: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<BinaryRun & { folioCode: number }> {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const script = `${folioCommand()} ${quoted} | ${reader}; echo "folio-exit=\${PIPESTATUS[0]}" >&2`;
  const child = spawn("bash", ["-c", script], { cwd: options.cwd ?? REPO, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  const run = await collect(child, undefined);
  const match = /folio-exit=(\d+)\s*$/.exec(run.stderr);
  return { ...run, stderr: run.stderr.replace(/folio-exit=\d+\s*$/, ""), folioCode: match ? Number(match[1]) : -1 };
}

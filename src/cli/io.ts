/** The streams and environment a CLI run works with: process streams in `main`, in-memory ones in tests. */
import type { Readable, Writable } from "node:stream";

export interface CliIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

export function writeLine(stream: Writable, text = ""): void {
  stream.write(`${text}\n`);
}

/** Machine-readable output: one JSON document (or line) on stdout. */
export function writeJson(io: CliIO, value: unknown, pretty = true): void {
  io.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}

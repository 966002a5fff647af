/** Runs the real CLI in-process with captured streams (same code path as the `folio` binary). */
import { PassThrough, Readable } from "node:stream";
import { runCli } from "../../src/cli/program.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(tty = false): PassThrough & { text(): string; isTTY?: boolean } {
  const stream = new PassThrough() as PassThrough & { text(): string; isTTY?: boolean };
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.text = () => Buffer.concat(chunks).toString("utf8");
  stream.isTTY = tty;
  return stream;
}

export async function runFolio(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {}): Promise<CliRun> {
  const stdout = capture();
  const stderr = capture();
  const stdin = Readable.from(options.stdin !== undefined ? [options.stdin] : []) as Readable & { isTTY?: boolean };
  stdin.isTTY = options.stdin === undefined;
  const code = await runCli(args, { stdout, stderr, stdin, env: options.env ?? {}, cwd: options.cwd ?? process.cwd() });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

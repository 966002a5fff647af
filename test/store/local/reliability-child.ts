/**
 * A store client in a child process, for the reliability tests (see ChildClient in
 * reliability-workload.ts). Opens `new LocalQdrantClient({ path })`, answers "R <json>" once
 * opened (or with the error it threw), then reads one JSON command per line from stdin,
 * `{ method, args }`, runs `client[method](...args)` one at a time and answers each with
 * `R {"ok":true,"result":...}` or `R {"ok":false,"error":{name,code,message,hint,stack}}`.
 * Special methods: "compact" (LocalQdrantClient.compact()), "warnings" (the messages onWarning got),
 * "close" (close(), answer, exit 0). Ignores SIGXFSZ, so a write past RLIMIT_FSIZE fails with
 * EFBIG instead of killing the process.
 */
import readline from "node:readline";
import { LocalQdrantClient, type LocalQdrantClientOptions } from "../../../src/store/local/index.js";
import { errorInfo } from "./reliability-workload.js";

process.on("SIGXFSZ", () => {});

const dir = process.argv[2];
if (!dir) throw new Error("usage: reliability-child <dir>");
const warnings: string[] = [];

function answer(reply: unknown): void {
  process.stdout.write(`R ${JSON.stringify(reply)}\n`);
}

let client: LocalQdrantClient;
try {
  const options: LocalQdrantClientOptions = { path: dir, onWarning: (m) => warnings.push(m) };
  client = new LocalQdrantClient(options);
  answer({ ok: true, result: "open" });
} catch (e) {
  answer({ ok: false, error: errorInfo(e) });
  process.exit(0);
}

type Method = (...args: unknown[]) => Promise<unknown>;
async function run(method: string, args: unknown[]): Promise<unknown> {
  if (method === "compact") return client.compact();
  if (method === "warnings") return warnings;
  const fn = (client as unknown as Record<string, Method | undefined>)[method];
  if (typeof fn !== "function") throw new Error(`no method ${method}`);
  return fn.apply(client, args);
}

const lines = readline.createInterface({ input: process.stdin });
let queue: Promise<void> = Promise.resolve();
lines.on("line", (line) => {
  const { method, args } = JSON.parse(line) as { method: string; args: unknown[] };
  queue = queue.then(async () => {
    try {
      const result = await run(method, args ?? []);
      answer({ ok: true, result: result ?? null });
    } catch (e) {
      answer({ ok: false, error: errorInfo(e) });
    }
    if (method === "close") process.exit(0);
  });
});
lines.on("close", () => {
  queue = queue.then(async () => {
    await client.close().catch(() => undefined);
    process.exit(0);
  });
});

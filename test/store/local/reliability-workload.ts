/**
 * Shared by the reliability tests and their child processes: deterministic "documents" (chunks
 * with a dense 32-d vector, a BM25 sparse vector and a payload), the ingest workload run by
 * reliability-kill-child.ts, a model of the state it leaves, and helpers to read a store whole
 * and spawn children. Everything is derived from seeds, so the parent can recompute exactly what
 * a child wrote.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rng } from "../conformance/fixtures.js";
import type { LocalQdrantClient } from "../../../src/store/local/index.js";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../../..");

export const COLLECTION = "ingest";
export const DIM = 32;
export const VOCAB = 48;
export const COLLECTION_CONFIG = {
  vectors: { dense: { size: DIM, distance: "Cosine" as const } },
  sparse_vectors: { bm25: { modifier: "idf" as const } },
};

export type Id = number | string;
// type aliases, not interfaces, so they are assignable to the client's index-signature types
export type ChunkPayload = {
  doc: string;
  chunk: number;
  rev: number;
  text: string;
};
export type ChunkPoint = {
  id: Id;
  vector: { dense: number[]; bm25: { indices: number[]; values: number[] } };
  payload: ChunkPayload;
};

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Ids deterministic per (doc, chunk): integers for even docs, UUIDs (normalised form) for odd ones. */
export function idFor(doc: number, chunk: number): Id {
  const n = doc * 1000 + chunk + 1;
  if (doc % 2 === 0) return n;
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

export function docName(doc: number): string {
  return `d${doc}`;
}

export function denseFor(key: string): number[] {
  const r = rng(hash(`dense:${key}`));
  return Array.from({ length: DIM }, () => Math.round((r() * 2 - 1) * 1000) / 1000 + 0.0005);
}

/** Unique sorted term ids with small integer weights (exact in float32). */
export function sparseFor(key: string, terms = 6): { indices: number[]; values: number[] } {
  const r = rng(hash(`sparse:${key}`));
  const set = new Set<number>();
  while (set.size < terms) set.add(Math.floor(r() * VOCAB));
  const indices = [...set].sort((a, b) => a - b);
  return { indices, values: indices.map(() => 1 + Math.floor(r() * 3)) };
}

export function textFor(key: string, size: number): string {
  const r = rng(hash(`text:${key}`));
  let s = "";
  while (s.length < size) s += `w${Math.floor(r() * 500)} `;
  return s.slice(0, size);
}

/** One chunk of one revision of a document. */
export function chunkPoint(doc: number, chunk: number, rev: number, textSize = 120): ChunkPoint {
  const key = `${doc}/${chunk}/${rev}`;
  return {
    id: idFor(doc, chunk),
    vector: { dense: denseFor(key), bm25: sparseFor(key) },
    payload: { doc: docName(doc), chunk, rev, text: textFor(key, textSize) },
  };
}

// ------------------------------------------------------------------ the ingest workload

export const DOCS = 8;
/** compact() after every COMPACT_EVERY-th document. */
export const COMPACT_EVERY = 3;

export type Op =
  | { kind: "delete"; doc: number }
  | { kind: "upsert"; doc: number; batch: number; points: ChunkPoint[] }
  | { kind: "compact"; doc: number };

/**
 * What an ingest run of revision `rev` does, in order: per document, delete its old points by
 * filter, then upsert its chunks in 1-3 batches; compact every few documents. Chunk counts differ
 * between revisions, so a re-run also has to remove chunks that no longer exist.
 */
export function workload(rev: number): Op[] {
  const ops: Op[] = [];
  for (let doc = 0; doc < DOCS; doc++) {
    const r = rng(hash(`doc:${doc}:${rev}`));
    const chunks = 3 + Math.floor(r() * 10);
    const batches = 1 + Math.floor(r() * 3);
    ops.push({ kind: "delete", doc });
    const points = Array.from({ length: chunks }, (_, c) => chunkPoint(doc, c, rev));
    const per = Math.ceil(chunks / batches);
    for (let b = 0; b * per < chunks; b++) ops.push({ kind: "upsert", doc, batch: b + 1, points: points.slice(b * per, (b + 1) * per) });
    if ((doc + 1) % COMPACT_EVERY === 0) ops.push({ kind: "compact", doc });
  }
  return ops;
}

/** The line a child prints once an operation is acknowledged (compact prints a line before and after). */
export function ackLine(op: Op): string {
  if (op.kind === "delete") return `DEL ${op.doc}`;
  if (op.kind === "upsert") return `ACK ${op.doc} ${op.batch}`;
  return `COMPACTED ${op.doc}`;
}

/** The state the workload's operations leave: id -> point. */
export type Model = Map<string, ChunkPoint>;

export function idKey(id: Id): string {
  return `${typeof id}:${id}`;
}

export function applyOp(model: Model, op: Op): Model {
  const next = new Map(model);
  if (op.kind === "delete") {
    for (const [k, p] of model) if (p.payload.doc === docName(op.doc)) next.delete(k);
  } else if (op.kind === "upsert") {
    for (const p of op.points) next.set(idKey(p.id), p);
  }
  return next;
}

// ------------------------------------------------------------------ reading a store whole

export interface StoredPoint {
  id: Id;
  payload: Record<string, unknown>;
  dense: number[] | undefined;
  bm25: { indices: number[]; values: number[] } | undefined;
}

/** Every point (with payload and vectors), by scrolling page after page. */
export async function scrollAll(client: LocalQdrantClient, collection = COLLECTION): Promise<StoredPoint[]> {
  const out: StoredPoint[] = [];
  let offset: Id | undefined;
  for (let page = 0; page < 10_000; page++) {
    const res = await client.scroll(collection, { limit: 37, with_payload: true, with_vector: true, ...(offset === undefined ? {} : { offset }) });
    for (const p of res.points) out.push(toStored(p));
    const next = res.next_page_offset;
    if (next === null || next === undefined) return out;
    offset = next as Id;
  }
  throw new Error("scroll did not end");
}

export function toStored(p: { id: Id; payload?: Record<string, unknown> | null; vector?: unknown }): StoredPoint {
  const v = (p.vector ?? {}) as Record<string, unknown>;
  return {
    id: p.id,
    payload: p.payload ?? {},
    dense: v.dense as number[] | undefined,
    bm25: v.bm25 as { indices: number[]; values: number[] } | undefined,
  };
}

/** JSON with object keys sorted, so key order does not matter. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function normalized(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}

/** Why a stored point differs from the expected one ("" when it matches). Cosine vectors are stored normalised. */
export function pointDiff(stored: StoredPoint, expected: ChunkPoint): string {
  if (idKey(stored.id) !== idKey(expected.id)) return `id ${String(stored.id)} != ${String(expected.id)}`;
  if (canonical(stored.payload) !== canonical(expected.payload)) return `payload of ${String(stored.id)}: ${canonical(stored.payload)} != ${canonical(expected.payload)}`;
  const want = normalized(expected.vector.dense);
  if (!stored.dense || stored.dense.length !== DIM) return `dense vector of ${String(stored.id)} missing or of length ${stored.dense?.length}`;
  for (let i = 0; i < DIM; i++) if (Math.abs((stored.dense[i] as number) - (want[i] as number)) > 1e-5) return `dense vector of ${String(stored.id)} differs at ${i}`;
  if (JSON.stringify(stored.bm25) !== JSON.stringify(expected.vector.bm25)) return `bm25 vector of ${String(stored.id)}: ${JSON.stringify(stored.bm25)} != ${JSON.stringify(expected.vector.bm25)}`;
  return "";
}

/** Differences between a store's points and a model (empty when they are the same). */
export function stateDiff(points: StoredPoint[], model: Model): string[] {
  const diffs: string[] = [];
  const seen = new Set<string>();
  for (const p of points) {
    const k = idKey(p.id);
    seen.add(k);
    const want = model.get(k);
    if (!want) diffs.push(`unexpected point ${String(p.id)} (doc ${String(p.payload.doc)}, rev ${String(p.payload.rev)})`);
    else {
      const d = pointDiff(p, want);
      if (d) diffs.push(d);
    }
  }
  for (const [k, p] of model) if (!seen.has(k)) diffs.push(`missing point ${String(p.id)} (${p.payload.doc} chunk ${p.payload.chunk} rev ${p.payload.rev})`);
  return diffs;
}

// ------------------------------------------------------------------ folders and children

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `folio-rel-${prefix}-`));
}

/** Files under a folder (recursive), relative paths. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

export function segmentFiles(dir: string): string[] {
  const seg = path.join(dir, "segments");
  return listFiles(seg)
    .filter((f) => f.endsWith(".seg"))
    .map((f) => path.join(seg, f));
}

/** node with the tsx loader (not the tsx CLI, which would put a wrapper process between us and the child). */
export function spawnChild(script: string, args: string[], fsizeLimitKiB?: number): ChildProcessWithoutNullStreams {
  const file = path.join(here, script);
  if (fsizeLimitKiB === undefined) return spawn(process.execPath, ["--import", "tsx", file, ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  const quoted = [process.execPath, "--import", "tsx", file, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return spawn("bash", ["-c", `ulimit -f ${fsizeLimitKiB} && exec ${quoted}`], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
}

export interface ErrorInfo {
  name: string;
  code?: string;
  message: string;
  hint?: string;
  stack?: string;
}

export function errorInfo(e: unknown): ErrorInfo {
  if (!(e instanceof Error)) return { name: typeof e, message: String(e) };
  const x = e as Error & { code?: unknown; hint?: unknown };
  return {
    name: x.name,
    ...(x.code === undefined ? {} : { code: String(x.code) }),
    message: x.message,
    ...(typeof x.hint === "string" ? { hint: x.hint } : {}),
    ...(x.stack ? { stack: x.stack } : {}),
  };
}

type Reply = { ok: true; result: unknown } | { ok: false; error: ErrorInfo };

/**
 * A store client in a child process (reliability-child.ts), driven by one JSON command per line:
 * `call(method, ...args)` runs `client[method](...args)` there and returns the result, or throws
 * a ChildCallError carrying the error's name / code / message / hint as the child saw them.
 */
export class ChildClient {
  readonly opened: Promise<Reply>;
  stderr = "";
  private buf = "";
  private gone: Reply | null = null;
  private readonly waiting: Array<(r: Reply) => void> = [];
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly label: string,
  ) {
    proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    proc.stdout.on("data", (d: Buffer) => {
      this.buf += d.toString();
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        if (line.startsWith("R ")) this.waiting.shift()?.(JSON.parse(line.slice(2)) as Reply);
      }
    });
    this.exited = new Promise((resolve) => proc.on("close", (code, signal) => resolve({ code, signal })));
    this.opened = this.next();
    void this.exited.then((x) => {
      this.gone = { ok: false, error: { name: "ChildExited", message: `${label} exited (code ${x.code}, signal ${x.signal}) before answering; stderr:\n${this.stderr}` } };
      for (const w of this.waiting.splice(0)) w(this.gone);
    });
  }

  static start(dir: string, label: string, opts: { fsizeLimitKiB?: number; warnings?: boolean } = {}): ChildClient {
    return new ChildClient(spawnChild("reliability-child.ts", [dir, ...(opts.warnings ? ["--warnings"] : [])], opts.fsizeLimitKiB), label);
  }

  private next(timeoutMs = 30_000): Promise<Reply> {
    if (this.gone) return Promise.resolve(this.gone);
    return new Promise((resolve) => {
      // a guard against a hung child, not a timing assertion
      const timer = setTimeout(() => {
        this.proc.kill("SIGKILL");
        resolve({ ok: false, error: { name: "ChildTimeout", message: `${this.label} did not answer within ${timeoutMs} ms; stderr:\n${this.stderr}` } });
      }, timeoutMs);
      this.waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  async ready(): Promise<void> {
    const r = await this.opened;
    if (!r.ok) throw new ChildCallError(this.label, "open", r.error);
  }

  /** Sends a command and returns the reply without throwing. */
  async send(method: string, ...args: unknown[]): Promise<Reply> {
    const reply = this.next();
    this.proc.stdin.write(`${JSON.stringify({ method, args })}\n`);
    return reply;
  }

  async call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const r = await this.send(method, ...args);
    if (!r.ok) throw new ChildCallError(this.label, method, r.error);
    return r.result as T;
  }

  /** close() in the child, then its exit. */
  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const r = await this.send("close");
      if (!r.ok) throw new ChildCallError(this.label, "close", r.error);
    }
    return this.exited;
  }

  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  kill(): void {
    this.proc.kill("SIGKILL");
  }
}

export class ChildCallError extends Error {
  constructor(
    label: string,
    method: string,
    readonly info: ErrorInfo,
  ) {
    super(`${label}: ${method} failed: ${info.name}${info.code ? ` [${info.code}]` : ""}: ${info.message}${info.hint ? `\n  hint: ${info.hint}` : ""}${info.stack ? `\n${info.stack}` : ""}`);
    this.name = "ChildCallError";
  }
}

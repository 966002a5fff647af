/**
 * SIGKILL of a writer during an ingest-like workload, 22 times in a row on the same folder, each
 * run resuming the ingest from the start (with another revision of the documents, so a re-run
 * also replaces and removes chunks). After every kill a brand-new client must open the store and
 * hold exactly the state of the acknowledged operations, or of those plus the one in flight
 * (a write is all or nothing), with no duplicate ids and queries that return only existing
 * points. Finally a complete run must leave the same store as a clean run in a fresh folder.
 *
 * The child (reliability-kill-child.ts) prints a line per acknowledged operation; the parent
 * recomputes the workload (reliability-workload.ts) and models the state it must leave.
 */
import readline from "node:readline";
import { describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";
import { rng } from "../conformance/fixtures.js";
import {
  ackLine,
  applyOp,
  canonical,
  COLLECTION,
  docName,
  idKey,
  pointDiff,
  scrollAll,
  spawnChild,
  stateDiff,
  toStored,
  workload,
  type Model,
  type Op,
  type StoredPoint,
} from "./reliability-workload.js";
import { useScratch } from "./reliability-scratch.js";

const KILLS = 22;
const FINAL_REV = 0;
const scratch = useScratch();

/** The lines a run of `ops` prints after READY, in order. */
function eventsOf(ops: Op[]): string[] {
  return ops.flatMap((op) => (op.kind === "compact" ? [`COMPACT ${op.doc}`, ackLine(op)] : [ackLine(op)]));
}

interface RunResult {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the workload of `rev`; with `killAt`, SIGKILLs the child once that many lines arrived (after `delayMs`). */
function runChild(dir: string, rev: number, killAt: number | null, delayMs = 0): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawnChild("reliability-kill-child.ts", [dir, String(rev)]);
    if (killAt === null) child.stdin.end(); // else the child waits after "DONE" until it is killed
    const lines: string[] = [];
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "READY") return;
      lines.push(line);
      if (killAt !== null && lines.length === killAt) {
        if (delayMs > 0) setTimeout(() => child.kill("SIGKILL"), delayMs);
        else child.kill("SIGKILL");
      }
    });
    // "close": after the exit and after every line the child wrote before it died has been read
    child.on("close", (code, signal) => resolve({ lines, code, signal, stderr }));
  });
}

/** Checks a store against the acknowledged operations and returns the state it holds. */
async function verify(dir: string, label: string, before: Model, ops: Op[], acked: number, pick: () => number): Promise<Model> {
  let acknowledged = before;
  for (const op of ops.slice(0, acked)) acknowledged = applyOp(acknowledged, op);
  const pending = ops[acked];
  const withPending = pending ? applyOp(acknowledged, pending) : acknowledged;

  const client = new LocalQdrantClient({ path: dir }); // a brand-new reader: must open without error
  try {
    expect((await client.collectionExists(COLLECTION)).exists, label).toBe(true);
    const state = await scrollAll(client);
    const keys = state.map((p) => idKey(p.id));
    expect(new Set(keys).size, `${label}: an id appears twice in the scroll`).toBe(state.length);
    expect((await client.count(COLLECTION, { exact: true })).count, `${label}: count`).toBe(state.length);
    expect((await client.getCollection(COLLECTION)).points_count, `${label}: points_count`).toBe(state.length);

    const diffAcked = stateDiff(state, acknowledged);
    const diffPending = stateDiff(state, withPending);
    if (diffAcked.length > 0 && diffPending.length > 0) {
      expect.fail(
        `${label}: the store holds neither the acknowledged state nor that plus the operation in flight (${pending ? `${pending.kind} of doc ${pending.doc}` : "none"}):\n` +
          `  vs acknowledged: ${diffAcked.slice(0, 6).join("; ")}\n  vs with pending: ${diffPending.slice(0, 6).join("; ")}`,
      );
    }
    const now = diffAcked.length === 0 ? acknowledged : withPending;

    // every acknowledged point the in-flight operation does not touch, by id
    const must = [...acknowledged].filter(([k, p]) => withPending.get(k) === p).map(([, p]) => p);
    const got = await client.retrieve(COLLECTION, { ids: must.map((p) => p.id), with_payload: true, with_vector: true });
    expect(got.length, `${label}: retrieve of acknowledged points`).toBe(must.length);
    const byKey = new Map<string, StoredPoint>(got.map((g) => [idKey(g.id), toStored(g)]));
    for (const p of must) {
      const stored = byKey.get(idKey(p.id));
      expect(stored ? pointDiff(stored, p) : `acknowledged point ${String(p.id)} not retrieved`, label).toBe("");
    }

    // queries return only existing points, and the right ones
    if (state.length > 0) {
      const probe = [...now.values()][Math.floor(pick() * now.size)]!;
      const dense = await client.query(COLLECTION, { query: probe.vector.dense, using: "dense", limit: 10 });
      const denseIds = dense.points.map((h) => idKey(h.id));
      expect(denseIds.length, `${label}: dense hits`).toBe(Math.min(10, state.length));
      expect(new Set(denseIds).size, `${label}: dense duplicates`).toBe(denseIds.length);
      expect(denseIds.filter((k) => !now.has(k)), `${label}: dense hits that do not exist`).toEqual([]);
      expect(denseIds[0], `${label}: a point's own vector finds it first`).toBe(idKey(probe.id));

      const sparse = await client.query(COLLECTION, { query: probe.vector.bm25, using: "bm25", limit: 1000 });
      const sparseIds = sparse.points.map((h) => idKey(h.id));
      expect(new Set(sparseIds).size, `${label}: sparse duplicates`).toBe(sparseIds.length);
      const terms = new Set(probe.vector.bm25.indices);
      const sharing = [...now.values()].filter((p) => p.vector.bm25.indices.some((t) => terms.has(t))).map((p) => idKey(p.id));
      expect([...sparseIds].sort(), `${label}: sparse hits are the points sharing a term`).toEqual(sharing.sort());

      const ofDoc = await client.query(COLLECTION, {
        query: probe.vector.dense,
        using: "dense",
        limit: 1000,
        filter: { must: [{ key: "doc", match: { value: probe.payload.doc } }] },
      });
      const docIds = [...now.values()].filter((p) => p.payload.doc === probe.payload.doc).map((p) => idKey(p.id));
      expect(ofDoc.points.map((h) => idKey(h.id)).sort(), `${label}: filtered dense query`).toEqual(docIds.sort());
    }
    return now;
  } finally {
    await client.close();
  }
}

function summary(state: StoredPoint[]): { count: number; ids: string[]; points: string } {
  const sorted = [...state].sort((a, b) => (idKey(a.id) < idKey(b.id) ? -1 : 1));
  return { count: state.length, ids: sorted.map((p) => idKey(p.id)), points: canonical(sorted) };
}

describe("SIGKILL of a writer during ingest", () => {
  it(`keeps exactly the acknowledged state across ${KILLS} seeded kills, then a re-run equals a clean run`, async () => {
    const dir = scratch.folder("kill");
    const random = rng(0x6b111);
    let model: Model = new Map();
    let landedInCompaction = 0;
    for (let run = 0; run < KILLS; run++) {
      const rev = 1 + (run % 3);
      const ops = workload(rev);
      const events = eventsOf(ops);
      const compactStarts = events.flatMap((e, i) => (e.startsWith("COMPACT ") ? [i] : []));
      // every 4th kill lands right when a compaction starts; the others after any line but the last few
      const trigger = run % 4 === 3 ? compactStarts[Math.floor(random() * compactStarts.length)]! : Math.floor(random() * (events.length - 4));
      const delayMs = random() < 0.5 ? 0 : Math.floor(random() * 4);
      const res = await runChild(dir, rev, trigger + 1, delayMs);
      const label = `kill ${run + 1} (rev ${rev}, after line ${trigger + 1} "${events[trigger]}" + ${delayMs} ms, child got to "${res.lines.at(-1) ?? "READY"}")`;
      expect(res.signal, `${label}: the child ended without being killed (code ${res.code}): ${res.stderr}`).toBe("SIGKILL");
      const done = res.lines.at(-1) === "DONE"; // the kill came after the whole run and close()
      const lines = done ? res.lines.slice(0, -1) : res.lines;
      expect(lines, `${label}: lines out of workload order`).toEqual(events.slice(0, done ? events.length : lines.length));
      if (lines.at(-1)?.startsWith("COMPACT ")) landedInCompaction++;
      const acked = lines.filter((l) => !l.startsWith("COMPACT ")).length;
      model = await verify(dir, label, model, ops, acked, random);
    }
    console.info(`reliability-kill: ${KILLS} kills, ${landedInCompaction} during a compaction, ${model.size} points after the last`);

    // the ingest re-run to completion, then the same ingest in a fresh folder
    const final = await runChild(dir, FINAL_REV, null);
    expect(final.code, final.stderr).toBe(0);
    expect(final.lines).toEqual([...eventsOf(workload(FINAL_REV)), "DONE"]);
    let expected = model;
    for (const op of workload(FINAL_REV)) expected = applyOp(expected, op);
    const cleanDir = scratch.folder("clean");
    const clean = await runChild(cleanDir, FINAL_REV, null);
    expect(clean.code, clean.stderr).toBe(0);

    const a = new LocalQdrantClient({ path: dir });
    const killedState = await scrollAll(a);
    expect((await a.count(COLLECTION, { exact: true })).count).toBe(killedState.length);
    await a.close();
    const b = new LocalQdrantClient({ path: cleanDir });
    const cleanState = await scrollAll(b);
    await b.close();
    expect(stateDiff(killedState, expected)).toEqual([]);
    const s1 = summary(killedState);
    const s2 = summary(cleanState);
    expect(s1.count).toBe(s2.count);
    expect(s1.ids).toEqual(s2.ids);
    expect(s1.points).toBe(s2.points);
    // every document of the final revision is there, nothing of the earlier ones
    expect(new Set(cleanState.map((p) => p.payload.rev))).toEqual(new Set([FINAL_REV]));
    expect(new Set(cleanState.map((p) => p.payload.doc)).size).toBe(new Set(workload(FINAL_REV).map((op) => docName(op.doc))).size);
  }, 180_000);
});

/**
 * A full disk, simulated with a file-size limit: the writer child runs under `ulimit -f` (RLIMIT_FSIZE,
 * in KiB for bash) set just above the store's largest file, so that a large upsert cannot fit.
 * Writes past the limit fail (EFBIG, or EIO for LMDB's short write); the child ignores SIGXFSZ.
 * The large upsert must reject with a StoreError that says the disk is full / the file is too
 * large and hints to free disk space, and the child must stay up and readable; everything
 * acknowledged before is readable afterwards, nothing of the rejected upsert is there, and once
 * the limit is gone (a new child without it) the same upsert succeeds.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";
import {
  applyOp,
  chunkPoint,
  COLLECTION,
  COLLECTION_CONFIG,
  idKey,
  listFiles,
  scrollAll,
  stateDiff,
  type ChunkPoint,
  type Id,
  type Model,
} from "./reliability-workload.js";
import { useScratch } from "./reliability-scratch.js";

const scratch = useScratch();

const HEADROOM_KIB = 256;
const upserted = (model: Model, points: ChunkPoint[]): Model => applyOp(model, { kind: "upsert", doc: -1, batch: 0, points });

async function readAll(dir: string): Promise<ReturnType<typeof scrollAll>> {
  const c = new LocalQdrantClient({ path: dir });
  try {
    return await scrollAll(c);
  } finally {
    await c.close();
  }
}

/** The soft "Max file size" limit of a running process, in bytes (Linux /proc). */
function fileSizeLimit(pid: number): string {
  const line = fs
    .readFileSync(`/proc/${pid}/limits`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max file size"));
  return (line ?? "").split(/\s{2,}/)[1] ?? "";
}

describe("disk full / file too large during a write", () => {
  it("rejects the write with a StoreError, keeps everything acknowledged, and writes again once space is back", async () => {
    const dir = scratch.folder("full");
    const base = [0, 1, 2, 3, 4].flatMap((doc) => Array.from({ length: 12 }, (_, c) => chunkPoint(doc, c, 1, 300)));
    {
      const c = new LocalQdrantClient({ path: dir });
      await c.createCollection(COLLECTION, COLLECTION_CONFIG);
      await c.createPayloadIndex(COLLECTION, { field_name: "doc", field_schema: "keyword", wait: true });
      await c.upsert(COLLECTION, { wait: true, points: base });
      await c.compact();
      await c.close();
    }
    let model = upserted(new Map(), base);
    const largest = Math.max(...listFiles(dir).map((f) => fs.statSync(path.join(dir, f)).size));
    const limitKiB = Math.ceil(largest / 1024) + HEADROOM_KIB;
    // an upsert of about twice the limit cannot fit in any file under it
    const big = Array.from({ length: Math.ceil((2 * limitKiB * 1024) / 4000) }, (_, i) => chunkPoint(100 + Math.floor(i / 500), i % 500, 1, 4000));

    const limited = scratch.start(dir, "writer under ulimit -f", { fsizeLimitKiB: limitKiB });
    await limited.ready();
    expect(fileSizeLimit(limited.proc.pid!), "the child runs under the file-size limit").toBe(String(limitKiB * 1024));

    // small writes fit under the limit and are acknowledged
    const small = [0, 1].map((b) => Array.from({ length: 5 }, (_, c) => chunkPoint(10 + b, c, 1, 300)));
    for (const batch of small) {
      await limited.call("upsert", COLLECTION, { wait: true, points: batch });
      model = upserted(model, batch);
    }

    const res = await limited.send("upsert", COLLECTION, { wait: true, points: big });
    expect(res.ok, `an upsert of ${big.length} points (~${Math.round((big.length * 4) / 1024)} MiB) under a ${limitKiB} KiB file-size limit must fail; files: ${JSON.stringify(listFiles(dir))}`).toBe(false);
    if (res.ok) return;
    const error = res.error;
    expect(error.name === "ChildExited" || error.name === "ChildTimeout" ? `${error.name}: ${error.message}` : "", "the child must answer, not crash or hang").toBe("");
    expect({ name: error.name, code: error.code }, JSON.stringify(error)).toEqual({ name: "StoreError", code: "STORE" });
    expect(error.message).toMatch(/disk (is )?full|file (is )?too large/i);
    expect(error.message, "a message, not a stack trace").not.toMatch(/\n\s+at /);
    expect(error.hint ?? "").toMatch(/free (up )?(some )?disk space/i);

    // a retry while the disk is still full fails the same way
    const again = await limited.send("upsert", COLLECTION, { wait: true, points: big.slice(0, 150) });
    expect(again.ok, "a second upsert past the limit must fail too").toBe(false);
    if (!again.ok) expect({ name: again.error.name, code: again.error.code }, JSON.stringify(again.error)).toEqual({ name: "StoreError", code: "STORE" });

    // the store stays readable in the same process
    expect(await limited.call("count", COLLECTION, { exact: true }), "count in the writer after the failure").toEqual({ count: model.size });
    const smallIds: Id[] = small.flat().map((p) => p.id);
    const seen = await limited.call<Array<{ id: Id }>>("retrieve", COLLECTION, { ids: smallIds });
    expect(seen.map((r) => idKey(r.id)).sort()).toEqual(smallIds.map(idKey).sort());
    // close() may fail to write its segment under the limit, but must not take the process down
    const closed = await limited.send("close");
    if (!closed.ok) expect(closed.error.code, `close() under the limit: ${closed.error.name}: ${closed.error.message}`).toBe("STORE");
    expect(await limited.exit(), `the writer under the limit exits normally; stderr:\n${limited.stderr}`).toEqual({ code: 0, signal: null });

    // the parent reads everything acknowledged, and nothing of the rejected upsert
    expect(stateDiff(await readAll(dir), model), "after the failed upsert").toEqual([]);

    // space is back: the same upsert succeeds
    const writer = scratch.start(dir, "writer without a limit");
    await writer.ready();
    await writer.call("upsert", COLLECTION, { wait: true, points: big });
    model = upserted(model, big);
    expect(await writer.close(), writer.stderr).toEqual({ code: 0, signal: null });
    expect(stateDiff(await readAll(dir), model), "after the upsert without the limit").toEqual([]);
  });

  it("also when the data file already ends exactly at the limit (the write fails with EFBIG, not a short write)", async () => {
    const dir = scratch.folder("full-at");
    const base = [0, 1, 2].flatMap((doc) => Array.from({ length: 12 }, (_, c) => chunkPoint(doc, c, 1, 300)));
    {
      const c = new LocalQdrantClient({ path: dir });
      await c.createCollection(COLLECTION, COLLECTION_CONFIG);
      await c.upsert(COLLECTION, { wait: true, points: base });
      await c.close();
    }
    const model = upserted(new Map(), base);
    const dataSize = fs.statSync(path.join(dir, "data.mdb")).size;
    expect(dataSize % 1024, "data.mdb is a whole number of pages").toBe(0);
    const limitKiB = dataSize / 1024; // any write at or past the end of data.mdb fails at once (EFBIG + SIGXFSZ)
    const big = Array.from({ length: 400 }, (_, i) => chunkPoint(200, i, 1, 4000));

    const limited = scratch.start(dir, "writer at the limit", { fsizeLimitKiB: limitKiB });
    await limited.ready();
    // a large upsert, the same again, then small ones (a transaction of a few pages fails differently inside LMDB)
    const attempts = [big, big, [chunkPoint(201, 0, 1, 300)], Array.from({ length: 5 }, (_, c) => chunkPoint(202, c, 1, 300))];
    for (const [i, points] of attempts.entries()) {
      const attempt = i + 1;
      const res = await limited.send("upsert", COLLECTION, { wait: true, points });
      expect(res.ok, `attempt ${attempt}: an upsert that has to grow data.mdb past the limit must fail`).toBe(false);
      if (res.ok) return;
      expect(res.error.name === "ChildExited" || res.error.name === "ChildTimeout" ? `${res.error.name}: ${res.error.message}` : "", "the child must answer, not crash or hang").toBe("");
      expect({ name: res.error.name, code: res.error.code }, JSON.stringify(res.error)).toEqual({ name: "StoreError", code: "STORE" });
      expect(res.error.message).toMatch(/disk (is )?full|file (is )?too large/i);
      expect(res.error.hint ?? "").toMatch(/free (up )?(some )?disk space/i);
    }
    expect(await limited.call("count", COLLECTION, { exact: true })).toEqual({ count: model.size });
    const closed = await limited.send("close");
    if (!closed.ok) expect(closed.error.code, `close() under the limit: ${closed.error.name}: ${closed.error.message}`).toBe("STORE");
    expect(await limited.exit(), `the writer at the limit exits normally; stderr:\n${limited.stderr}`).toEqual({ code: 0, signal: null });
    expect(stateDiff(await readAll(dir), model)).toEqual([]);
  });
});

/**
 * Damaged files. A segment file that was truncated, had bytes overwritten or was replaced with
 * garbage is detected when read: opening and querying do not throw, answers equal those of the
 * undamaged store (rebuilt from the LMDB records), and onWarning gets a message naming the file.
 * A damaged LMDB data file (data.mdb) makes opening fail with a StoreError whose hint points to
 * `folio reset`; that is tried in a child process, since lmdb-js can crash the whole process
 * (SIGSEGV / SIGBUS) on such a file.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalQdrantClient, type LocalQdrantClientOptions } from "../../../src/store/local/index.js";
import { rng } from "../conformance/fixtures.js";
import { answers, expectSameAnswers, type Answer } from "./reliability-answers.js";
import {
  ChildClient,
  chunkPoint,
  COLLECTION,
  COLLECTION_CONFIG,
  scrollAll,
  segmentFiles,
  stateDiff,
  type ChunkPoint,
  type Model,
  idKey,
} from "./reliability-workload.js";
import { useScratch } from "./reliability-scratch.js";

const scratch = useScratch();

let pristine = "";
let reference: Answer[] = [];
const model: Model = new Map();
const points: ChunkPoint[] = [0, 1, 2, 3, 4, 5].flatMap((doc) => Array.from({ length: 12 }, (_, c) => chunkPoint(doc, c, 1, 300)));
const probes = [points[5]!, points[40]!, points[70]!];

function copyOfPristine(name: string): string {
  const d = scratch.folder(name);
  fs.cpSync(pristine, d, { recursive: true });
  return d;
}

function open(dir: string): { client: LocalQdrantClient; warnings: string[] } {
  const warnings: string[] = [];
  const options: LocalQdrantClientOptions = { path: dir, onWarning: (m) => warnings.push(m) };
  return { client: new LocalQdrantClient(options), warnings };
}

beforeAll(async () => {
  pristine = scratch.folder("pristine");
  const c = new LocalQdrantClient({ path: pristine });
  await c.createCollection(COLLECTION, COLLECTION_CONFIG);
  await c.createPayloadIndex(COLLECTION, { field_name: "doc", field_schema: "keyword", wait: true });
  for (let i = 0; i < points.length; i += 24) await c.upsert(COLLECTION, { wait: true, points: points.slice(i, i + 24) });
  for (const p of points) model.set(idKey(p.id), p);
  await c.compact();
  await c.close();
  // the reference: the undamaged store, which must not warn
  const { client, warnings } = open(copyOfPristine("reference"));
  reference = await answers(client, probes, 2);
  expect(stateDiff(await scrollAll(client), model)).toEqual([]);
  await client.close();
  expect(warnings, "an undamaged store gives no warning").toEqual([]);
});

const random = rng(0xc0ffee);
const segmentDamage: Array<[string, (file: string) => void]> = [
  ["truncated to half", (f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
  ["truncated to 10 bytes", (f) => fs.truncateSync(f, 10)],
  [
    "64 bytes overwritten in the middle",
    (f) => {
      const bytes = fs.readFileSync(f);
      const mid = Math.floor(bytes.length / 2) - 32;
      for (let i = mid; i < mid + 64; i++) bytes[i] = (bytes[i]! ^ (1 + Math.floor(random() * 255))) & 0xff; // every byte changes
      fs.writeFileSync(f, bytes);
    },
  ],
  ["replaced with garbage of the same size", (f) => fs.writeFileSync(f, Buffer.from(Array.from({ length: fs.statSync(f).size }, () => Math.floor(random() * 256))))],
  ["replaced with text", (f) => fs.writeFileSync(f, "not a segment\n".repeat(100))],
];

describe("a damaged segment file", () => {
  it("exists after compact() (one per collection)", () => {
    expect(segmentFiles(pristine)).toHaveLength(1);
  });

  for (const [name, damage] of segmentDamage) {
    it(`${name}: no throw, the same answers, a warning naming the file`, async () => {
      const dir = copyOfPristine("seg");
      const [file] = segmentFiles(dir);
      expect(file, "segment file in the copy").toBeDefined();
      const before = fs.readFileSync(file!);
      damage(file!);
      expect(fs.readFileSync(file!).equals(before), "the damage changed the file").toBe(false);

      const { client, warnings } = open(dir);
      const got = await answers(client, probes, 2);
      expectSameAnswers(got, reference, name);
      expect(stateDiff(await scrollAll(client), model), `${name}: points`).toEqual([]);
      await client.close();
      expect(
        warnings.filter((m) => m.includes(path.basename(file!))),
        `${name}: a warning names ${path.basename(file!)}; got ${JSON.stringify(warnings)}`,
      ).not.toEqual([]);
      for (const m of warnings) expect(m, "a warning is a message, not a stack trace").not.toMatch(/\n\s+at /);

      // and it stays right when opened again
      const again = open(dir);
      expectSameAnswers(await answers(again.client, probes, 2), reference, `${name}, opened again`);
      await again.client.close();
    });
  }
});

describe("a damaged LMDB data file", () => {
  const lmdbDamage: Array<[string, (file: string) => void]> = [
    [
      "its first 64 KiB (both meta pages) overwritten",
      (f) => {
        const fd = fs.openSync(f, "r+");
        const n = Math.min(65536, fs.statSync(f).size);
        fs.writeSync(fd, Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256))), 0, n, 0);
        fs.closeSync(fd);
      },
    ],
    ["cut to half its size", (f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
  ];
  for (const [name, damage] of lmdbDamage) {
    it(`${name}: opening fails with a StoreError whose hint mentions \`folio reset\``, async () => {
      const dir = copyOfPristine("mdb");
      const file = path.join(dir, "data.mdb");
      expect(fs.existsSync(file), "data.mdb in the store folder").toBe(true);
      damage(file);
      // in a child: lmdb-js may take the process down with SIGSEGV/SIGBUS on a damaged file
      const child = ChildClient.start(dir, "opener");
      const opened = await child.opened;
      if (opened.ok) {
        // it opened: then reading everything must not crash either (a cut file can give SIGBUS on first touch)
        await child.send("scroll", COLLECTION, { limit: 10_000, with_payload: true, with_vector: true });
        await child.send("close");
      } else child.proc.stdin.end();
      const exit = await child.exit();
      expect(exit, `opening a damaged data.mdb must not crash the process; stderr:\n${child.stderr}`).toEqual({ code: 0, signal: null });
      expect(opened.ok, "opening a store with a damaged data.mdb fails").toBe(false);
      if (opened.ok) return;
      expect(opened.error.code).toBe("STORE");
      expect(opened.error.hint ?? "").toMatch(/folio reset/);
      expect(opened.error.message, "a message, not a stack trace").not.toMatch(/\n\s+at |\bat .+:\d+:\d+/);
    });
  }
});

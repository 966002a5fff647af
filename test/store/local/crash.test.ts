/** A process killed with SIGKILL mid-upsert loses no acknowledged write and leaves no lock behind. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "folio-crash-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runAndKill(minAcks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // node with the tsx loader (not the tsx CLI, which would put a wrapper process between us and the child)
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "crash-child.ts"), dir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let acked = 0;
    let acks = 0;
    let buf = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ACK (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        acked = Math.max(acked, Number(m[2]));
        if (++acks === minAcks) child.kill("SIGKILL");
      }
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(acked);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

describe("crash safety", () => {
  it("keeps every acknowledged write after SIGKILL, twice in a row, and the lock recovers", async () => {
    for (const minAcks of [15, 25]) {
      const acked = await runAndKill(minAcks);
      expect(acked).toBeGreaterThan(0);
      const client = new LocalQdrantClient({ path: dir }); // lock left by the killed child must not block
      const count = (await client.count("crash")).count;
      expect(count).toBeGreaterThanOrEqual(acked);
      expect(count % 50).toBe(0); // a batch is one transaction: all of it or none of it
      const ids = Array.from({ length: acked }, (_, i) => i + 1);
      const records = await client.retrieve("crash", { ids, with_payload: true, with_vector: true });
      expect(records).toHaveLength(acked);
      for (const r of records.filter((_, i) => i % 97 === 0)) {
        expect((r.payload as { id: number }).id).toBe(r.id);
        const v = (r.vector as Record<string, number[]>)[""]!;
        expect(v).toHaveLength(64);
      }
      const hit = await client.query("crash", { query: 7, limit: 1 });
      expect(hit.points).toHaveLength(1);
      await client.close();
    }
  }, 60_000);
});

/** A put killed with SIGKILL in the middle: no record, and a rerun leaves no duplicates and no gaps (embedded store on disk). */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { openFolioStore } from "../../../src/store/index.js";
import { CRASH_CHUNKS, crashDocument } from "./crash-fixture.js";
import { SERVER_URL, cleanup, testConfig } from "./helpers.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "../../..");
const CHILD = path.join(HERE, "put-child.ts");

afterAll(cleanup);

/** Runs the child; kills it with SIGKILL once it reports `killAt` stored points (never, when undefined). */
function runChild(home: string, collection: string, version: string, killAt?: number): Promise<{ lastProgress: number; finished: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, home, collection, version], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let lastProgress = 0;
    let finished = false;
    let stderr = "";
    let buffer = "";
    child.stdout.on("data", (data: Buffer) => {
      buffer += data.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const match = /^progress (\d+)$/.exec(line);
        if (match) lastProgress = Number(match[1]);
        if (line === "finished") finished = true;
        if (killAt !== undefined && lastProgress >= killAt) child.kill("SIGKILL");
      }
    });
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("error", reject);
    child.on("exit", () => resolve({ lastProgress, finished, stderr }));
  });
}

describe.skipIf(Boolean(SERVER_URL))("crash safety of putDocument (embedded store on disk)", () => {
  it("a SIGKILLed replacement leaves no record; a rerun stores exactly the new version", async () => {
    const { home, collection } = testConfig();
    const config = loadConfig({ FOLIO_HOME: home, FOLIO_COLLECTION: collection }, {}, home);

    // Version 1 stored completely (in this process, then the store is closed so the child can open it).
    let store = await openFolioStore(config, null);
    const v1 = crashDocument("v1");
    await store.putDocument(v1.document, v1.chunks);
    await store.close();

    const killed = await runChild(home, collection, "v2", 10);
    expect(killed.finished).toBe(false);
    expect(killed.lastProgress).toBeGreaterThanOrEqual(10);
    expect(killed.lastProgress).toBeLessThan(CRASH_CHUNKS);

    store = await openFolioStore(config, null);
    expect(await store.getDocument("crash")).toBeNull();
    // Some v2 points made it, some v1 points are still there: no record says it is complete.
    expect(await store.count()).toBeGreaterThan(CRASH_CHUNKS);

    const v2 = crashDocument("v2");
    await store.putDocument(v2.document, v2.chunks);
    expect((await store.getDocument("crash"))?.contentHash).toBe("crash-v2");
    expect(await store.count()).toBe(CRASH_CHUNKS);
    const hits = await store.search({ text: "gradient checkpointing version", k: CRASH_CHUNKS + 10 });
    expect(hits.length).toBe(CRASH_CHUNKS);
    expect(hits.every((h) => h.text.includes("version v2"))).toBe(true);
    await store.close();
  }, 60_000);
});

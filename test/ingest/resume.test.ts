import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest } from "../../src/ingest/index.js";
import { REPO_ROOT, openStore, optionsFor, removeDir, tempDir, testConfig } from "./helpers.js";

const CHILD = path.join(REPO_ROOT, "test", "ingest", "resume-child.ts");
const FILES = 30;

/** Runs the child; with killAfter, SIGKILLs it once it has reported that many finished documents. */
function runChild(home: string, folder: string, killAfter?: number): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, home, folder], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    let buffered = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (data: Buffer) => {
      buffered += data.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      lines.push(...parts);
      if (killAfter !== undefined && !killed && lines.filter((l) => l.startsWith("done ")).length >= killAfter) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL" || code === 0) resolve({ lines, killed });
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

let root: string;
let folder: string;

beforeAll(async () => {
  root = await tempDir("ingest-resume");
  folder = path.join(root, "notes");
  await mkdir(folder);
  // Enough text per file that a kill lands while a document is being written.
  for (let i = 0; i < FILES; i++) {
    const paragraphs = Array.from({ length: 120 }, (_, j) => `Paragraph ${j} of note ${i} discusses retrieval, ranking, token ${i * 1000 + j} and late interaction in some depth.`);
    await writeFile(path.join(folder, `note-${String(i).padStart(2, "0")}.md`), `# Note ${i}\n\n${paragraphs.join("\n\n")}\n`);
  }
});

afterAll(async () => {
  await removeDir(root);
});

describe("resume after SIGKILL", () => {
  it("completes the work on re-run with no duplicates and no gaps", async () => {
    const clean = path.join(root, "clean");
    const cleanConfig = testConfig(clean);
    const cleanStore = await openStore(cleanConfig);
    await ingest(cleanStore, [folder], optionsFor(cleanConfig));
    const cleanCount = await cleanStore.count();
    const cleanDocs = (await cleanStore.listDocuments()).length;
    await cleanStore.close();
    expect(cleanDocs).toBe(FILES);

    const killedHome = path.join(root, "killed");
    const first = await runChild(killedHome, folder, 3);
    expect(first.killed).toBe(true);
    const interrupted = await openStore(testConfig(killedHome));
    const before = (await interrupted.listDocuments()).length;
    await interrupted.close();
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(FILES);

    // A second kill later in the run, then the run that finishes.
    await runChild(killedHome, folder, 6);
    const last = await runChild(killedHome, folder);
    const summary = JSON.parse(last.lines.find((l) => l.startsWith("summary "))!.slice(8)) as { ingested: number; unchanged: number };
    expect(summary.ingested + summary.unchanged).toBe(FILES);
    expect(summary.unchanged).toBeGreaterThanOrEqual(before);

    const resumed = await openStore(testConfig(killedHome));
    try {
      expect(await resumed.count()).toBe(cleanCount);
      const docs = await resumed.listDocuments();
      expect(docs).toHaveLength(FILES);
      for (const doc of docs) expect(await resumed.count({ docIds: [doc.docId] })).toBe(doc.chunks);
    } finally {
      await resumed.close();
    }
  }, 120_000);
});

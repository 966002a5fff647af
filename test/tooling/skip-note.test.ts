/**
 * `npm test` in a clone that is not beside ../shared: the run ends with one line that says how many
 * tests were skipped and why. Runs vitest itself on a copy of the project placed where there is no
 * ../shared, on one real-paper test file.
 */
import { spawnSync } from "node:child_process";
import { cp, mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../ingest/helpers.js";
import { removeDir, tempDir } from "../helpers/tmp.js";

describe("the skip note at the end of a test run", () => {
  it("counts the real-paper tests skipped without ../shared and names what they need", async () => {
    const dir = await tempDir("skip-note");
    try {
      const clone = path.join(dir, "main");
      await mkdir(clone);
      for (const entry of ["src", "test", "data", "prompts", "package.json", "tsconfig.json", "vitest.config.ts"]) {
        await cp(path.join(REPO_ROOT, entry), path.join(clone, entry), { recursive: true, filter: (from) => !from.includes(`${path.sep}.tmp`) });
      }
      await symlink(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
      const vitest = path.join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs");
      const run = spawnSync(process.execPath, [vitest, "run", "test/ingest/identity.test.ts"], { cwd: clone, encoding: "utf8", env: { ...process.env, CI: "" }, timeout: 120_000 });
      expect(run.status).toBe(0);
      const lastLine = run.stdout.trim().split("\n").at(-1);
      expect(lastLine).toMatch(/^6 tests skipped: 6 need the real papers \(.*shared[/\\]corpus is not beside the project\)\.$/);
    } finally {
      await removeDir(dir);
    }
  }, 150_000);
});

/** What a run says about the sources it did not store: other file types, bad arXiv ids, all skipped. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/ingest/index.js";
import { optionsFor, withTempStore } from "./helpers.js";

describe("a run's report of what it did not store", () => {
  it("counts files of other types by extension, most common first, and lists them", async () => {
    await withTempStore("run-report", async ({ dir, config, store }) => {
      const folder = path.join(dir, "papers");
      await mkdir(path.join(folder, "data"), { recursive: true });
      await writeFile(path.join(folder, "notes.md"), "# Notes\n\nDense retrieval maps questions and passages to vectors.\n");
      for (const name of ["a.json", "b.json", "data/c.csv", "Makefile"]) await writeFile(path.join(folder, name), "x");
      const summary = await ingest(store, [folder], optionsFor(config));
      expect(summary.ingested).toBe(1);
      expect(summary.ok).toBe(true);
      expect(summary.ignored.count).toBe(4);
      expect(summary.ignored.extensions).toEqual([".json", ".csv", "(no extension)"]);
      expect(summary.ignored.paths.map((p) => path.relative(folder, p)).sort()).toEqual(["Makefile", "a.json", "b.json", path.join("data", "c.csv")]);
    });
  });

  it("fails a run in which every source was skipped, and says what an arXiv id looks like", async () => {
    await withTempStore("run-report", async ({ dir, config, store }) => {
      const empty = path.join(dir, "empty.md");
      await writeFile(empty, "   \n");
      const summary = await ingest(store, ["arxiv:not-an-id", empty], optionsFor(config));
      expect(summary.ok).toBe(false);
      expect(summary.skipped.map((s) => s.reason)).toEqual(["not-found", "empty"]);
      expect(summary.skipped[0]?.hint).toMatch(/arxiv:1706\.03762/);
      // Not a PDF: no word of OCR.
      expect(summary.skipped[1]?.hint).not.toMatch(/OCR|scan/i);
    });
  });
});

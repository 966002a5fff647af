/**
 * A vitest reporter that ends the run with one line saying how many tests were skipped and why,
 * so a clone that is not beside ../shared (or lacks Chromium) is told plainly, not only in stderr
 * notes that scroll away. Each skipped test is put down to the first missing prerequisite its file
 * checks for.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Reporter, TestModule } from "vitest/node";
import { missingFontPackages } from "../fixtures/multilingual/make-pdfs.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.resolve(REPO, "../shared");

interface Prerequisite {
  /** What is missing, as the user should read it. */
  missing: string;
  /** Whether it is missing on this machine. */
  absent: () => boolean;
  /** A test file that checks for it mentions one of these. */
  marker: RegExp;
}

function hasSqlite(): boolean {
  try {
    createRequire(import.meta.url)("node:sqlite");
    return true;
  } catch {
    return false;
  }
}

const PREREQUISITES: Prerequisite[] = [
  { missing: `the real papers (${path.join(SHARED, "corpus")} is not beside the project)`, absent: () => !existsSync(path.join(SHARED, "corpus", "papers", "1706.03762.pdf")), marker: /hasCorpus|hasFigures|CORPUS|shared\/corpus/ },
  { missing: `the Qdrant and Zotero specs (${path.join(SHARED, "specs")} is missing)`, absent: () => !existsSync(path.join(SHARED, "specs")), marker: /hasSpecs|SPECS|shared\/specs/ },
  { missing: "Chromium (apt-get install -y chromium)", absent: () => !existsSync("/usr/bin/chromium"), marker: /hasChromium/ },
  { missing: "node:sqlite (Node 22.5 or later)", absent: () => !hasSqlite(), marker: /node:sqlite/ },
  { missing: `fonts (apt-get install ${missingFontPackages().join(" ")})`, absent: () => missingFontPackages().length > 0, marker: /fontsAvailable/ },
  { missing: "a Qdrant server (QDRANT_URL is not set)", absent: () => !process.env.QDRANT_URL, marker: /SERVER_URL|QDRANT_URL/ },
];

const OTHER = "";

export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const absent = PREREQUISITES.filter((p) => p.absent());
    const counts = new Map<string, number>();
    let total = 0;
    for (const module of testModules) {
      const skipped = [...module.children.allTests("skipped")].length;
      if (skipped === 0) continue;
      total += skipped;
      const source = existsSync(module.moduleId) ? readFileSync(module.moduleId, "utf8") : "";
      // The store tests' second run, over HTTP, skips what only the embedded store on disk can do.
      const overRest = module.project.name === "store-over-rest";
      const why = overRest ? "the embedded store on disk (skipped in the run over HTTP)" : (absent.find((p) => p.marker.test(source))?.missing ?? OTHER);
      counts.set(why, (counts.get(why) ?? 0) + skipped);
    }
    if (total === 0) return;
    const reasons = [...counts].sort((a, b) => b[1] - a[1]).map(([why, n]) => (why === OTHER ? `${n} skipped by the test itself` : `${n} need ${why}`));
    process.stdout.write(`\n${total} test${total === 1 ? "" : "s"} skipped: ${reasons.join("; ")}.\n`);
  }
}

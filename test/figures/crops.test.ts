/**
 * The parser's figure and table crops on the shared corpus against the hand-checked boxes in
 * test/figures/truth/ (skipped without the corpus). `npm run eval:figures` prints the details.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { corpusAvailable, paperIds } from "./corpus.js";
import { evaluate, report, TARGETS } from "./eval.js";
import { summarize, type PaperResult } from "./measure.js";
import { readAllTruth } from "./truth.js";

const available = corpusAvailable();
if (!available) console.warn("[figure crop tests] skipped: no ../shared/corpus/papers");

describe.skipIf(!available)("figure and table crops on the shared corpus", () => {
  let results: PaperResult[];

  beforeAll(async () => {
    ({ results } = await evaluate());
  }, 300_000);

  it("has a checked box for every paper of the corpus", () => {
    expect(readAllTruth().map((t) => t.paper)).toEqual(paperIds());
  });

  it(`crops at least ${TARGETS.goodShare * 100}% of figures and tables with IoU >= 0.8`, () => {
    const overall = summarize(results.flatMap((r) => r.floats));
    expect(overall.goodShare, report(results)).toBeGreaterThanOrEqual(TARGETS.goodShare);
  });

  it("never crops two floats into one image, nor the title or the abstract", () => {
    const floats = results.flatMap((r) => r.floats);
    expect(floats.filter((f) => f.holdsOthers.length > 0).map((f) => `${f.paper} ${f.label} holds ${f.holdsOthers.join(", ")}`)).toEqual([]);
    expect(floats.filter((f) => f.covers.length > 0).map((f) => `${f.paper} ${f.label} covers ${f.covers.join(", ")}`)).toEqual([]);
  });
});

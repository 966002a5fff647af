/**
 * The demo corpus's figures and tables (what every new user sees first): each one's region holds
 * that float only. A table above a paragraph that works through numbers once reached down through
 * the paragraph into the figure below it.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parsePdf } from "../../../src/ingest/pdf/index.js";
import { packagePath } from "../../../src/util/paths.js";
import { useTempDir } from "../../helpers/tmp.js";
import { textOnlyOptions } from "./text-options.js";

const imagesDir = useTempDir("demo-figures");
type Box = [number, number, number, number];
const area = (b: Box) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
/** Running text is mostly lower-case words; a table's cells read as a paragraph are not. */
const lowerCaseShare = (text: string) => {
  const tokens = text.split(/\s+/).filter(Boolean);
  return tokens.filter((t) => /^\p{Ll}+[,.;:]?$/u.test(t)).length / Math.max(1, tokens.length);
};
const overlap = (a: Box, b: Box): Box => [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];

describe("demo corpus: one float per region", () => {
  it.each(["dense-sparse-hybrid-retrieval.pdf", "late-interaction-multi-vector.pdf", "matryoshka-late-chunking.pdf", "evaluating-retrieval.pdf"])("%s", async (name) => {
    const data = new Uint8Array(await readFile(packagePath("data", "papers", name)));
    const doc = await parsePdf(data, { ...textOnlyOptions(imagesDir()), cropFigures: true });
    const regions = doc.figures.filter((f) => f.bbox && f.page).map((f) => ({ label: f.label, page: f.page!, box: f.bbox! }));
    expect(regions.length).toBe(doc.figures.length);
    for (const a of regions) {
      for (const b of regions) {
        if (a === b || a.page !== b.page) continue;
        // No region holds half of another's.
        expect(area(overlap(a.box, b.box)) / area(b.box), `${a.label} over ${b.label}`).toBeLessThan(0.5);
      }
      // Nor does it reach over a paragraph of body text on its page.
      const prose = doc.blocks.filter((bl) => bl.page === a.page && bl.kind === "paragraph" && bl.text.length > 200 && bl.bbox && lowerCaseShare(bl.text) >= 0.6);
      for (const p of prose) expect(area(overlap(a.box, p.bbox!)) / area(p.bbox!), `${a.label} over "${p.text.slice(0, 40)}"`).toBeLessThan(0.5);
    }
  }, 60_000);
});

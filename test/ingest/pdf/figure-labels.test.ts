import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePdf } from "../../../src/ingest/pdf/index.js";
import type { ParseOptions } from "../../../src/ingest/types.js";
import { useTempDir } from "../../helpers/tmp.js";
import { ImageStore } from "../../../src/store/images.js";

const pdf = path.resolve(import.meta.dirname, "../../../data/papers/late-interaction-multi-vector.pdf");
const imagesDir = useTempDir("labels");
const options = (cropFigures: boolean): ParseOptions => ({ images: new ImageStore(imagesDir()), renderPages: false, pageDpi: 72, cropFigures, figureDpi: 72, maxPages: 100, maxImagePixels: 20e6 });

describe("labels drawn inside a vector figure", () => {
  it("stay out of the body text once the figure's region is known, while the paragraphs stay", async () => {
    const data = new Uint8Array(readFileSync(pdf));
    const withoutRegions = await parsePdf(data, options(false));
    const body = (doc: typeof withoutRegions) => doc.blocks.map((b) => b.text).join("\n");
    // Without crops no region is known, so the labels of Figure 2 ("Stage 1", "Stage 2") read as text.
    expect(body(withoutRegions)).toMatch(/Stage 1 Stage 2/);

    const withRegions = await parsePdf(data, options(true));
    const figure2 = withRegions.figures.find((f) => f.label === "Figure 2");
    expect(figure2?.bbox).toBeDefined();
    expect(body(withRegions)).not.toMatch(/Stage 1 Stage 2/);
    expect(body(withRegions)).toMatch(/In words, MaxSim computes, for every query token/);
    expect(withRegions.figures.map((f) => f.label)).toEqual(withoutRegions.figures.map((f) => f.label));
    expect(withRegions.pages.find((p) => p.page === figure2?.page)?.text).not.toMatch(/Stage 1 Stage 2/);
  });
});

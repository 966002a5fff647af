/**
 * Captions set beside each other or beside body text (wrapped figures): read one side at a time, so
 * each caption is whole and gets its own figure record, and the body text beside it reads on.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { blocksOfFlow } from "../../../src/ingest/pdf/blocks.js";
import { parsePdf } from "../../../src/ingest/pdf/index.js";
import { readingOrder, unweaveSideBySide, type Line } from "../../../src/ingest/pdf/layout.js";
import { makeWrappedFigurePdf, PAGE_HEIGHT, WRAPPED } from "../../fixtures/make-pdfs.js";
import { useTempDir } from "../../helpers/tmp.js";
import { textOnlyOptions } from "./text-options.js";

const imagesDir = useTempDir("side-by-side");

// Glyph boxes are a little taller than the font size, as in real PDFs (layout.ts's ascent + descent).
const line = (text: string, x0: number, x1: number, row: number, size = 10): Line => ({ text, x0, x1, top: 100 + row * 12, bottom: 100 + row * 12 + 1.02 * size, baseline: 100 + row * 12 + 8, size, font: "f", row });
const texts = (flows: Line[][]) => flows.map((flow) => flow.map((l) => l.text));
/** Rows of a full-width first line, then pairs set side by side (left 100-300, right 310-500), then a last full-width line. */
function sideBySide(first: string, pairs: Array<[string | undefined, string | undefined]>, last?: string): Line[] {
  const lines = [line(first, 100, 500, 0)];
  pairs.forEach(([left, right], i) => {
    if (left) lines.push(line(left, 100, 300, i + 1));
    if (right) lines.push(line(right, 310, 500, i + 1));
  });
  if (last) lines.push(line(last, 100, 500, pairs.length + 1));
  return lines;
}
const singleColumn = { twoColumn: false, gutter: 306, left: 100, right: 510 };

describe("side-by-side captions and wrapped figures", () => {
  it("reads two captions set side by side one after the other, each whole", () => {
    // As in RAG (2005.11401) page 6: "Table 1: ..." and "Table 2: ..." share their rows.
    const lines = sideBySide("We report the results in the tables below, which compare the models.", [
      ["Table 1: Open-Domain QA Test Scores. For TQA,", "Table 2: Generation and classification scores."],
      ["left column uses the standard test set for Open-", "MS-MARCO SotA is [4], FEVER-3 is [68] and"],
      ["Domain QA, right column the TQA-Wiki test set.", "Best model without gold access underlined."],
    ]);
    expect(texts(readingOrder(lines, singleColumn))).toEqual([
      ["We report the results in the tables below, which compare the models."],
      ["Table 1: Open-Domain QA Test Scores. For TQA,", "left column uses the standard test set for Open-", "Domain QA, right column the TQA-Wiki test set."],
      ["Table 2: Generation and classification scores.", "MS-MARCO SotA is [4], FEVER-3 is [68] and", "Best model without gold access underlined."],
    ]);
    const captions = readingOrder(lines, singleColumn).flatMap((flow, i) => blocksOfFlow(flow, 6, i)).filter((b) => /^Table/.test(b.text));
    expect(captions.map((b) => b.text)).toEqual([
      "Table 1: Open-Domain QA Test Scores. For TQA, left column uses the standard test set for Open-Domain QA, right column the TQA-Wiki test set.",
      "Table 2: Generation and classification scores. MS-MARCO SotA is [4], FEVER-3 is [68] and Best model without gold access underlined.",
    ]);
  });

  it("reads body text beside a wrapped figure's caption on, and the caption as its own flow", () => {
    // As in DetectGPT (2301.11305) page 7: the caption sits right of the body text it interrupts.
    const lines = sideBySide(
      "Detection when the source model is unknown. While our",
      [
        ["model A, but without ac-", undefined],
        ["cess to model A to compute log probabilities. In-", "Figure 6. DetectGPT performs"],
        ["stead, we use log probabilities computed by a", "best when scoring samples with"],
      ],
      "surrogate model B. We consider three models.",
    );
    expect(texts(unweaveSideBySide(lines))).toEqual([
      ["Detection when the source model is unknown. While our", "model A, but without ac-", "cess to model A to compute log probabilities. In-", "stead, we use log probabilities computed by a"],
      ["Figure 6. DetectGPT performs", "best when scoring samples with"],
      ["surrogate model B. We consider three models."],
    ]);
  });

  it("leaves a caption alone whose own line has a wide gap, or whose label stands apart from its text", () => {
    const gapInLine = [
      line("Table 4. Error rates (%) of†", 100, 250, 0),
      line("single-model results on the ImageNet", 262, 500, 0),
      line("validation set (except reported on the test set).", 100, 420, 1),
    ];
    expect(texts(unweaveSideBySide(gapInLine))).toEqual([gapInLine.map((l) => l.text)]);
    const bareLabel = [line("Figure 2:", 100, 140, 0), line("Single crop validation accuracy of Inception", 152, 500, 0), line("and its variants.", 152, 260, 1), line("0.8", 40, 52, 1)];
    expect(texts(unweaveSideBySide(bareLabel))).toEqual([bareLabel.map((l) => l.text)]);
    // A justified gap inside a caption's first line is not a side: "While" stays with Figure 3.
    const justified = [
      line("Results on the pre-training data are shown in the figures below.", 100, 500, 0),
      line("Figure 3: Transfer to ImageNet.", 100, 240, 1),
      line("While", 262, 300, 1),
      line("Figure 4: Linear few-shot evaluation on Ima-", 320, 500, 1),
      line("large ViT models perform worse than BiT", 100, 300, 2),
      line("geNet versus pre-training size.", 320, 480, 2),
    ];
    expect(texts(unweaveSideBySide(justified))).toEqual([
      ["Results on the pre-training data are shown in the figures below."],
      ["Figure 3: Transfer to ImageNet.", "While", "large ViT models perform worse than BiT"],
      ["Figure 4: Linear few-shot evaluation on Ima-", "geNet versus pre-training size."],
    ]);
    // A reference that a justified gap sets apart in running text is not a caption.
    const reference = [line("The numbers are collected in", 100, 250, 0), line("Table 2. It gives the scores per task.", 263, 500, 0), line("and the next line of the same paragraph runs across the whole width.", 100, 500, 1)];
    expect(texts(unweaveSideBySide(reference))).toEqual([reference.map((l) => l.text)]);
    expect(blocksOfFlow(reference, 1, 0).map((b) => b.text)).toEqual(["The numbers are collected in Table 2. It gives the scores per task. and the next line of the same paragraph runs across the whole width."]);
    // Without a caption label, lines side by side are a table's rows, read across as before.
    const table = [line("Model", 100, 150, 0), line("Accuracy", 300, 360, 0), line("BERT", 100, 140, 1), line("88.5", 300, 330, 1)];
    expect(texts(unweaveSideBySide(table))).toEqual([table.map((l) => l.text)]);
  });

  it("a generated wrapped figure: its whole caption, its region beside the text and not over it, the body reading on", async () => {
    const doc = await parsePdf(await makeWrappedFigurePdf(), textOnlyOptions(path.join(imagesDir(), "images"), { cropFigures: true }));
    const [figure] = doc.figures;
    expect(doc.figures).toHaveLength(1);
    expect(figure?.caption).toBe(WRAPPED.caption);
    expect(figure?.imageId).toMatch(/^[0-9a-f]{16}$/);
    const [x0, y0, x1, y1] = figure?.bbox ?? [0, 0, 0, 0];
    const box = WRAPPED.figure;
    // The drawing is inside the region (top-left coordinates), the text beside it is not.
    expect(x0).toBeLessThanOrEqual(box.x);
    expect(x0).toBeGreaterThan(WRAPPED.textRight);
    expect(x1).toBeGreaterThanOrEqual(box.x + box.width);
    expect(y0).toBeLessThanOrEqual(PAGE_HEIGHT - (box.y + box.height));
    expect(y1).toBeGreaterThanOrEqual(PAGE_HEIGHT - box.y);
    expect(doc.blocks.map((b) => b.text).join("\n")).toContain(WRAPPED.besideSentence);
  });
});

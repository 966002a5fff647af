/**
 * The parser on real arXiv papers from ../shared/corpus/papers (skipped when the corpus is missing).
 * Text-only parses except for "Attention Is All You Need", which is also cropped.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePdf } from "../../../src/ingest/pdf/index.js";
import type { ParsedDocument, ParseOptions } from "../../../src/ingest/types.js";
import { useTempDir } from "../../helpers/tmp.js";
import { PAPERS as papers, hasCorpusPapers } from "../helpers.js";
import { textOnlyOptions } from "./text-options.js";

if (!hasCorpusPapers) console.warn(`[pdf corpus tests] skipped: no corpus at ${papers} (see ../shared/corpus/README.md)`);

const imagesDir = useTempDir("pdf-corpus");
const textOnly = (): ParseOptions => textOnlyOptions(imagesDir(), { pageDpi: 96, figureDpi: 144, maxImagePixels: 20_000_000 });
const parse = async (name: string, options: Partial<ParseOptions> = {}) => parsePdf(new Uint8Array(await readFile(path.join(papers, name))), { ...textOnly(), ...options });
const textOf = (doc: ParsedDocument) => doc.blocks.map((b) => b.text).join("\n");

describe.skipIf(!hasCorpusPapers)("parsePdf on the real corpus", () => {
  let attention: ParsedDocument;

  beforeAll(async () => {
    attention = await parse("1706.03762.pdf", { cropFigures: true, figureDpi: 72 });
  }, 120_000);

  it("Attention Is All You Need: metadata, abstract before the introduction", () => {
    expect(attention.title).toBe("Attention Is All You Need");
    expect(attention.arxivId).toBe("1706.03762");
    expect(attention.year).toBe(2017);
    expect(attention.authors).toEqual(expect.arrayContaining(["Ashish Vaswani", "Noam Shazeer", "Illia Polosukhin"]));
    expect(attention.pageCount).toBe(15);
    expect(attention.abstract).toMatch(/^The dominant sequence transduction models are based on complex recurrent or convolutional neural networks/);
    const text = textOf(attention);
    const abstractAt = text.indexOf("The dominant sequence transduction models are based on complex recurrent or convolutional neural networks");
    const introAt = text.indexOf("1 Introduction");
    expect(abstractAt).toBeGreaterThan(0);
    expect(introAt).toBeGreaterThan(abstractAt);
    const intro = attention.blocks.find((b) => b.text === "1 Introduction");
    expect(intro).toMatchObject({ kind: "heading", page: 2 });
    expect(attention.blocks.find((b) => b.text.startsWith("An attention function can be described"))?.section).toBe("3.2 Attention");
  });

  it("Attention Is All You Need: references are marked, appendix figures are not references", () => {
    const refs = attention.blocks.filter((b) => b.references);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.some((b) => /Jimmy Lei Ba/.test(b.text))).toBe(true);
    expect(attention.blocks.find((b) => b.text.startsWith("Recurrent neural networks, long short-term memory"))?.references).toBe(false);
    expect(attention.blocks.find((b) => b.text.startsWith("Figure 3:"))?.references).toBe(false);
  });

  it("Attention Is All You Need: Figures 1-5 and Tables 1-4, one record each, cropped", async () => {
    const labels = attention.figures.map((f) => f.label).sort();
    expect(labels).toEqual(["Figure 1", "Figure 2", "Figure 3", "Figure 4", "Figure 5", "Table 1", "Table 2", "Table 3", "Table 4"]);
    const pages = Object.fromEntries(attention.figures.map((f) => [f.label, f.page]));
    expect(pages).toMatchObject({ "Figure 1": 3, "Figure 2": 4, "Figure 3": 13, "Figure 4": 14, "Figure 5": 15 });
    expect(attention.figures.find((f) => f.label === "Figure 1")?.caption).toBe("Figure 1: The Transformer - model architecture.");
    expect(attention.figures.find((f) => f.label === "Figure 2")?.mentions.length).toBeGreaterThan(0);
    for (const figure of attention.figures) {
      expect(figure.imageId, figure.label).toBeDefined();
      const [x0, y0, x1, y1] = figure.bbox ?? [0, 0, 0, 0];
      expect((x1 - x0) * (y1 - y0), figure.label).toBeLessThan(0.6 * 612 * 792);
      expect(x1 - x0, figure.label).toBeGreaterThan(100);
      expect(y1 - y0, figure.label).toBeGreaterThan(40);
      const png = await readFile(path.join(imagesDir(), `${figure.imageId}.png`));
      expect(png.readUInt32BE(16), figure.label).toBeGreaterThan(100);
    }
    // Figure 1 (the architecture diagram) is tall, narrower than the page and lies above its caption.
    const [fx0, fy0, fx1, fy1] = attention.figures.find((f) => f.label === "Figure 1")?.bbox ?? [0, 0, 0, 0];
    expect(fy1 - fy0).toBeGreaterThan(250);
    expect(fx1 - fx0).toBeLessThan(300);
  });

  it("Adam: repairs the small-caps title", async () => {
    const adam = await parse("1412.6980.pdf");
    expect(adam.title).toBe("ADAM: A METHOD FOR STOCHASTIC OPTIMIZATION");
    expect(adam.arxivId).toBe("1412.6980");
    expect(adam.year).toBe(2014);
    expect(adam.authors).toEqual(expect.arrayContaining(["Diederik P. Kingma", "Jimmy Lei Ba"]));
    expect(adam.abstract).toMatch(/^We introduce Adam, an algorithm for first-order gradient-based optimization/);
    expect(adam.blocks.some((b) => b.kind === "heading" && b.text === "1 INTRODUCTION")).toBe(true);
  });

  it("Batch Normalization (two columns): the left column's last line is followed by the right column's first", async () => {
    const bn = await parse("1502.03167.pdf");
    const page3 = bn.pages.find((p) => p.page === 3)?.text ?? "";
    const leftEnd = page3.indexOf("can represent the identity transform. To accomplish this,");
    const rightStart = page3.indexOf("we introduce, for each activation x(k), a pair of parameters");
    expect(leftEnd).toBeGreaterThan(0);
    expect(rightStart).toBeGreaterThan(leftEnd);
    expect(rightStart - leftEnd).toBeLessThan(80);
    // Not interleaved: the left column's earlier text comes before, nothing of the right column before it.
    expect(page3.indexOf("Note that simply normalizing each input of a layer")).toBeLessThan(leftEnd);
    expect(page3.indexOf("These parameters are learned along with the original model parameters")).toBeGreaterThan(rightStart);
    expect(bn.authors).toEqual(["Sergey Ioffe", "Christian Szegedy"]);
    expect(bn.blocks.some((b) => b.kind === "heading" && b.text === "2 Towards Reducing Internal Covariate Shift")).toBe(true);
  });

  it("ResNet: a table caption below its table and a figure right under it get their own regions; a sentence starting 'Fig. 4.' is not a caption", async () => {
    const resnet = await parse("1512.03385.pdf", { cropFigures: true, figureDpi: 36 });
    const table1 = resnet.figures.find((f) => f.label === "Table 1");
    const figure4 = resnet.figures.find((f) => f.label === "Figure 4");
    expect(table1?.page).toBe(5);
    expect(figure4?.page).toBe(5);
    expect(table1?.caption).toMatch(/^Table 1\. Architectures for ImageNet/);
    expect(figure4?.caption).toMatch(/^Figure 4\. Training on ImageNet/);
    // Table 1 lies above its caption, Figure 4's plots below it: the two regions do not overlap.
    const [, t0, , t1] = table1?.bbox ?? [0, 0, 0, 0];
    const [, f0] = figure4?.bbox ?? [0, 0, 0, 0];
    expect(t1).toBeLessThanOrEqual(f0);
    expect(t1 - t0).toBeGreaterThan(100);
    expect(resnet.blocks.some((b) => b.text.includes("observations from Table 2 and Fig. 4. First, the situation is reversed"))).toBe(true);
    expect(new Set(resnet.figures.map((f) => f.label)).size).toBe(resnet.figures.length);
  });

  it("RAG and DetectGPT: captions set side by side, or beside body text, each get a record with their own whole caption", async () => {
    const rag = await parse("2005.11401.pdf");
    const caption = (doc: ParsedDocument, label: string) => doc.figures.find((f) => f.label === label)?.caption;
    expect(caption(rag, "Table 1")).toBe("Table 1: Open-Domain QA Test Scores. For TQA, left column uses the standard test set for Open-Domain QA, right column uses the TQA-Wiki test set. See Appendix D for further details.");
    expect(caption(rag, "Table 2")).toBe("Table 2: Generation and classification Test Scores. MS-MARCO SotA is [4], FEVER-3 is [68] and FEVER-2 is [57] *Uses gold context/evidence. Best model without gold access underlined.");
    expect(caption(rag, "Table 4")).toBe("Table 4: Human assessments for the Jeopardy Question Generation Task.");
    expect(caption(rag, "Table 5")).toBe("Table 5: Ratio of distinct to total tri-grams for generation tasks.");
    const vit = await parse("2010.11929.pdf");
    expect(caption(vit, "Figure 3")).toBe("Figure 3: Transfer to ImageNet. While large ViT models perform worse than BiT ResNets (shaded area) when pre-trained on small datasets, they shine when pre-trained on larger datasets. Similarly, larger ViT variants overtake smaller ones as the dataset grows.");
    expect(caption(vit, "Figure 4")).toBe("Figure 4: Linear few-shot evaluation on ImageNet versus pre-training size. ResNets perform better with smaller pre-training datasets but plateau sooner than ViT, which performs better with larger pre-training. ViT-b is ViT-B with all hidden dimensions halved.");
    const detectgpt = await parse("2301.11305.pdf");
    // Its last line, below the text it is set beside, is not yet part of it.
    expect(caption(detectgpt, "Figure 6")).toMatch(/^Figure 6\. DetectGPT performs best when scoring samples with the same model that generated them \(diagonal\), but the column means suggest that some models \(GPT-Neo, GPT- ?2\) may be better ‘scorers’ than others \(GPT-J\)\./);
    // The body text the figure interrupts reads on, its hyphenated line break joined.
    expect(textOf(detectgpt)).toContain("to compute log probabilities. Instead, we use log probabilities computed by a surrogate model B.");
  });

  it("ViT, DetectGPT, BEIR: regions of figures wrapped into the text hold the drawing, not the text beside it", async () => {
    const bbox = async (file: string, label: string) => (await parse(file, { cropFigures: true, figureDpi: 36 })).figures.find((f) => f.label === label)?.bbox ?? [0, 0, 0, 0];
    // ViT's attention maps (x 390-507) beside body text ending at x 375.
    expect((await bbox("2010.11929.pdf", "Figure 6"))[0]).toBeGreaterThan(380);
    // DetectGPT's heatmap sits above its caption (top 578), right of the body text; below the caption is its own text.
    const detectgpt = await parse("2301.11305.pdf", { cropFigures: true, figureDpi: 36 });
    const [dx0, , , dy1] = detectgpt.figures.find((f) => f.label === "Figure 6")?.bbox ?? [0, 0, 0, 0];
    expect(dx0).toBeGreaterThan(400);
    expect(dy1).toBeLessThan(580);
    // With crops, labels drawn inside a region leave the text: the body text beside the heatmap stays.
    expect(textOf(detectgpt)).toContain("Detection when the source model is unknown.");
    expect(textOf(detectgpt)).toContain("candidate passage (and per");
    // BEIR's Table 3 is the right half of the page, beside body text.
    expect((await bbox("2104.08663.pdf", "Table 3"))[0]).toBeGreaterThan(300);
  });

  it("concurrent calls in one thread give the same result as one at a time", async () => {
    const alone = await parse("1810.04805.pdf");
    const [together, other] = await Promise.all([parse("1810.04805.pdf"), parse("2007.01282.pdf")]);
    expect(together.warnings).toEqual([]);
    expect(together.blocks).toEqual(alone.blocks);
    expect(other.pageCount).toBe(6);
  });
});

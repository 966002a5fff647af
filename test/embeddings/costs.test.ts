/**
 * The token cost of each switch (`folio config`, the README's table) against what the Jina
 * wire-format test server counts for the same images, and as `folio config --json` reports it.
 */
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { figureTokens, pageTokens, switchCosts } from "../../src/embeddings/costs.js";
import { runFolio } from "../helpers/cli.js";
import { imageTokens } from "../servers/jina-server.js";

const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: "#ffffff" } }).png().toBuffer();
const DEFAULTS = { pageDpi: 96, figureDpi: 144, chunkTokens: 300, chunkOverlapTokens: 40, topK: 6, rerankFetchFactor: 3 };

describe("token cost of each switch", () => {
  it("gives a page and a figure the tokens the server counts for images of that size", async () => {
    for (const dpi of [72, 96, 150]) {
      expect(pageTokens(dpi), `${dpi} dpi`).toBe(imageTokens(await png(Math.round(8.5 * dpi), Math.round(11 * dpi))));
      expect(figureTokens(dpi), `${dpi} dpi`).toBe(imageTokens(await png(Math.round(3.25 * dpi), Math.round(2.5 * dpi))));
    }
    // An A4 page (what the renderer makes of one at 96 dpi: 793 x 1122) is close to the Letter figure.
    const a4 = imageTokens(await png(793, 1122));
    expect(Math.abs(a4 - pageTokens(96)) / pageTokens(96)).toBeLessThan(0.05);
    // Twice the dpi, about four times the tokens.
    expect(pageTokens(192) / pageTokens(96)).toBeGreaterThan(3.7);
    expect(pageTokens(192) / pageTokens(96)).toBeLessThan(4.1);
  });

  it("scales re-ranking with the sources read and text with the overlap", () => {
    const base = switchCosts(DEFAULTS);
    const more = switchCosts({ ...DEFAULTS, topK: 12 });
    const rerank = (costs: typeof base) => costs.find((c) => c.settings === "FOLIO_RERANK")!;
    expect(rerank(more).tokens).toBe(2 * rerank(base).tokens!);
    expect(base.find((c) => c.settings.startsWith("JINA_API_KEY"))!.note).toContain("15% of the text twice");
    expect(base.find((c) => c.settings === "FOLIO_MULTIVECTOR")!.multiplier).toBe(2);
  });

  it("is in `folio config --json`, following the settings", async () => {
    const costs = async (env: NodeJS.ProcessEnv) => {
      const run = await runFolio(["config", "--json"], { env });
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { tokenCosts: Array<{ settings: string; tokens: number | null }> }).tokenCosts;
    };
    const page = (list: Array<{ settings: string; tokens: number | null }>) => list.find((c) => c.settings.includes("FOLIO_PAGE_DPI"))!.tokens;
    expect(page(await costs({}))).toBe(pageTokens(96));
    expect(page(await costs({ FOLIO_PAGE_DPI: "150" }))).toBe(pageTokens(150));
  });
});

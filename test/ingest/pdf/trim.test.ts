import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { FIGURES } from "../../../src/ingest/pdf/heuristics.js";
import { trimRgbaToInk, trimToInk } from "../../../src/ingest/pdf/render.js";

/** A white PNG of w x h pixels with a black block at [x0, y0, x1, y1) pixels. */
async function pngWithBlock(w: number, h: number, block?: [number, number, number, number]): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3, 255);
  if (block) for (let y = block[1]; y < block[3]; y++) for (let x = block[0]; x < block[2]; x++) data.fill(0, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

describe("trimToInk", () => {
  it("shrinks a crop's box and image to its ink, keeping the padding", async () => {
    // 2 pixels per point: a 100 x 50 pt region at [100, 200], ink from (40, 20) to (120, 60) px.
    const { png, box } = await trimToInk(await pngWithBlock(200, 100, [40, 20, 120, 60]), [100, 200, 200, 250]);
    const pad = FIGURES.padding;
    expect(box).toEqual([100 + 20 - pad, 200 + 10 - pad, 100 + 60 + pad, 200 + 30 + pad]);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([80 + 4 * pad, 40 + 4 * pad]);
  });

  it("keeps a crop whose ink reaches its edges, or that has no ink, as it is", async () => {
    const full = await pngWithBlock(60, 40, [0, 0, 60, 40]);
    expect((await trimToInk(full, [0, 0, 30, 20])).box).toEqual([0, 0, 30, 20]);
    const blank = await pngWithBlock(60, 40);
    const kept = await trimToInk(blank, [5, 5, 35, 25]);
    expect(kept.box).toEqual([5, 5, 35, 25]);
    expect(kept.png).toBe(blank);
  });
});

describe("trimRgbaToInk", () => {
  it("cuts PDFium's RGBA crop to the same box as the PNG path", async () => {
    const [w, h] = [200, 100];
    const data = new Uint8ClampedArray(w * h * 4).fill(255);
    for (let y = 20; y < 60; y++) for (let x = 40; x < 120; x++) data.set([10, 20, 30, 255], (y * w + x) * 4);
    const rgba = trimRgbaToInk({ width: w, height: h, data }, [100, 200, 200, 250]);
    const png = await trimToInk(await pngWithBlock(w, h, [40, 20, 120, 60]), [100, 200, 200, 250]);
    expect(rgba.box).toEqual(png.box);
    expect([rgba.image.width, rgba.image.height]).toEqual([80 + 4 * FIGURES.padding, 40 + 4 * FIGURES.padding]);
    // The first kept row starts with the padding's white, then the ink.
    const firstInk = (2 * FIGURES.padding * rgba.image.width + 2 * FIGURES.padding) * 4;
    expect(Array.from(rgba.image.data.subarray(firstInk, firstInk + 3))).toEqual([10, 20, 30]);
  });
});

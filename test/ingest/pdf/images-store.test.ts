import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { imagePath, saveImage } from "../../../src/store/images.js";
import { useTempDir } from "../../helpers/tmp.js";

const dir = useTempDir("images");

describe("saveImage", () => {
  it("stores a PNG under its content hash, once, leaving no temporary files", async () => {
    const png = Buffer.from("\x89PNG\r\n\x1a\nnot really an image", "latin1");
    const imagesDir = path.join(dir(), "nested", "images");
    const ids = await Promise.all([saveImage(imagesDir, png), saveImage(imagesDir, png), saveImage(imagesDir, png)]);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(createHash("sha256").update(png).digest("hex").slice(0, 16));
    expect(await readFile(imagePath(imagesDir, ids[0] as string))).toEqual(png);
    expect(await readdir(imagesDir)).toEqual([`${ids[0]}.png`]);
    const other = await saveImage(imagesDir, Buffer.from("another"));
    expect(other).not.toBe(ids[0]);
    expect((await readdir(imagesDir)).sort()).toEqual([`${ids[0]}.png`, `${other}.png`].sort());
  });
});

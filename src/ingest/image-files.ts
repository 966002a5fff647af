/**
 * Content-addressed PNGs under the images folder for images ingest itself produces (standalone
 * images, Markdown image links): <sha256>.png, written atomically, never rewritten.
 */
import { createHash } from "node:crypto";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";

export async function saveImagePng(imagesDir: string, png: Buffer): Promise<string> {
  const imageId = createHash("sha256").update(png).digest("hex");
  const target = path.join(imagesDir, `${imageId}.png`);
  try {
    await stat(target);
    return imageId;
  } catch {
    // not there yet
  }
  await mkdir(imagesDir, { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, png);
  await rename(tmp, target);
  return imageId;
}

/**
 * Content-addressed PNG store under FOLIO_HOME, shared by ingest, chat and the server: an image's id
 * is the hex SHA-256 prefix of its bytes and it lives at <imagesDir>/<id>.png. Writes go to a
 * temporary file first and are renamed into place, so a reader never sees half a file and writing
 * the same image twice (or concurrently) is harmless.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ImageStoreApi } from "./types.js";

/** Hex characters of the SHA-256 kept in an image id (64 bits: collisions are not a concern here). */
export const IMAGE_ID_LENGTH = 16;

export function imageIdOf(png: Buffer | Uint8Array): string {
  return createHash("sha256").update(png).digest("hex").slice(0, IMAGE_ID_LENGTH);
}

/**
 * True when an image id from a citation is safe to turn into a file name (letters, digits, "_" and
 * "-": no dots or path separators). The server's route checks the exact hex form instead.
 */
export function isImageId(imageId: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(imageId);
}

export function imagePath(imagesDir: string, imageId: string): string {
  return path.join(imagesDir, `${imageId}.png`);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Writes the PNG under its content hash (once) and returns the image id. */
export async function saveImage(imagesDir: string, png: Buffer | Uint8Array): Promise<string> {
  const imageId = imageIdOf(png);
  const target = imagePath(imagesDir, imageId);
  if (await exists(target)) return imageId;
  await mkdir(imagesDir, { recursive: true });
  const temp = path.join(imagesDir, `.${imageId}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, png);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return imageId;
}

/** The store's images: parsers put PNGs here (an ImageSink), readers find them by id, deletes remove them. */
export class ImageStore implements ImageStoreApi {
  constructor(readonly dir: string) {}

  put(png: Uint8Array): Promise<string> {
    return saveImage(this.dir, png);
  }

  pathOf(imageId: string): string {
    return imagePath(this.dir, imageId);
  }

  /** Removes images by id (ids that are not image ids, or already gone, are passed over). */
  async remove(imageIds: Iterable<string>): Promise<number> {
    let removed = 0;
    for (const id of imageIds) {
      if (!isImageId(id)) continue;
      try {
        await unlink(this.pathOf(id));
        removed++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return removed;
  }
}

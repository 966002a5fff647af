/**
 * GET /figures/:id and GET /pages/:id: the PNGs under FOLIO_HOME/images, addressed by image id only
 * (a SHA-256 hex prefix of the PNG). Anything else is refused before the file system is touched.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Router } from "express";
import { IMAGE_ID_LENGTH, imagePath } from "../../store/images.js";
import type { ServerContext } from "../context.js";
import { HttpError } from "../http-errors.js";

/** Ingest names every image by a SHA-256 hex prefix of its bytes (src/store/images.ts). */
export const IMAGE_ID_PATTERN = new RegExp(`^[0-9a-f]{${IMAGE_ID_LENGTH}}$`);

export function imagesRouter(ctx: ServerContext): Router {
  const router = Router();
  const imagesDir = path.resolve(ctx.config.ingest.imagesDir);
  for (const [route, what] of [
    ["/figures/:id", "figure"],
    ["/pages/:id", "page"],
  ] as const) {
    router.get(route, async (req, res) => {
      const id = req.params.id ?? "";
      if (!IMAGE_ID_PATTERN.test(id)) {
        throw new HttpError(400, "INPUT", `Not a ${what} image id: ids are ${IMAGE_ID_LENGTH} lowercase hex characters.`, "Use the imageId or imageUrl of a citation or search hit.");
      }
      const file = imagePath(imagesDir, id);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new HttpError(404, "NOT_FOUND", `No ${what} image ${id}.`, "Use the imageUrl of a current citation or search hit; re-ingest if images were deleted.");
      res.setHeader("Content-Type", "image/png");
      res.setHeader("Content-Length", String(info.size));
      // Content-addressed: the bytes behind an id never change.
      res.setHeader("Cache-Control", "private, max-age=31536000, immutable");
      res.setHeader("ETag", `"${id}"`);
      if (req.get("if-none-match") === `"${id}"`) {
        res.status(304).end();
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const stream = createReadStream(file);
        stream.on("error", reject);
        res.on("close", () => {
          stream.destroy();
          resolve();
        });
        stream.pipe(res);
      });
    });
  }
  return router;
}

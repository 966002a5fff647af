import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../../errors.js";

/** A local image path given on the command line must exist; URLs and data URIs pass through. */
export function checkImageArgument(image: string, cwd: string): void {
  if (/^(https?:|data:)/i.test(image)) return;
  const full = path.resolve(cwd, image);
  if (!existsSync(full) || !statSync(full).isFile()) throw new InputError(`Image not found: ${image}`, "Give the path of a PNG, JPEG or WebP file, or an http(s) URL.");
}

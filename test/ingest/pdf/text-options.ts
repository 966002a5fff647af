import type { ParseOptions } from "../../../src/ingest/types.js";
import { ImageStore } from "../../../src/store/images.js";

/** Parse options for text-pass tests: no crops, no page renders. */
export function textOnlyOptions(imagesDir: string, extra: Partial<ParseOptions> = {}): ParseOptions {
  return { images: new ImageStore(imagesDir), renderPages: false, pageDpi: 50, cropFigures: false, figureDpi: 72, maxPages: 2000, maxImagePixels: 4_000_000, ...extra };
}

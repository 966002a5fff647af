/**
 * Content-addressed PNGs for images ingest itself produces (standalone images, Markdown image
 * links), through the shared images store so ids look like the PDF parser's.
 */
import { saveImage } from "../store/images.js";

export async function saveImagePng(imagesDir: string, png: Buffer): Promise<string> {
  return saveImage(imagesDir, png);
}

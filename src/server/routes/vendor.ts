/**
 * pdf.js for the web page's PDF viewer, served from the pdfjs-dist package Folio already depends on
 * (no CDN): /vendor/pdfjs/build (the module and its worker), /cmaps and /standard_fonts (what pdf.js
 * fetches for CJK text and for PDFs that use the standard fonts without embedding them).
 */
import { createRequire } from "node:module";
import path from "node:path";
import express, { Router } from "express";

export const PDFJS_PREFIX = "/vendor/pdfjs";

export function vendorRouter(): Router {
  const router = Router();
  const root = path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));
  // The files are versioned with the package: a day's caching is safe and saves the 1 MB worker.
  const options = { dotfiles: "ignore" as const, index: false as const, redirect: false, maxAge: "1d", fallthrough: true };
  for (const dir of ["build", "cmaps", "standard_fonts"]) router.use(`${PDFJS_PREFIX}/${dir}`, express.static(path.join(root, dir), options));
  return router;
}

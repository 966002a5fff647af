/**
 * Loads pdf.js (legacy build, the one that runs on Node 20) once, with its worker in the same
 * thread, and builds the document options every caller needs (fonts, CMaps, no eval, quiet).
 */
import { createRequire } from "node:module";
import path from "node:path";

type PdfjsModule = typeof import("pdfjs-dist/legacy/build/pdf.mjs");

let loading: Promise<PdfjsModule> | undefined;

/**
 * The legacy build bundles core-js, which on Node 20 (V8 < 12.2) replaces Array.prototype.push and
 * JSON.parse process-wide with spec-edge-case polyfills that are several times slower (push was the
 * top of the profile of font parsing). Neither edge case (arrays of 2^32 elements, JSON.parse source
 * text access) matters to anyone here, so the native functions are put back once both modules load.
 */
async function load(): Promise<PdfjsModule> {
  const nativePush = Array.prototype.push;
  const nativeJsonParse = JSON.parse;
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  // Pre-loading the worker module sets globalThis.pdfjsWorker, which pdf.js then uses in-thread.
  const workerModule = "pdfjs-dist/legacy/build/pdf.worker.mjs";
  await import(workerModule);
  if (Array.prototype.push !== nativePush) {
    Object.defineProperty(Array.prototype, "push", { value: nativePush, writable: true, configurable: true, enumerable: false });
  }
  if (JSON.parse !== nativeJsonParse) {
    Object.defineProperty(JSON, "parse", { value: nativeJsonParse, writable: true, configurable: true, enumerable: false });
  }
  return pdfjs;
}

export function loadPdfjs(): Promise<PdfjsModule> {
  loading ??= load();
  return loading;
}

interface AssetDirs {
  standardFonts: string;
  cMaps: string;
  wasm: string;
}
let assetDirs: AssetDirs | undefined;

/** Folders of pdf.js's standard fonts, CMaps and decoders (trailing slash: pdf.js appends file names). */
export function pdfjsAssetDirs(): AssetDirs {
  if (!assetDirs) {
    const require = createRequire(import.meta.url);
    const root = path.dirname(require.resolve("pdfjs-dist/package.json"));
    const dir = (name: string) => path.join(root, name) + path.sep;
    assetDirs = { standardFonts: dir("standard_fonts"), cMaps: dir("cmaps"), wasm: dir("wasm") };
  }
  return assetDirs;
}

/** Options for getDocument: in-memory data (copied: pdf.js detaches the buffer it is given), quiet, no eval. */
export async function documentOptions(data: Uint8Array) {
  const pdfjs = await loadPdfjs();
  const dirs = pdfjsAssetDirs();
  return {
    data: new Uint8Array(data),
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: dirs.standardFonts,
    cMapUrl: dirs.cMaps,
    cMapPacked: true,
    wasmUrl: dirs.wasm,
    stopAtErrors: false,
  };
}

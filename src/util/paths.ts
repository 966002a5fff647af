/** Locations inside the installed package (prompts, demo data, web page), independent of the working directory. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/** The folder holding Folio's package.json, found by walking up from this file (works from src/ and dist/). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "prompts"))) return (cachedRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("Folio's package root (with package.json and prompts/) was not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function packagePath(...segments: string[]): string {
  return path.join(packageRoot(), ...segments);
}

/** Folio's version, from its package.json. */
export function folioVersion(): string {
  const parsed = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "0.0.0";
}

/**
 * The README's settings table is generated from the settings schema (src/config.ts):
 *   npm run docs:settings        # rewrites the table between the markers in README.md
 * The test beside this file fails when the README's table is not what the schema gives.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { settingsMarkdown } from "../../src/config.js";

export const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../README.md");
const START = /<!-- settings:start[^>]*-->\n/;
const END = "\n<!-- settings:end -->";

/** The table between the markers, as the README has it. */
export function readmeTable(readme: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < 0) throw new Error("README.md has no <!-- settings:start --> ... <!-- settings:end --> block");
  return readme.slice(start.index + start[0].length, end);
}

export function withTable(readme: string, table: string): string {
  const current = readmeTable(readme);
  const at = readme.indexOf(current, START.exec(readme)!.index);
  return readme.slice(0, at) + table + readme.slice(at + current.length);
}

if (process.argv.includes("--write")) {
  const readme = fs.readFileSync(README, "utf8");
  fs.writeFileSync(README, withTable(readme, settingsMarkdown()));
  console.log(`README.md: settings table written (${settingsMarkdown().split("\n").length - 2} settings)`);
}

/**
 * The prompts live as files in `prompts/` at the package root (shipped with the package), so they
 * can be read and edited without touching code. Resolved from this module's location, not the cwd.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, errorMessage } from "../errors.js";

export const PROMPT_NAMES = ["system", "answer", "condense"] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];
export type PromptSet = Record<PromptName, string>;

/** Placeholders each prompt must contain (the chain fills them). */
const REQUIRED_VARIABLES: Record<PromptName, string[]> = {
  system: [],
  answer: ["{sources}", "{question}"],
  condense: ["{history}", "{question}"],
};

/** The package root: the nearest folder above this module holding both package.json and prompts/. */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "prompts"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new ConfigError("Cannot find Folio's prompts/ folder.", "Reinstall the package: prompts/ ships next to package.json.");
    }
    dir = parent;
  }
}

const cache = new Map<string, PromptSet>();

/** Reads system.md, answer.md and condense.md from `dir` (default: <package root>/prompts). */
export function loadPrompts(dir: string = path.join(packageRoot(), "prompts")): PromptSet {
  const cached = cache.get(dir);
  if (cached) return cached;
  const prompts = {} as PromptSet;
  for (const name of PROMPT_NAMES) {
    const file = path.join(dir, `${name}.md`);
    let text: string;
    try {
      text = readFileSync(file, "utf8").trim();
    } catch (error) {
      throw new ConfigError(`Cannot read the prompt file ${file}: ${errorMessage(error)}`, "Restore the file from the package (prompts/ at the package root).");
    }
    for (const variable of REQUIRED_VARIABLES[name]) {
      if (!text.includes(variable)) throw new ConfigError(`The prompt file ${file} lacks the placeholder ${variable}.`, `Add ${variable} where the chain should insert it.`);
    }
    prompts[name] = text;
  }
  cache.set(dir, prompts);
  return prompts;
}

/** Escapes literal braces so a prompt file's text is safe as an f-string template (keeps the known placeholders). */
export function toTemplate(text: string, variables: string[]): string {
  let out = text.replace(/\{/g, "{{").replace(/\}/g, "}}");
  for (const v of variables) out = out.split(`{{${v}}}`).join(`{${v}}`);
  return out;
}

/**
 * What `folio` loads before it answers: the real executable (src/cli/main.ts through tsx) runs with
 * a module-resolution hook that records every module it resolves. --help and config must not load
 * any subsystem; a plain BM25 search must not load LangChain, the PDF stack, the HTTP server or a
 * stemmer its English query does not need. (Start-up times are measured by `npm run bench:startup`;
 * nothing here is timed.)
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openChatFixture, type ChatFixture } from "../helpers/corpus.js";
import { removeDir, tempDir } from "../helpers/tmp.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MAIN = path.join(REPO, "src", "cli", "main.ts");
/** tsx's loader by absolute URL (`--import tsx` would resolve from the child's working directory). */
const TSX = pathToFileURL(path.join(REPO, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** Packages no command may load before it needs them: LangChain and the LLM client, PDF parsing and rendering, image processing, the HTTP and MCP servers. */
const SUBSYSTEMS = ["@langchain/", "langchain", "openai", "pdfjs-dist", "@embedpdf/pdfium", "sharp", "@napi-rs/canvas", "express", "@modelcontextprotocol/sdk", "cli-progress"];
/** An English BM25 query needs no other language's stemmer and no language detector. */
const OTHER_LANGUAGES = ["@orama/stemmers", "tinyld"];

/** Registered after tsx's, so it sees every resolution first and records what tsx and Node resolve it to. */
const HOOKS = `
import { appendFileSync } from "node:fs";
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(out, resolved.url + "\\n");
  return resolved;
}
`;
const REGISTER = `
import { register } from "node:module";
register(new URL("./hooks.mjs", import.meta.url), { data: { out: process.env.FOLIO_TEST_RESOLVED } });
`;

let dir: string;
let fx: ChatFixture;
let runs = 0;

beforeAll(async () => {
  dir = await tempDir("startup-imports");
  await writeFile(path.join(dir, "hooks.mjs"), HOOKS);
  await writeFile(path.join(dir, "register.mjs"), REGISTER);
  fx = await openChatFixture();
  // The child opens the store itself.
  await fx.store.close();
}, 120_000);
afterAll(async () => {
  await fx?.close();
  await removeDir(dir);
});

/** Runs `folio <args>` and returns its exit code, output and the packages (or files) it resolved. */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; packages: Set<string> }> {
  const out = path.join(dir, `resolved-${++runs}.txt`);
  await writeFile(out, "");
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, FOLIO_HOME: fx.home, FOLIO_TEST_RESOLVED: out };
  const child = spawn(process.execPath, ["--import", TSX, "--import", pathToFileURL(path.join(dir, "register.mjs")).href, MAIN, ...args], { cwd: fx.home, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const packages = new Set<string>();
  for (const url of (await readFile(out, "utf8")).split("\n")) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m?.[1]) packages.add(m[1]);
  }
  return { code, stdout, stderr, packages };
}

function loadedOf(packages: Set<string>, forbidden: string[]): string[] {
  return [...packages].filter((p) => forbidden.some((f) => (f.endsWith("/") ? p.startsWith(f) : p === f)));
}

describe("what a command loads before it answers", () => {
  it("--help loads commander and no subsystem", async () => {
    const help = await run(["--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("search");
    // The hook works: commander was seen.
    expect(help.packages).toContain("commander");
    expect(loadedOf(help.packages, SUBSYSTEMS)).toEqual([]);
    // Nor the store: --help opens nothing.
    expect(loadedOf(help.packages, ["lmdb", "@qdrant/js-client-rest", ...OTHER_LANGUAGES])).toEqual([]);
  }, 60_000);

  it("config loads no subsystem and no store", async () => {
    const config = await run(["config", "--json"]);
    expect(config.code, config.stderr).toBe(0);
    expect(JSON.parse(config.stdout)).toHaveProperty("store");
    expect(loadedOf(config.packages, [...SUBSYSTEMS, "lmdb", "@qdrant/js-client-rest", ...OTHER_LANGUAGES])).toEqual([]);
  }, 60_000);

  it("a BM25 search opens the store without LangChain, the PDF stack or the server", async () => {
    const search = await run(["search", "residual connections", "--json"]);
    expect(search.code, search.stderr).toBe(0);
    const results = (JSON.parse(search.stdout) as { results: Array<{ docId: string }> }).results;
    expect(results[0]?.docId).toBe("resnet-2015");
    expect(search.packages).toContain("lmdb");
    expect(loadedOf(search.packages, [...SUBSYSTEMS, ...OTHER_LANGUAGES])).toEqual([]);
  }, 60_000);
});

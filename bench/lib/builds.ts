/**
 * The two builds the store benchmark compares: this repository's dist/ ("new", built with
 * `npm run build`) and today's layout ("baseline", commit BASELINE_COMMIT), built once into a git
 * worktree under os.tmpdir() that later runs reuse.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Schemas } from "@qdrant/js-client-rest";
import { errorText, log } from "./util.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Today's layout: main's HEAD before the store rewrite. */
export const BASELINE_COMMIT = "5e265fa";
const BASELINE_DIR = path.join(os.tmpdir(), `folio-bench-baseline-${BASELINE_COMMIT}`);
/** Written into the worktree once its build succeeded; its content is the full commit id. */
const BUILT_MARKER = ".folio-bench-built";

/** The part of LocalQdrantClient the benchmark calls (both builds have it; compact() only the new one). */
export interface LocalClient {
  createCollection(name: string, args: Schemas["CreateCollection"]): Promise<boolean>;
  createPayloadIndex(name: string, args: { field_name: string; field_schema: Schemas["PayloadSchemaType"]; wait?: boolean }): Promise<unknown>;
  collectionExists(name: string): Promise<{ exists: boolean }>;
  upsert(name: string, args: { wait?: boolean; points: Array<{ id: string | number; vector: unknown; payload?: Record<string, unknown> }> }): Promise<unknown>;
  scroll(name: string, args: { limit?: number; offset?: string | number | null; with_payload?: boolean; with_vector?: boolean }): Promise<Schemas["ScrollResult"]>;
  count(name: string, args?: { exact?: boolean }): Promise<{ count: number }>;
  query(name: string, args: Record<string, unknown>): Promise<Schemas["QueryResponse"]>;
  close(): Promise<void>;
  compact?: () => Promise<void>;
}

export interface Build {
  label: "new" | "baseline";
  /** Folder with package.json, dist/ and prompts/. */
  root: string;
  /** node <cli> is `folio`. */
  cli: string;
  /** Absolute path of a module in dist/ (e.g. "store/local/index.js"). */
  dist(modulePath: string): string;
  /** Constructs this build's LocalQdrantClient in this process. */
  openClient(storePath: string): Promise<LocalClient>;
  /** This build's documentPointId (registry record ids). */
  documentPointId(docId: string): Promise<string>;
  /** Set when the build could not be made and an older dist/ is measured. */
  note?: string;
}

function makeBuild(label: Build["label"], root: string): Build {
  const dist = (modulePath: string) => path.join(root, "dist", modulePath);
  const load = async <T>(modulePath: string) => (await import(pathToFileURL(dist(modulePath)).href)) as T;
  return {
    label,
    root,
    cli: dist("cli/main.js"),
    dist,
    openClient: async (storePath) => {
      const { LocalQdrantClient } = await load<{ LocalQdrantClient: new (options: { path: string }) => LocalClient }>("store/local/index.js");
      return new LocalQdrantClient({ path: storePath });
    },
    documentPointId: async (docId) => (await load<{ documentPointId: (id: string) => string }>("store/ids.js")).documentPointId(docId),
  };
}

/** `tsc -p tsconfig.build.json` (what `npm run build` runs); with noEmitOnError a failed build leaves dist/ as it was. */
function tsc(cwd: string): void {
  execFileSync(process.execPath, [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--noEmitOnError"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

/** The first lines of tsc's diagnostics (it prints them on stdout). */
function tscErrors(error: unknown): string {
  const out = String((error as { stdout?: unknown }).stdout ?? "") + String((error as { stderr?: unknown }).stderr ?? "");
  const lines = out.trim().split("\n");
  return lines.length ? `${lines.slice(0, 5).join("\n  ")}${lines.length > 5 ? `\n  ... (${lines.length} lines)` : ""}` : errorText(error);
}

/** What a snapshot of the package copies besides node_modules (symlinked): Folio finds its root by package.json and prompts/. */
const SNAPSHOT_ENTRIES = ["dist", "prompts", "web", "package.json"];

/**
 * This repository's build (`npm run build` first unless skipBuild; the dist/ already there is used
 * when the build fails), copied into a temporary folder so that a rebuild of dist/ during the run
 * (another engineer's `npm run build`) cannot mix two versions in one run. removeSnapshot() deletes it.
 */
export function newBuild(skipBuild: boolean): Build {
  const note = buildRepository(skipBuild);
  const snapshot = fs.mkdtempSync(path.join(os.tmpdir(), "folio-bench-new-"));
  for (const entry of SNAPSHOT_ENTRIES) fs.cpSync(path.join(REPO_ROOT, entry), path.join(snapshot, entry), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(snapshot, "node_modules"), "dir");
  const build = makeBuild("new", snapshot);
  if (note) build.note = note;
  return build;
}

export function removeSnapshot(build: Build): void {
  if (build.label === "new" && build.root !== REPO_ROOT) fs.rmSync(build.root, { recursive: true, force: true });
}

/** Runs the build; returns a note when dist/ is not fresh from this tree. */
function buildRepository(skipBuild: boolean): string | undefined {
  const cli = path.join(REPO_ROOT, "dist/cli/main.js");
  const builtAt = () => fs.statSync(path.join(REPO_ROOT, "dist/store/local/client.js")).mtime.toISOString();
  if (skipBuild) return `--no-build: the dist/ built ${builtAt()} was measured`;
  log("building this repository (tsc -p tsconfig.build.json, as npm run build, but not writing dist/ on errors)...");
  try {
    tsc(REPO_ROOT);
    return undefined;
  } catch (error) {
    if (!fs.existsSync(cli)) throw new Error(`the build failed and there is no dist/:\n  ${tscErrors(error)}`);
    const note = `the build failed, so the dist/ built ${builtAt()} was measured`;
    log(`WARNING: ${note}:\n  ${tscErrors(error)}`);
    return note;
  }
}

/** The commit of this working tree, e.g. "4b2da9d" or "4b2da9d + uncommitted changes in src/". */
export function describeWorkingTree(): string {
  const head = git(["rev-parse", "--short", "HEAD"]);
  return git(["status", "--porcelain", "--", "src"]) ? `${head} + uncommitted changes in src/` : head;
}

function git(args: string[], cwd = REPO_ROOT): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The baseline's build, made on first use: a detached worktree of BASELINE_COMMIT with this repo's node_modules. */
export function baselineBuild(): Build {
  const commit = git(["rev-parse", `${BASELINE_COMMIT}^{commit}`]);
  const marker = path.join(BASELINE_DIR, BUILT_MARKER);
  if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8").trim() === commit) return makeBuild("baseline", BASELINE_DIR);
  log(`building the baseline (${BASELINE_COMMIT}) into ${BASELINE_DIR} (once; later runs reuse it)...`);
  if (fs.existsSync(BASELINE_DIR)) {
    try {
      git(["worktree", "remove", "--force", BASELINE_DIR]);
    } catch {
      /* not a registered worktree (left over from another clone): removed below */
    }
    fs.rmSync(BASELINE_DIR, { recursive: true, force: true });
  }
  git(["worktree", "prune"]);
  git(["worktree", "add", "--detach", BASELINE_DIR, commit]);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(BASELINE_DIR, "node_modules"), "dir");
  try {
    tsc(BASELINE_DIR);
  } catch (error) {
    throw new Error(`the baseline's build failed:\n  ${tscErrors(error)}`);
  }
  fs.writeFileSync(marker, `${commit}\n`);
  return makeBuild("baseline", BASELINE_DIR);
}

/** Temp directories for tests: create, remove, and a per-test lifecycle. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `folio-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** One temp dir for the file's tests (made in beforeAll, removed in afterAll); call the result for its path. */
export function useTempDir(prefix: string): () => string {
  let dir = "";
  beforeAll(async () => {
    dir = await tempDir(prefix);
  });
  afterAll(async () => {
    await removeDir(dir);
  });
  return () => dir;
}

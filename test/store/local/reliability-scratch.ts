/** Fresh folders and child clients for one reliability test file, cleaned up after it. */
import fs from "node:fs";
import { afterAll } from "vitest";
import { ChildClient, tmpDir } from "./reliability-workload.js";

export interface Scratch {
  /** A new empty folder, removed after the file's tests. */
  folder(prefix: string): string;
  /** A child client, stopped after the file's tests. */
  start(...args: Parameters<typeof ChildClient.start>): ChildClient;
}

export function useScratch(): Scratch {
  const dirs: string[] = [];
  const children: ChildClient[] = [];
  afterAll(() => {
    for (const c of children) c.kill();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return {
    folder(prefix) {
      const d = tmpDir(prefix);
      dirs.push(d);
      return d;
    },
    start(...args) {
      const c = ChildClient.start(...args);
      children.push(c);
      return c;
    },
  };
}

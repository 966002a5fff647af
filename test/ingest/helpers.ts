/** Shared helpers for ingest tests: temp homes, the real embedded store, the shared corpus. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FolioConfig } from "../../src/config.js";
import { openFolioStore } from "../../src/store/index.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { ingestOptionsFromConfig, type IngestOptions } from "../../src/ingest/index.js";
import { testConfig } from "../helpers/config.js";
import { removeDir, tempDir } from "../helpers/tmp.js";

export { testConfig } from "../helpers/config.js";
export { removeDir, tempDir } from "../helpers/tmp.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CORPUS = path.resolve(REPO_ROOT, "../shared/corpus");
export const PAPERS = path.join(CORPUS, "papers");
export const FIGURES = path.join(CORPUS, "figures", "1706.03762");
export const hasCorpus = existsSync(PAPERS);
/** The corpus's papers are there (checked by the first of them, 1706.03762.pdf), not just its folder. */
export const hasCorpusPapers = existsSync(path.join(PAPERS, "1706.03762.pdf"));
export const hasFigures = existsSync(FIGURES);

export async function openStore(config: FolioConfig): Promise<FolioStoreApi> {
  return openFolioStore(config, null);
}

/** Runs `fn` with the real store in a fresh temp dir (FOLIO_HOME is `dir`/home), then closes the store and removes the dir. */
export async function withTempStore<T>(prefix: string, fn: (t: { dir: string; config: FolioConfig; store: FolioStoreApi }) => Promise<T>): Promise<T> {
  const dir = await tempDir(prefix);
  const config = testConfig(path.join(dir, "home"));
  const store = await openStore(config);
  try {
    return await fn({ dir, config, store });
  } finally {
    await store.close();
    await removeDir(dir);
  }
}

export function optionsFor(config: FolioConfig, extra: Partial<IngestOptions> = {}): IngestOptions {
  return ingestOptionsFromConfig(config, extra);
}

/** The real store, with its writes counted (to assert that an unchanged re-run writes nothing). */
export function countWrites(store: FolioStoreApi): { store: FolioStoreApi; writes: { put: number; delete: number } } {
  const writes = { put: 0, delete: 0 };
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if ((prop === "putDocument" || prop === "putEmbedded") && typeof value === "function") {
        return (...args: unknown[]) => {
          writes.put++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (prop === "deleteDocument" && typeof value === "function") {
        return (...args: unknown[]) => {
          writes.delete++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, writes };
}

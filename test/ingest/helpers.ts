/** Shared helpers for ingest tests: temp homes, the real embedded store, the shared corpus. */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type FolioConfig } from "../../src/config.js";
import { openFolioStore } from "../../src/store/index.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { ingestOptionsFromConfig, type IngestOptions } from "../../src/ingest/index.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CORPUS = path.resolve(REPO_ROOT, "../shared/corpus");
export const PAPERS = path.join(CORPUS, "papers");
export const FIGURES = path.join(CORPUS, "figures", "1706.03762");
export const hasCorpus = existsSync(PAPERS);
export const hasFigures = existsSync(FIGURES);

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `folio-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function testConfig(home: string, overrides: Record<string, string | number> = {}): FolioConfig {
  // An empty environment: embedded store, BM25 only, whatever the developer's shell says.
  return loadConfig({ FOLIO_HOME: home, ...overrides }, {}, home);
}

export async function openStore(config: FolioConfig): Promise<FolioStoreApi> {
  return openFolioStore(config, null);
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
      if (prop === "putDocument" && typeof value === "function") {
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

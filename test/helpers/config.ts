/** The config tests run with. */
import { loadConfig, type FolioConfig } from "../../src/config.js";

/** A config from an empty environment (embedded store, BM25 only, extractive: whatever the developer's shell says) plus `env`. */
export function testConfig(home: string, env: Record<string, string | number | boolean> = {}): FolioConfig {
  return loadConfig({ FOLIO_HOME: home, ...env }, {}, home);
}

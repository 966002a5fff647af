/**
 * The server tests' and the web test's homes and config: the shared test corpus
 * (test/helpers/corpus.ts) in a temp FOLIO_HOME, served on 127.0.0.1 port 0.
 */
import type { FolioConfig } from "../../src/config.js";
import { testConfig as baseTestConfig } from "../helpers/config.js";
import { tempDir } from "../helpers/tmp.js";

export { removeDir } from "../helpers/tmp.js";

export async function tempHome(prefix = "server"): Promise<string> {
  return tempDir(prefix);
}

/** testConfig (empty environment plus overrides) listening on 127.0.0.1 port 0, plus server overrides. */
export function testConfig(home: string, env: Record<string, string | number> = {}, server: Partial<FolioConfig["server"]> = {}): FolioConfig {
  const base = baseTestConfig(home, env);
  return { ...base, server: { ...base.server, host: "127.0.0.1", port: 0, ...server } };
}

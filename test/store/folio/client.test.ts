import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { StoreError } from "../../../src/errors.js";
import { createQdrantClient, isLocalClient, openFolioStore } from "../../../src/store/index.js";
import { LocalQdrantClient } from "../../../src/store/local/index.js";

describe("createQdrantClient", () => {
  it("is the embedded local store without QDRANT_URL", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "folio-client-test-"));
    const client = createQdrantClient(loadConfig({ FOLIO_HOME: home }, {}));
    expect(client).toBeInstanceOf(LocalQdrantClient);
    expect(isLocalClient(client)).toBe(true);
    const closable = client as unknown as { close?: () => unknown };
    if (typeof closable.close === "function") await closable.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("an unreachable server is a StoreError saying what to do, without the api key", async () => {
    const apiKey = "qdrant-secret-key-123456";
    const config = loadConfig({ QDRANT_URL: "http://127.0.0.1:9", QDRANT_API_KEY: apiKey }, {});
    const client = createQdrantClient(config);
    expect(isLocalClient(client)).toBe(false);
    const error = await openFolioStore(config, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const storeError = error as StoreError;
    expect(storeError.message).toContain("http://127.0.0.1:9");
    expect(storeError.hint).toContain("QDRANT_URL");
    expect(storeError.hint).toContain("docker run -p 6333:6333 qdrant/qdrant");
    expect(`${storeError.message} ${storeError.hint} ${storeError.toUserString()}`).not.toContain(apiKey);
  });
});

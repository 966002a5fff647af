import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddings } from "../../src/embeddings/index.js";
import { ingest } from "../../src/ingest/index.js";
import { openFolioStore } from "../../src/store/index.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { optionsFor, removeDir, tempDir, testConfig } from "./helpers.js";
import { makePaperPdf } from "./pdf-fixtures.js";

let root: string;
let server: JinaTestServer;
let store: FolioStoreApi;

beforeAll(async () => {
  root = await tempDir("ingest-dense");
  server = await startJinaTestServer({ latencyMs: 1, recordBodies: true });
});
afterAll(async () => {
  await store?.close();
  await server?.close();
  await removeDir(root);
});

function hasImageInput(body: unknown): boolean {
  const input = (body as { input?: unknown })?.input;
  return Array.isArray(input) && input.some((i) => typeof i === "object" && i !== null && "image" in i);
}

describe("ingest with Jina embeddings (local Jina test server)", () => {
  it("renders pages when images can be embedded, sends figure and page images, and re-runs without a request", async () => {
    const dir = path.join(root, "papers");
    await mkdir(dir);
    await writeFile(
      path.join(dir, "paper.pdf"),
      await makePaperPdf("Late Interaction", [
        { heading: "1 Introduction", paragraphs: ["Late interaction keeps one vector per token. ".repeat(8)] },
        { heading: "2 Model", paragraphs: ["As Figure 1 shows, MaxSim sums the best matches. ".repeat(6)], figureCaption: "Figure 1: MaxSim between query and document tokens." },
      ]),
    );
    const config = testConfig(path.join(root, "home"), { JINA_BASE_URL: server.url, JINA_DIMENSIONS: 128 });
    store = await openFolioStore(config, createEmbeddings(config));
    expect(store.capabilities.images).toBe(true);

    const summary = await ingest(store, [dir], optionsFor(config));
    expect(summary.skipped).toEqual([]);
    expect(summary.ingested).toBe(1);
    expect(await store.count({ kinds: ["page"] })).toBe(2);
    const pages = await store.search({ text: "late interaction", mode: "sparse", k: 5, filters: { kinds: ["page"] } });
    for (const page of pages) expect(existsSync(path.join(config.ingest.imagesDir, `${page.metadata.imageId}.png`))).toBe(true);
    expect(server.requests.some((r) => hasImageInput(r.body))).toBe(true);
    const dense = await store.search({ text: "MaxSim token matches", mode: "dense", k: 3 });
    expect(dense.length).toBeGreaterThan(0);

    server.reset();
    const again = await ingest(store, [dir], optionsFor(config));
    expect(again).toMatchObject({ unchanged: 1, ingested: 0 });
    expect(server.requests).toHaveLength(0);
  });
});

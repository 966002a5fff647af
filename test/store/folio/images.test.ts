/** The store's images go with their documents: a delete, a re-put without a figure and a reset remove what nothing else uses. */
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { openFolioStore } from "../../../src/store/index.js";
import type { ChunkInput } from "../../../src/store/types.js";
import { cleanup, docInput, meta, testClient, testConfig } from "./helpers.js";

afterAll(cleanup);

/** A distinct PNG-looking payload per seed (the store keeps bytes; it does not decode them). */
function png(seed: string): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`image ${seed}`)]);
}

function figure(docId: string, index: number, imageId: string): ChunkInput {
  return { text: `Figure ${index + 1}: a plot.`, metadata: meta(docId, "figure", index, { imageId, figureLabel: `Figure ${index + 1}`, caption: `Figure ${index + 1}: a plot.` }) };
}

describe("images of stored documents", () => {
  it("are removed with the last document that uses them, and all of them by a reset", async () => {
    const config = testConfig();
    const store = await openFolioStore(config, null, { client: testClient(config) });
    const shared = await store.images.put(png("shared"));
    const onlyA = await store.images.put(png("a"));
    const onlyB = await store.images.put(png("b"));
    const text = (docId: string): ChunkInput => ({ text: "Residual learning eases the training of deep networks.", metadata: meta(docId, "text", 0) });
    const a = [text("a"), figure("a", 0, shared), figure("a", 1, onlyA)];
    const b = [text("b"), figure("b", 0, shared), figure("b", 1, onlyB)];
    await store.putDocument(docInput("a", a), a);
    await store.putDocument(docInput("b", b), b);
    const exists = (id: string) => fs.existsSync(store.images.pathOf(id));
    expect([shared, onlyA, onlyB].every(exists)).toBe(true);

    await store.deleteDocument("a");
    expect(exists(onlyA)).toBe(false); // only "a" used it
    expect(exists(shared)).toBe(true); // "b" still does
    expect(exists(onlyB)).toBe(true);

    // b again without its second figure: that figure's image goes, the shared one stays
    const bAgain = [text("b"), figure("b", 0, shared)];
    await store.putDocument(docInput("b", bAgain), bAgain);
    expect(exists(onlyB)).toBe(false);
    expect(exists(shared)).toBe(true);

    await store.drop();
    expect(exists(shared)).toBe(false);
    await store.close();
  });
});

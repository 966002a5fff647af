/** Why a filtered search found nothing: unknown paper ids, keys without metadata., kinds not stored. Real store. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closestIds, explainNoMatch, unprefixedKeys } from "../../src/chat/filter-hints.js";
import { openFolioStore } from "../../src/store/index.js";
import { testConfig } from "../helpers/config.js";
import { useChatFixture } from "../helpers/corpus.js";
import { removeDir, tempDir } from "../helpers/tmp.js";

const fx = useChatFixture();

describe("explaining a filter that matched nothing", () => {
  it("suggests the closest stored ids for an unknown paper id", async () => {
    const reasons = await explainNoMatch({ docIds: ["attention-2071", "resnet-2015"] }, fx().store);
    expect(reasons).toEqual(['No paper with id "attention-2071" is stored; did you mean "attention-2017"? (`folio docs` lists the ids.)']);
    expect(await explainNoMatch({ docIds: ["zzzzzzzzzzzzzzzzzz"] }, fx().store)).toEqual(['No paper with id "zzzzzzzzzzzzzzzzzz" is stored. (`folio docs` lists the ids.)']);
    expect(closestIds("resnet", await fx().store.listDocuments())).toEqual(["resnet-2015"]);
  });

  it("names filter keys that lack the metadata. prefix", async () => {
    const filter = { must: [{ key: "page", range: { lte: 3 } }, { should: [{ key: "metadata.kind", match: { value: "figure" } }, { key: "figureLabel", match: { value: "Figure 1" } }] }] };
    expect(unprefixedKeys(filter)).toEqual(["page", "figureLabel"]);
    const reasons = await explainNoMatch({ qdrantFilter: filter }, fx().store);
    expect(reasons[0]).toBe('The filter key "page" matches nothing: fields live under metadata., so write "metadata.page".');
    expect(unprefixedKeys({ must: [{ key: "metadata.page", range: { lte: 3 } }, { key: "colour", match: { value: "red" } }] })).toEqual([]);
  });

  it("says when no page images are stored, and says nothing when the kind exists", async () => {
    expect(await explainNoMatch({ kinds: ["page", "figure"] }, fx().store)).toEqual([]);
    const dir = await tempDir("filter-hints");
    const store = await openFolioStore(testConfig(path.join(dir, "home")), null);
    try {
      const meta = { docId: "notes", title: "Notes", authors: [], source: "notes.md", kind: "text" as const, chunkIndex: 0, references: false };
      await store.putDocument({ docId: "notes", source: "notes.md", contentHash: "b".repeat(64), title: "Notes", authors: [], pages: 1, chunks: 1, figures: 0 }, [{ text: "Dense retrieval.", metadata: meta }]);
      const reasons = await explainNoMatch({ kinds: ["page"] }, store);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/^No page images are stored: .*FOLIO_RENDER_PAGES=always/);
    } finally {
      await store.close();
      await removeDir(dir);
    }
  });
});

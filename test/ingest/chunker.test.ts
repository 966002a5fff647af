import { describe, expect, it } from "vitest";
import { ChunkMetadataSchema } from "../../src/store/types.js";
import { chunkDocument, estimateTokens, splitSentences } from "../../src/ingest/chunker.js";
import type { ParsedDocument } from "../../src/ingest/types.js";

const meta = { docId: "doc-1", title: "A paper", authors: ["Ada"], source: "/tmp/a.pdf" };

function sentence(i: number): string {
  return `Sentence number ${i} talks about attention heads and residual layers in some detail.`;
}

function doc(partial: Partial<ParsedDocument>): ParsedDocument {
  return { title: "A paper", authors: [], pageCount: 0, pages: [], blocks: [], figures: [], warnings: [], ...partial };
}

describe("splitSentences", () => {
  it("splits at sentence ends but not after abbreviations, initials or figure references", () => {
    const text = "Vaswani et al. 2017 proposed it. See Fig. 3 for details. J. Smith agreed! Is it good? Yes (mostly).";
    expect(splitSentences(text)).toEqual(["Vaswani et al. 2017 proposed it.", "See Fig. 3 for details.", "J. Smith agreed!", "Is it good?", "Yes (mostly)."]);
  });
});

describe("chunkDocument", () => {
  const options = { chunkTokens: 60, chunkOverlapTokens: 20 };

  it("never lets a chunk span two pages, sections or the references boundary, and keeps sizes bounded", () => {
    const blocks: ParsedDocument["blocks"] = [];
    for (let page = 1; page <= 3; page++) {
      blocks.push({ page, text: "2 Method", kind: "heading", section: "2 Method", references: false });
      blocks.push({ page, text: Array.from({ length: 8 }, (_, i) => sentence(page * 100 + i)).join(" "), kind: "paragraph", section: "2 Method", references: false });
    }
    blocks.push({ page: 3, text: "References", kind: "heading", section: "References", references: true });
    blocks.push({ page: 3, text: "[1] A. Author. A title. 2017.", kind: "paragraph", section: "References", references: true });
    const chunks = chunkDocument(doc({ pageCount: 3, blocks }), meta, options);
    const text = chunks.filter((c) => c.metadata.kind === "text");
    expect(text.length).toBeGreaterThan(6);
    for (const chunk of text) {
      ChunkMetadataSchema.parse(chunk.metadata);
      // Each sentence names its page (page*100+i): a chunk holds sentences of one page only.
      const pages = new Set([...chunk.text.matchAll(/number (\d)\d\d/g)].map((m) => m[1]));
      expect(pages.size).toBeLessThanOrEqual(1);
      if (pages.size === 1) expect(String(chunk.metadata.page)).toBe([...pages][0]);
      expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(options.chunkTokens + 2);
    }
    const refs = text.filter((c) => c.metadata.references);
    expect(refs).toHaveLength(1);
    expect(refs[0]?.text).toContain("[1] A. Author");
    expect(refs[0]?.metadata.section).toBe("References");
    // chunkIndex unique and in order
    expect(text.map((c) => c.metadata.chunkIndex)).toEqual(text.map((_, i) => i));
  });

  it("repeats trailing sentences as overlap within a page", () => {
    const blocks = [{ page: 1, text: Array.from({ length: 12 }, (_, i) => sentence(100 + i)).join(" "), kind: "paragraph" as const, section: "Intro", references: false }];
    const chunks = chunkDocument(doc({ pageCount: 1, blocks }), meta, { ...options, chunkOverlapTokens: 25 });
    expect(chunks.length).toBeGreaterThan(2);
    const last = (s: string) => splitSentences(s).at(-1);
    expect(chunks[1]?.text.startsWith(last(chunks[0]!.text)!)).toBe(true);
  });

  it("makes figure chunks from caption plus mentions, and page chunks only for rendered pages", () => {
    const chunks = chunkDocument(
      doc({
        pageCount: 2,
        pages: [
          { page: 1, text: "Page one text", imageId: "abc" },
          { page: 2, text: "Page two text" },
        ],
        blocks: [{ page: 1, text: "Body.", kind: "paragraph", references: false }],
        figures: [{ label: "Figure 1", kind: "figure", caption: "Figure 1: The Transformer.", page: 2, imageId: "f1", mentions: [{ page: 1, text: "As Figure 1 shows, it stacks layers." }] }],
      }),
      meta,
      options,
    );
    const figure = chunks.find((c) => c.metadata.kind === "figure");
    expect(figure?.text).toBe("Figure 1: The Transformer.\n\nAs Figure 1 shows, it stacks layers.");
    expect(figure?.metadata).toMatchObject({ figureLabel: "Figure 1", caption: "Figure 1: The Transformer.", page: 2, imageId: "f1", chunkIndex: 0 });
    expect(figure?.image).toBeUndefined(); // the store embeds its own image of metadata.imageId
    const pages = chunks.filter((c) => c.metadata.kind === "page");
    expect(pages).toHaveLength(1);
    expect(pages[0]?.metadata).toMatchObject({ page: 1, imageId: "abc" });
    expect(pages[0]?.image).toBeUndefined();
  });
});

describe("captions", () => {
  it("are kept out of text chunks when a figure chunk carries them", () => {
    const caption = "Figure 1: The Transformer - model architecture.";
    const chunks = chunkDocument(
      doc({
        pageCount: 1,
        blocks: [
          { page: 1, text: "The model stacks layers.", kind: "paragraph", section: "3 Model", references: false },
          { page: 1, text: caption, kind: "caption", section: "3 Model", references: false },
          { page: 1, text: "Table 9: no figure record for this one.", kind: "caption", section: "3 Model", references: false },
        ],
        figures: [{ label: "Figure 1", kind: "figure", caption, page: 1, mentions: [] }],
      }),
      meta,
      { chunkTokens: 100, chunkOverlapTokens: 10 },
    );
    const text = chunks.filter((c) => c.metadata.kind === "text").map((c) => c.text).join("\n");
    expect(text).not.toContain("The Transformer - model architecture");
    expect(text).toContain("Table 9: no figure record");
    expect(chunks.find((c) => c.metadata.kind === "figure")?.text).toBe(caption);
  });
});

import { describe, expect, it } from "vitest";
import { CitationStreamFilter, citationsFor, citedNumbers, cleanMarkers, markerNumbers, saysUnanswered } from "../../src/chat/citations.js";
import type { Citation } from "../../src/chat/types.js";

function source(n: number, extra: Partial<Citation> = {}): Citation {
  return { n, id: `id-${n}`, docId: `doc-${n}`, title: `Paper ${n}`, source: `papers/${n}.pdf`, kind: "text", page: n, snippet: `text ${n}`, score: 1 / n, ...extra };
}

describe("citation markers", () => {
  it("reads single, listed, adjacent and ranged markers", () => {
    expect(markerNumbers("1")).toEqual([1]);
    expect(markerNumbers("1, 3")).toEqual([1, 3]);
    expect(markerNumbers("2-4")).toEqual([2, 3, 4]);
    expect(markerNumbers("1; 2 and 5")).toEqual([1, 2, 5]);
    expect(markerNumbers("see 1")).toBeNull();
    expect(markerNumbers("a")).toBeNull();
    expect(citedNumbers("Attention [2][1] is all you need [1, 3]. Also [2-3] and [x].")).toEqual([2, 1, 3]);
  });

  it("drops markers that point at no source, keeping the valid numbers of a list", () => {
    expect(cleanMarkers("A claim [1]. Another [7]. Both [2, 9].", 2)).toBe("A claim [1]. Another. Both [2].");
    expect(cleanMarkers("Zero [0] and array[i] and [note] stay.", 3)).toBe("Zero and array[i] and [note] stay.");
    expect(cleanMarkers("Repeated [1, 1].", 1)).toBe("Repeated [1].");
  });

  it("holds a marker back until it is complete when it arrives split across chunks", () => {
    const filter = new CitationStreamFilter(2);
    const out: string[] = [];
    for (const piece of ["Self-attention is fast [", "1", "] and [", "5", "] parallel [2", "]."]) out.push(filter.push(piece));
    out.push(filter.flush());
    expect(out[0]).toBe("Self-attention is fast");
    expect(out[1]).toBe("");
    expect(out.join("")).toBe("Self-attention is fast [1] and parallel [2].");
    expect(filter.cited).toEqual([1, 2]);
  });

  it("releases a bracket that cannot become a marker", () => {
    const filter = new CitationStreamFilter(3);
    expect(filter.push("matrix [Q")).toBe("matrix [Q");
    expect(filter.push("K] [1")).toBe("K]");
    expect(filter.flush()).toBe(" [1");
  });

  it("maps cited numbers to sources sorted by number, extractive quotes as snippets", () => {
    const sources = [source(1), source(2, { kind: "figure", figureLabel: "Figure 2", imageId: "abc" }), source(3)];
    const answer = 'First "the figure shows the encoder stack" [2]. Then [1][9].';
    const cited = citationsFor(answer, sources, { quotesAsSnippets: true });
    expect(cited.map((c) => c.n)).toEqual([1, 2]);
    expect(cited[1]).toMatchObject({ figureLabel: "Figure 2", imageId: "abc", snippet: "the figure shows the encoder stack" });
    expect(cited[0]!.snippet).toBe("text 1");
  });

  it("recognises answers that say the corpus does not answer", () => {
    expect(saysUnanswered("The corpus does not answer this.")).toBe(true);
    expect(saysUnanswered("The provided sources do not mention the capital of France.")).toBe(true);
    expect(saysUnanswered("This is not covered by the corpus.")).toBe(true);
    expect(saysUnanswered("I cannot answer this from the sources given.")).toBe(true);
    expect(saysUnanswered("The Transformer uses attention [1].")).toBe(false);
    expect(saysUnanswered("Recurrent models do not answer long-range questions well [2].")).toBe(false);
  });
});

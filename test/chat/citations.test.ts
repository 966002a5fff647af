import { describe, expect, it } from "vitest";
import { CitationStreamFilter, citationsFor, citedNumbers, cleanMarkers, markerNumbers, renumberSources, saysUnanswered } from "../../src/chat/citations.js";
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

  it("renumbers sources in first-citation order, the uncited after them in retrieval order", () => {
    const sources = [source(1), source(2), source(3), source(4)];
    const renumbered = renumberSources(sources, [3, 1, 9]);
    expect(renumbered.map((s) => [s.n, s.id])).toEqual([
      [1, "id-3"],
      [2, "id-1"],
      [3, "id-2"],
      [4, "id-4"],
    ]);
    expect(renumbered[0]).toMatchObject({ title: "Paper 3", page: 3 });
    expect(sources.map((s) => s.n)).toEqual([1, 2, 3, 4]); // the input is left as it was
  });

  it("renumbers streamed markers in first-citation order, across a marker split between chunks", () => {
    const filter = new CitationStreamFilter(3, true);
    const out = [filter.push("Lactate predicts mortality, see [3"), filter.push("] and [1, 3]. Later [2"), filter.push("] and [7]."), filter.flush()];
    expect(out[0]).toBe("Lactate predicts mortality, see");
    expect(out.join("")).toBe("Lactate predicts mortality, see [1] and [2, 1]. Later [3] and."); // [7] points at no source: dropped
    expect(filter.cited).toEqual([3, 1, 2]);
    const renumbered = renumberSources([source(1), source(2), source(3)], filter.cited);
    expect(renumbered.map((s) => s.id)).toEqual(["id-3", "id-1", "id-2"]);
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

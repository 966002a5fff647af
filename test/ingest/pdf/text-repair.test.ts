import { describe, expect, it } from "vitest";
import { addToVocabulary, LINE_BREAK_HYPHEN, repairLigatures, repairSpacedSmallCaps, resolveLineBreakHyphens, type Vocabulary } from "../../../src/ingest/pdf/text-repair.js";
import { CAPTION_PATTERN } from "../../../src/ingest/pdf/blocks.js";
import { arxivFromStamp, authorNames, findDoi } from "../../../src/ingest/pdf/structure.js";

const vocabularyOf = (text: string): Vocabulary => {
  const vocabulary: Vocabulary = new Map();
  addToVocabulary(vocabulary, text);
  return vocabulary;
};
const broken = (a: string, b: string) => `${a}${LINE_BREAK_HYPHEN}${b}`;

describe("text repairs", () => {
  it("joins a hyphenated line break unless the document spells the word with a hyphen", () => {
    const vocabulary = vocabularyOf("a pre-trained model and the sequence of aligned tokens, fine-tuning");
    expect(resolveLineBreakHyphens(`the ${broken("repre", "sentation")} of words`, vocabulary)).toBe("the representation of words");
    expect(resolveLineBreakHyphens(`a ${broken("pre", "trained")} model`, vocabulary)).toBe("a pre-trained model");
    expect(resolveLineBreakHyphens(`${broken("sequence", "aligned")} recurrence`, vocabulary)).toBe("sequence-aligned recurrence");
    expect(resolveLineBreakHyphens(`the ${broken("state-of-the", "art")} model`, vocabulary)).toBe("the state-of-the-art model");
    expect(resolveLineBreakHyphens(`${broken("multi", "plicative")} attention`, vocabulary)).toBe("multiplicative attention");
    expect(resolveLineBreakHyphens(`${broken("fine", "tuning")}`, vocabulary)).toBe("fine-tuning");
  });

  it("repairs ligatures, also with stray spaces around them", () => {
    expect(repairLigatures("eﬃcient ﬁne-tuning of the ﬂow")).toBe("efficient fine-tuning of the flow");
    expect(repairLigatures("we de ﬁ ne the e ﬀ ect")).toBe("we define the effect");
    expect(repairLigatures("to ﬁ nd it, switch oﬀ the ﬂow")).toBe("to find it, switch off the flow");
  });

  it("repairs small caps split into words, but leaves ordinary capitals alone", () => {
    expect(repairSpacedSmallCaps("A DAM : A M ETHOD FOR S TOCHASTIC O PTIMIZATION")).toBe("ADAM: A METHOD FOR STOCHASTIC OPTIMIZATION");
    expect(repairSpacedSmallCaps("A MODEL OF EVERYTHING")).toBe("A MODEL OF EVERYTHING");
    expect(repairSpacedSmallCaps("Attention Is All You Need")).toBe("Attention Is All You Need");
  });

  it("recognises captions at the start of a block, not references in a sentence", () => {
    for (const caption of ["Figure 3: The model.", "Fig. 3. The model.", "Figure 3 | The model", "Table 2: Results.", "TABLE 1. Results", "Figure 2 (left): A"]) expect(CAPTION_PATTERN.test(caption), caption).toBe(true);
    for (const text of ["as shown in Figure 3, the model", "Figure 3 shows the model", "Table 2 compares methods"]) expect(CAPTION_PATTERN.test(text), text).toBe(false);
  });

  it("reads the arXiv stamp and derives the year from the identifier", () => {
    expect(arxivFromStamp(["arXiv:1706.03762v7 [cs.CL] 2 Aug 2023"])).toEqual({ arxivId: "1706.03762", year: 2017 });
    expect(arxivFromStamp(["arXiv:cs/9901001v1 [cs.LG] 1 Jan 1999"])).toEqual({ arxivId: "cs/9901001", year: 1999 });
    expect(arxivFromStamp(["no stamp here"])).toBeUndefined();
    expect(findDoi("Published at https://doi.org/10.1145/3292500.3330701.")).toBe("10.1145/3292500.3330701");
  });

  it("keeps names and drops affiliations and e-mail lines", () => {
    expect(authorNames(["Ashish Vaswani∗ Noam Shazeer∗", "Google Brain", "avaswani@google.com", "Jacob Devlin, Ming-Wei Chang and Kenton Lee"])).toEqual([
      "Ashish Vaswani",
      "Noam Shazeer",
      "Jacob Devlin",
      "Ming-Wei Chang",
      "Kenton Lee",
    ]);
  });
});

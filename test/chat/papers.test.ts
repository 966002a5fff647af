import { describe, expect, it } from "vitest";
import { PaperDirectory, PaperIndex, describeAssumption, elementRefs } from "../../src/chat/papers.js";
import type { DocumentProfile, DocumentRecord } from "../../src/store/types.js";

function paper(docId: string, title: string, extra: Partial<Omit<DocumentRecord, "profile">> & { profile?: Partial<DocumentProfile> } = {}): DocumentRecord {
  const { profile, ...rest } = extra;
  return {
    docId,
    source: `papers/${docId.replace(/\W+/g, "-")}.pdf`,
    contentHash: `hash-${docId}`,
    title,
    authors: [],
    pages: 12,
    chunks: 40,
    figures: 3,
    ingestedAt: "2024-05-01T10:00:00.000Z",
    embeddingSignature: "bm25",
    ...rest,
    profile: { names: [], terms: [], headings: [], ...profile },
  };
}

// Fictional papers: biology, medicine, and two machine-learning ones that define nested names.
const foldNet = paper("arxiv:2107.01234", "FoldNet: Predicting Protein Tertiary Structure from Single Sequences", {
  authors: ["Miriam Okonkwo", "Tadeusz Wren"],
  year: 2021,
  arxivId: "2107.01234",
  profile: {
    abstract: "We predict the tertiary structure of proteins from a single amino acid sequence without multiple sequence alignments.",
    names: ["FoldNet"],
    terms: [["FoldNet", 42], ["MSA", 18]],
    headings: ["1 Introduction", "3 Structure module"],
  },
});
const scanning = paper("doc:hemagglutinin", "Deep Mutational Scanning of Influenza Hemagglutinin Stalk", {
  authors: ["Lina Castellanos", "Ravi Menon"],
  year: 2020,
  doi: "10.1101/2020.05.11.088999",
  profile: {
    abstract: "We measure how every single amino acid mutation in the hemagglutinin stalk changes viral fitness and antibody escape.",
    terms: [["MSA", 4], ["HA2", 30], ["Glycomap", 25]],
    headings: ["Methods", "Antibody escape"],
  },
});
const cardio = paper("doc:cardioscope", "CardioScope: Early Detection of Heart Failure from Wearable Electrocardiograms", {
  authors: ["Hana Castellanos", "Piotr Zielinski"],
  year: 2023,
  profile: {
    abstract: "A wearable electrocardiogram patch and a classifier detect heart failure weeks before hospital admission in outpatients.",
    names: ["CardioScope"],
    terms: [["ECG", 55], ["Glycomap", 8]],
    headings: ["Cohort", "Heart failure outcomes"],
  },
});
const vit = paper("arxiv:2010.11111", "Patches Are Words: Transformers for Image Recognition at Scale", {
  authors: ["Ada Lindqvist"],
  year: 2020,
  arxivId: "2010.11111",
  profile: {
    abstract: "A pure transformer applied to sequences of image patches classifies images well when pre-trained on large data.",
    names: ["Vision Transformer", "ViT"],
    terms: [["ViT", 60]],
    headings: ["Method", "Experiments"],
  },
});
const transformer = paper("arxiv:1706.22222", "Attention-Only Sequence Transduction", {
  authors: ["Bruno Feld"],
  year: 2017,
  arxivId: "1706.22222",
  profile: {
    abstract: "A sequence transduction model based solely on attention, dispensing with recurrence, for machine translation.",
    names: ["Transformer"],
    terms: [["Transformer", 35]],
    headings: ["Model architecture", "Training"],
  },
});

const corpus = [foldNet, scanning, cardio, vit, transformer];
const index = new PaperIndex(corpus);

function resolvedIds(question: string, records: readonly DocumentRecord[] = corpus): string[] {
  return new PaperIndex(records).resolve(question).papers.map((p) => p.docId);
}

describe("PaperIndex.resolve", () => {
  it("resolves a paper by the name it gives itself", () => {
    const refs = index.resolve("What accuracy does the FoldNet paper report on orphan proteins?");
    expect(refs.papers.map((p) => p.docId)).toEqual([foldNet.docId]);
    expect(refs.papers[0]!.evidence).toContain("name foldnet");
    expect(refs.ambiguous).toBe(false);
    expect(index.resolve("How does CardioScope handle motion artefacts?").papers[0]?.docId).toBe(cardio.docId);
  });

  it("prefers the longest name when one paper's name contains another's", () => {
    const refs = index.resolve("How does the Vision Transformer split an image?");
    expect(refs.papers[0]!.docId).toBe(vit.docId);
    expect(refs.papers[0]!.evidence).toContain("name vision transformer");
    expect(refs.papers.map((p) => p.docId)).not.toContain(transformer.docId);
    expect(refs.ambiguous).toBe(false);
    // The shorter name alone still names its own paper.
    expect(resolvedIds("How many layers does the Transformer encoder have?")[0]).toBe(transformer.docId);
    const both = index.resolve("Compare the Transformer with the Vision Transformer");
    expect(both.papers.map((p) => p.docId).sort()).toEqual([transformer.docId, vit.docId].sort());
    expect(both.ambiguous).toBe(false);
  });

  it("resolves a variant of a one-word name", () => {
    const refs = index.resolve("How many parameters does ViT-Huge have?");
    expect(refs.papers[0]!.docId).toBe(vit.docId);
    expect(refs.papers[0]!.evidence).toContain("name vit-huge");
  });

  it("resolves an arXiv id written in the question, with or without a version", () => {
    expect(resolvedIds("Summarise 2107.01234v2 please")).toEqual([foldNet.docId]);
    expect(index.resolve("What is arXiv 1706.22222 about?").papers[0]!.evidence).toContain("arXiv id");
    expect(resolvedIds("What is 2107.99999 about?")).toEqual([]);
  });

  it("resolves a DOI, ignoring trailing punctuation", () => {
    const refs = index.resolve("What does doi 10.1101/2020.05.11.088999. say about escape?");
    expect(refs.papers.map((p) => p.docId)).toEqual([scanning.docId]);
    expect(refs.papers[0]!.evidence).toContain("DOI");
  });

  it("resolves an author surname with et al.", () => {
    const refs = index.resolve("What did Okonkwo et al. use instead of alignments?");
    expect(refs.papers.map((p) => p.docId)).toEqual([foldNet.docId]);
    expect(refs.papers[0]!.evidence).toContain("author Okonkwo");
    // A lower-case word is not a surname.
    expect(resolvedIds("Is okonkwo a protein?")).toEqual([]);
  });

  it("resolves a run of title words", () => {
    const refs = index.resolve("In the deep mutational scanning study, which sites escape antibodies?");
    expect(refs.papers.map((p) => p.docId)).toEqual([scanning.docId]);
    expect(refs.papers[0]!.evidence).toContain("title");
    // One shared title word is not enough.
    expect(resolvedIds("Is scanning expensive?")).toEqual([]);
  });

  it("gives a coined term to its densest user, unless another paper has it as its name", () => {
    const refs = index.resolve("Where is the Glycomap computed?");
    expect(refs.papers.map((p) => p.docId)).toEqual([scanning.docId]);
    expect(refs.papers[0]!.evidence).toContain("term glycomap");

    const owner = paper("doc:glycomap", "Mapping Glycans on Viral Surfaces", { year: 2019, profile: { names: ["Glycomap"] } });
    // The name shared with one user of the term weighs 6 / 2, the year 1 more: named, and the user is not.
    const withOwner = new PaperIndex([foldNet, scanning, owner]).resolve("Where is the Glycomap from 2019 computed?");
    expect(withOwner.papers.map((p) => p.docId)).not.toContain(scanning.docId);
    expect(withOwner.papers[0]?.docId).toBe(owner.docId);
    expect(withOwner.papers[0]!.evidence).toContain("name glycomap");
  });

  it("weighs a name many papers share less", () => {
    const atlas = (n: number) => paper(`doc:atlas-${n}`, `Cell Atlas Study Number ${n}`, { profile: { names: ["Atlas"] } });
    expect(resolvedIds("What does the Atlas paper measure?", [atlas(1), foldNet])).toEqual(["doc:atlas-1"]);
    const shared = new PaperIndex([atlas(1), atlas(2), atlas(3), foldNet]).resolve("What does the Atlas paper measure?");
    expect(shared.papers).toEqual([]);
  });

  it("flags an ambiguous reference and describes the assumption", () => {
    const refs = index.resolve("What did Castellanos et al. find?");
    expect(refs.papers.map((p) => p.docId).sort()).toEqual([cardio.docId, scanning.docId].sort());
    expect(refs.ambiguous).toBe(true);
    const text = describeAssumption(refs);
    expect(text).toBeDefined();
    const [best, other] = refs.papers;
    expect(text).toBe(`Assuming the question means "${best!.title}" (${best!.docId}); it could also mean "${other!.title}" (${other!.docId}).`);
    expect(describeAssumption(index.resolve("What does the FoldNet paper predict?"))).toBeUndefined();
  });

  it("a year puts the paper of that year first among two of the same author", () => {
    const refs = index.resolve("What did Castellanos et al. (2023) find?");
    expect(refs.papers[0]!.docId).toBe(cardio.docId);
    expect(refs.papers[0]!.evidence).toEqual(["author Castellanos", "year"]);
    expect(refs.papers[0]!.score).toBeGreaterThan(refs.papers[1]!.score);
  });

  it("does not call a comparison of two named papers ambiguous", () => {
    const refs = index.resolve("Compare FoldNet and CardioScope on their validation cohorts");
    expect(refs.papers.map((p) => p.docId).sort()).toEqual([cardio.docId, foldNet.docId].sort());
    expect(refs.ambiguous).toBe(false);
    expect(describeAssumption(refs)).toBeUndefined();
  });

  it("names no paper for a question about none", () => {
    const refs = index.resolve("What is the boiling point of water?");
    expect(refs.papers).toEqual([]);
    expect(refs.ambiguous).toBe(false);
  });
});

describe("elementRefs", () => {
  it("reads figures, tables, sections, equations and algorithms in their abbreviations", () => {
    expect(elementRefs("Compare Fig. 3 with Table 2, Section 3.2, Eq. (4) and Algorithm 1.")).toEqual([
      { label: "Figure 3", type: "figure", number: "3" },
      { label: "Table 2", type: "table", number: "2" },
      { label: "Section 3.2", type: "section", number: "3.2" },
      { label: "Equation 4", type: "equation", number: "4" },
      { label: "Algorithm 1", type: "algorithm", number: "1" },
    ]);
  });

  it("lists each element once and finds none in plain text", () => {
    expect(elementRefs("Figure 3 and Fig. 3 again, then §5").map((e) => e.label)).toEqual(["Figure 3", "Section 5"]);
    expect(elementRefs("How are the tables of contents figured out?")).toEqual([]);
  });

  it("is returned with the papers by resolve", () => {
    expect(index.resolve("What does Table 2 of the CardioScope paper show?").elements.map((e) => e.label)).toEqual(["Table 2"]);
  });
});

describe("PaperIndex.documentScores", () => {
  it("ranks first the paper whose abstract is about the question", () => {
    const scores = index.documentScores("Can a wearable patch detect heart failure before admission?");
    const ranked = [...scores].sort((a, b) => b[1] - a[1]);
    expect(ranked[0]![0]).toBe(cardio.docId);
    expect(ranked[0]![1]).toBeGreaterThan(0);
    expect(scores.get(transformer.docId)).toBe(0);
    expect(scores.size).toBe(corpus.length);

    const structure = [...index.documentScores("predicting protein tertiary structure from one sequence")].sort((a, b) => b[1] - a[1]);
    expect(structure[0]![0]).toBe(foldNet.docId);
  });
});

describe("PaperDirectory", () => {
  it("reads the registry again only after its refresh time, and rebuilds the index only when a record changed", async () => {
    let records: DocumentRecord[] = [foldNet, cardio];
    let calls = 0;
    let clock = 0;
    const directory = new PaperDirectory(
      {
        listDocuments: async () => {
          calls++;
          return records.map((r) => ({ ...r }));
        },
      },
      1_000,
      () => clock,
    );
    const first = await directory.current();
    expect(first.size).toBe(2);
    records = [foldNet, { ...cardio, ingestedAt: "2024-06-01T00:00:00.000Z" }];
    clock = 999;
    expect(await directory.current()).toBe(first); // within the refresh time: not read again
    expect(calls).toBe(1);

    clock = 1_000;
    const reingested = await directory.current();
    expect(calls).toBe(2);
    expect(reingested).not.toBe(first);
    expect(reingested.size).toBe(2);

    clock = 2_000;
    expect(await directory.current()).toBe(reingested); // read, unchanged: the same index
    expect(calls).toBe(3);

    records = [...records, vit];
    clock = 3_000;
    const grown = await directory.current();
    expect(grown).not.toBe(reingested);
    expect(grown.size).toBe(3);
    expect(grown.resolve("What is ViT?").papers[0]?.docId).toBe(vit.docId);
  });
});

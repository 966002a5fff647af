import { describe, expect, it } from "vitest";
import { intentOf, missingNames, selectSentences, specificNames, withGreekVariants } from "../../src/chat/answer-selection.js";
import type { ParsedSource } from "../../src/chat/context.js";

const sepsis: ParsedSource = {
  n: 1,
  header: "Early Sepsis Detection in Emergency Wards, p. 3 (text; papers/sepsis.pdf)",
  text:
    "Lactate was measured at admission in every patient of the cohort. " +
    "The cohort included 1,284 adult patients from four emergency wards. " +
    "Patients of the cohort were followed for thirty days after discharge from the ward.",
};

const malaria: ParsedSource = {
  n: 2,
  header: "Counting Malaria Parasites with Deep Learning, p. 4, Table 2 (figure; papers/malaria.pdf)",
  text:
    "Thin blood smears were stained with Giemsa and imaged at high magnification. " +
    "It reduces the counting time per smear from twenty minutes to under one minute for trained staff.",
};

describe("intentOf", () => {
  it("tells number questions from definition questions and others", () => {
    expect(intentOf("How many patients were enrolled in the sepsis cohort?")).toBe("number");
    expect(intentOf("What is the sensitivity value reported for lactate?")).toBe("number");
    expect(intentOf("What accuracy does the parasite counter reach?")).toBe("number");
    expect(intentOf("How long were patients followed?")).toBe("number");
    expect(intentOf("What is a Giemsa stain?")).toBe("definition");
    expect(intentOf("What does qSOFA stand for?")).toBe("definition");
    expect(intentOf("How is the sepsis score computed?")).toBe("definition");
    expect(intentOf("Why do thin smears work better than thick ones?")).toBe("other");
    expect(intentOf("Summarise the discussion of the malaria paper.")).toBe("other");
  });
});

describe("withGreekVariants", () => {
  it("adds the Greek letter for a spelled-out name, and the name for a letter", () => {
    expect(withGreekVariants("the beta2 coefficient")).toBe("the beta2 coefficient β2");
    expect(withGreekVariants("with α = 0.5")).toBe("with α = 0.5 alpha");
    expect(withGreekVariants("no letters here")).toBe("no letters here");
  });
});

describe("specificNames", () => {
  it("keeps capitalised words, all-caps words and words with digits", () => {
    expect(specificNames("Does lactate predict mortality in the MIMIC-IV cohort of Giemsa smears?")).toEqual(["MIMIC-IV", "Giemsa"]);
    expect(specificNames("what is the role of IL6 and CO2 in sepsis?")).toEqual(["IL6", "CO2"]);
  });

  it("leaves out author lists, element labels, sentence-initial words and single letters", () => {
    expect(specificNames("What did Okafor et al. measure in the cohort?")).toEqual([]);
    expect(specificNames("Which dose do Kingma and Ba recommend?")).toEqual([]);
    expect(specificNames("What does Table 2 report, and what does Figure 3 show?")).toEqual([]);
    expect(specificNames("Lactate rises early. Does it fall?")).toEqual([]);
    expect(specificNames("what is Z in the sepsis score?")).toEqual([]);
    // An all-caps word counts even when it opens the question.
    expect(specificNames("ECG patches detect what?")).toEqual(["ECG"]);
  });
});

describe("missingNames", () => {
  it("lists a name that no source mentions", () => {
    expect(missingNames("Does procalcitonin beat lactate in the Sepsis-3 cohort of PlasmoNet?", [sepsis, malaria])).toEqual(["Sepsis-3", "PlasmoNet"]);
    expect(missingNames("Are smears stained with Giemsa?", [sepsis, malaria])).toEqual([]);
  });

  it("finds a name in a source's header, and exempts the words that named a paper", () => {
    expect(missingNames("What did the paper on Malaria report?", [malaria])).toEqual([]);
    expect(missingNames("What does the PlasmoNet paper say about smears?", [malaria])).toEqual(["PlasmoNet"]);
    expect(missingNames("What does the PlasmoNet paper say about smears?", [malaria], ["PlasmoNet"])).toEqual([]);
  });
});

describe("selectSentences", () => {
  it("prefers the sentence with the quantity for a number question", () => {
    const { chosen } = selectSentences("How many patients were in the sepsis cohort?", [sepsis]);
    expect(chosen[0]?.sentence).toBe("The cohort included 1,284 adult patients from four emergency wards.");
    expect(chosen[0]?.n).toBe(1);
  });

  it("quotes a sentence that opens with 'It' together with the one before", () => {
    const { chosen } = selectSentences("How much does the counting time per smear drop?", [malaria]);
    expect(chosen[0]?.sentence).toMatch(/^It reduces the counting time/);
    expect(chosen[0]?.quote).toBe(
      "Thin blood smears were stained with Giemsa and imaged at high magnification. It reduces the counting time per smear from twenty minutes to under one minute for trained staff.",
    );
  });

  it("quotes the same sentence found in two sources once", () => {
    const again: ParsedSource = { ...sepsis, n: 3, header: "Early Sepsis Detection in Emergency Wards, p. 3, Table 1 (figure; papers/sepsis.pdf)" };
    const { chosen } = selectSentences("How many patients were in the sepsis cohort?", [sepsis, again]);
    const quantity = chosen.filter((c) => c.sentence.includes("1,284"));
    expect(quantity).toHaveLength(1);
    expect(quantity[0]!.n).toBe(1);
  });

  it("chooses nothing when the question names something no source mentions, but keeps the closest", () => {
    const { chosen, closest } = selectSentences("How many patients were in the PlasmoNet cohort?", [sepsis]);
    expect(chosen).toEqual([]);
    expect(closest.length).toBeGreaterThan(0);
    expect(closest[0]!.sentence).toContain("1,284");
  });

  it("answers the same question when the name is one that named the paper", () => {
    const named = { titles: ["Early Sepsis Detection in Emergency Wards"], words: ["PlasmoNet"], names: [], compared: false };
    const { chosen } = selectSentences("How many patients were in the PlasmoNet cohort?", [sepsis], undefined, named);
    expect(chosen[0]?.sentence).toContain("1,284");
  });
});

describe("hostile questions", () => {
  it("names and intents of long repetitive questions are found without backtracking forever", () => {
    expect(specificNames(`A${"andB".repeat(200)}x`)).toBeInstanceOf(Array);
    expect(intentOf(`what does${" ".repeat(4000)}x`)).toBe("other");
  });
});


import { describe, expect, it } from "vitest";
import { profileDocument } from "../../src/ingest/profile.js";
import type { ParsedBlock } from "../../src/ingest/types.js";

function block(text: string, extra: Partial<ParsedBlock> = {}): ParsedBlock {
  return { page: 1, text, kind: "paragraph", references: false, ...extra };
}

function namesOf(title: string, text: string, abstract?: string): string[] {
  return profileDocument(title, abstract, [block(text)]).names;
}

describe("profileDocument names", () => {
  it("takes a short title prefix before a colon as the paper's name", () => {
    expect(namesOf("Mycolens: A method for imaging mycobacterial cell walls", "We image cell walls.")).toContain("Mycolens");
    expect(namesOf("Sepsis Alert Score: Bedside triage in emergency wards", "We score patients.")).toContain("Sepsis Alert Score");
    // A long prefix is a sentence, not a name; a lower-case one is no name either.
    expect(namesOf("A study of how soil bacteria fix nitrogen: field results", "We sample soil.")).toEqual([]);
    expect(namesOf("methods: a review", "We review.")).toEqual([]);
  });

  it("reads 'we call the resulting models X' and 'called X'", () => {
    expect(namesOf("Protein language models for phylogenetics", "We pre-train on ten million sequences; we call the resulting models PhyloBERT and evaluate them.")).toEqual(["PhyloBERT"]);
    expect(namesOf("Early warning in intensive care", "We derive a risk score, called Sepsis Watch in what follows, from vital signs.")).toEqual(["Sepsis Watch"]);
  });

  it("reads 'we introduce X,' and 'we propose a new ..., the X,'", () => {
    expect(namesOf("Modelling the gut microbiome", "Here we introduce GutFlow, a flux model of the intestinal community.")).toEqual(["GutFlow"]);
    expect(namesOf("Triage from vital signs", "We propose a new triage architecture based on vital signs alone, the Triage Transformer, and test it in three hospitals.")).toEqual([
      "Triage Transformer",
    ]);
  });

  it("takes an acronym defined after 'our ...' or whose long form is a run of title words, and no other", () => {
    const names = namesOf(
      "Retinal Vessel Segmentation in Diabetic Patients",
      "Retinal vessel segmentation (RVS) is hard at low contrast. Our spatial transcript mapper (STM) is trained on fundus images, and lesions were confirmed by magnetic resonance imaging (MRI) in a subset.",
    );
    expect(names).toContain("RVS");
    expect(names).toContain("STM");
    expect(names).not.toContain("MRI");
  });

  it("reads names in the abstract as well as the body", () => {
    expect(namesOf("Malaria parasite imaging", "Parasites were stained.", "We introduce PlasmoCount, an automated counter of infected cells.")).toEqual(["PlasmoCount"]);
  });

  it("looks for names only in the first pages and outside the references", () => {
    const profile = profileDocument("Lung nodule follow-up", undefined, [
      block("We screen smokers yearly.", { page: 1 }),
      block("In the appendix we introduce NoduleNet, a detector.", { page: 7 }),
      block("Smith J. We introduce RefTool, a reference manager.", { page: 2, references: true }),
    ]);
    expect(profile.names).toEqual([]);
  });
});

describe("profileDocument terms, headings and abstract", () => {
  it("counts coined terms in the body only, with their density per 10,000 words", () => {
    const body = "Activation with CRISPRa raised expression. CRISPRa guides were designed per gene. We compared CRISPRa with knockouts. Once only: dCas9.";
    const references = "PubMedNet PubMedNet PubMedNet PubMedNet PubMedNet cited works.";
    const profile = profileDocument("Gene activation screens", undefined, [block(body), block(references, { references: true, page: 9 })]);
    const terms = new Map(profile.terms);
    expect(terms.has("CRISPRa")).toBe(true);
    expect(terms.has("PubMedNet")).toBe(false);
    // Seen once: not coined enough to count.
    expect(terms.has("dCas9")).toBe(false);
    const words = body.split(/\s+/).length;
    expect(terms.get("CRISPRa")).toBeCloseTo((3 / words) * 10_000, 0);
  });

  it("keeps headings once each, leaving out those of the references", () => {
    const profile = profileDocument("Wound healing in zebrafish", undefined, [
      block("1 Introduction", { kind: "heading" }),
      block("Fins regrow.", { kind: "paragraph" }),
      block("2   Regeneration  assays", { kind: "heading", page: 2 }),
      block("1 Introduction", { kind: "heading", page: 3 }),
      block("References", { kind: "heading", page: 8, references: true }),
    ]);
    expect(profile.headings).toEqual(["1 Introduction", "2 Regeneration assays"]);
  });

  it("takes the abstract given, or else the abstract blocks", () => {
    const blocks = [block("We track   fin regrowth.", { kind: "abstract" }), block("Body text.")];
    expect(profileDocument("Fins", undefined, blocks).abstract).toBe("We track fin regrowth.");
    expect(profileDocument("Fins", "Given abstract.", blocks).abstract).toBe("Given abstract.");
    expect(profileDocument("Fins", undefined, [block("Body text.")]).abstract).toBeUndefined();
  });
});

/** BibTeX of stored papers: entry type by identifier, a readable key, LaTeX's special characters escaped. */
import { describe, expect, it } from "vitest";
import { bibtexFor, citationKey } from "../../src/chat/bibtex.js";

describe("bibtexFor", () => {
  it("an arXiv paper is an @misc with eprint, archivePrefix and the abstract page", () => {
    const bib = bibtexFor({ docId: "arxiv:1706.03762", title: "Attention Is All You Need", authors: ["Ashish Vaswani", "Noam Shazeer"], year: 2017, arxivId: "1706.03762" });
    expect(bib).toBe(
      [
        "@misc{Vaswani2017attention,",
        "  title = {{Attention Is All You Need}},",
        "  author = {Ashish Vaswani and Noam Shazeer},",
        "  year = {2017},",
        "  eprint = {1706.03762},",
        "  archivePrefix = {arXiv},",
        "  url = {https://arxiv.org/abs/1706.03762}",
        "}",
      ].join("\n"),
    );
  });

  it("a paper with a DOI is an @article; special characters are escaped and accents kept", () => {
    const bib = bibtexFor({ docId: "file:1", title: "Costs & Benefits of 100% Recall_at_k {fast}", authors: ["José Müller"], year: 2021, doi: "10.1000/x_y" });
    expect(bib).toMatch(/^@article\{Muller2021costs,/);
    expect(bib).toContain("title = {{Costs \\& Benefits of 100\\% Recall\\_at\\_k \\{fast\\}}}");
    expect(bib).toContain("author = {José Müller}");
    expect(bib).toContain("doi = {10.1000/x\\_y}");
    expect(bib).toContain("url = {https://doi.org/10.1000/x_y}");
  });

  it("a key even without authors or year", () => {
    expect(citationKey({ docId: "file:abc", title: "On It", authors: [] })).toBe("fileabc");
    expect(citationKey({ docId: "file:abc", title: "Widgets and Gadgets", authors: [] })).toBe("widgets");
  });
});

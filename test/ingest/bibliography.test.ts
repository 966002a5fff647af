/**
 * `folio ingest --bib`: a BibTeX export as Better BibTeX writes it (file fields with a PDF and a
 * snapshot, LaTeX accents and escapes, a missing attachment, a malformed entry) and a CSL-JSON
 * export, on real generated PDFs: metadata and citation keys come from the entries, the missing
 * file is a clear skip, the malformed entry a warning, a re-run changes nothing; `folio docs --bib`
 * prints the entries under their own keys.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachmentPaths } from "../../src/ingest/bibliography.js";
import { openFolioStore } from "../../src/store/index.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { createEmbeddings } from "../../src/embeddings/index.js";
import { makeTwoColumnPaper } from "../fixtures/make-pdfs.js";
import { runFolio } from "../helpers/cli.js";
import { testConfig } from "../helpers/config.js";
import { removeDir, tempDir } from "../helpers/tmp.js";
import { makePaperPdf } from "./pdf-fixtures.js";

const BIB = String.raw`@comment{jabref-meta: databaseType:biblatex;}

@article{muller2021widgets,
  title = {Learning {Robust} Widgets from Noisy Gadgets \& More},
  author = {M{\"u}ller, J{\"o}rg and Writer, B.},
  year = {2021},
  doi = {10.1000/widgets_1},
  file = {Full Text PDF:storage/ABCD1234/widgets.pdf:application/pdf;Snapshot:storage/ABCD1234/snapshot.html:text/html}
}

@misc{broken,
  title = {Never closed,

@inproceedings{gadget2020,
  title = {Gadgets Considered Harmful},
  author = {Author, Ada},
  date = {2020-06-01},
  file = {papers/gadgets.pdf}
}

@misc{lost2019,
  title = {A Paper That Is Not There},
  author = {Nobody, N.},
  year = {2019},
  file = {:storage/ZZZZ/lost.pdf:application/pdf}
}

@misc{noFile2018,
  title = {Only a Web Page},
  year = {2018},
  file = {Snapshot:storage/YYYY/page.html:text/html}
}
`;

describe("attachmentPaths", () => {
  it("reads Better BibTeX's file field, escaped colons and Windows paths included", () => {
    expect(attachmentPaths("Full Text PDF:storage/A/x.pdf:application/pdf;Snapshot:storage/A/s.html:text/html")).toEqual(["storage/A/x.pdf", "storage/A/s.html"]);
    expect(attachmentPaths(String.raw`PDF:C\:/Users/me/paper.pdf:application/pdf`)).toEqual(["C:/Users/me/paper.pdf"]);
    expect(attachmentPaths("papers/plain.pdf")).toEqual(["papers/plain.pdf"]);
    // A bare path that happens to hold colons is not "desc:path:mime".
    expect(attachmentPaths("/p/a:b:c.pdf")).toEqual(["/p/a:b:c.pdf"]);
  });
});

describe("ingest --bib", () => {
  let dir: string;
  let home: string;
  let store: FolioStoreApi;
  const env = () => ({ FOLIO_HOME: home });

  beforeAll(async () => {
    dir = await tempDir("bib-library");
    home = path.join(dir, ".folio");
    await mkdir(path.join(dir, "storage", "ABCD1234"), { recursive: true });
    await mkdir(path.join(dir, "papers"), { recursive: true });
    await writeFile(path.join(dir, "storage", "ABCD1234", "widgets.pdf"), await makeTwoColumnPaper());
    await writeFile(path.join(dir, "storage", "ABCD1234", "snapshot.html"), "<html><body>snapshot</body></html>");
    await writeFile(path.join(dir, "papers", "gadgets.pdf"), await makePaperPdf("Some Title the PDF Gives Itself", [{ heading: "1 Introduction", paragraphs: ["Gadgets are considered harmful when they break widgets in production systems."] }]));
    await writeFile(path.join(dir, "library.bib"), BIB);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await removeDir(dir);
  });

  it("ingests the PDF attachments with the entries' metadata and keys; reports the missing file and the malformed entry", async () => {
    const run = await runFolio(["ingest", "--bib", path.join(dir, "library.bib"), "--json"], { env: env(), cwd: dir });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { ingested: number; skipped: Array<{ path: string; reason: string; detail?: string; hint: string }>; warnings: string[] };
    expect(summary.ingested).toBe(2);
    expect(summary.skipped).toEqual([expect.objectContaining({ path: path.join(dir, "storage", "ZZZZ", "lost.pdf"), reason: "not-found", detail: "the attachment of @lost2019" })]);
    expect(summary.skipped[0]!.hint).toMatch(/export it again with its files/);
    expect(summary.warnings.join("\n")).toMatch(/library\.bib: malformed entry/);
    expect(summary.warnings.join("\n")).toMatch(/@noFile2018 has no PDF attachment \(only \.html\)/);

    const config = testConfig(home);
    store = await openFolioStore(config, createEmbeddings(config));
    const records = await store.listDocuments();
    const widgets = records.find((r) => r.citationKey === "muller2021widgets")!;
    expect(widgets).toMatchObject({ title: "Learning Robust Widgets from Noisy Gadgets & More", authors: ["Jörg Müller", "B. Writer"], year: 2021, doi: "10.1000/widgets_1" });
    const gadgets = records.find((r) => r.citationKey === "gadget2020")!;
    expect(gadgets).toMatchObject({ title: "Gadgets Considered Harmful", authors: ["Ada Author"], year: 2020 });
    // The key rides with every chunk, so citations show it.
    const hits = await store.search({ text: "gadgets harmful widgets", k: 20 });
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(["muller2021widgets", "gadget2020"]).toContain(hit.metadata.citationKey);
    await store.close();
  }, 60_000);

  it("a second run changes nothing; a changed citation key re-ingests its paper", async () => {
    const run = await runFolio(["ingest", "--bib", "library.bib", "--json"], { env: env(), cwd: dir });
    const summary = JSON.parse(run.stdout) as { ingested: number; unchanged: number };
    expect(summary).toMatchObject({ ingested: 0, unchanged: 2 });
    await writeFile(path.join(dir, "renamed.bib"), BIB.replace("@inproceedings{gadget2020,", "@inproceedings{gadgets2020harmful,"));
    const renamed = JSON.parse((await runFolio(["ingest", "--bib", "renamed.bib", "--json"], { env: env(), cwd: dir })).stdout) as { ingested: number; replaced: number; unchanged: number };
    expect(renamed).toMatchObject({ ingested: 1, replaced: 1, unchanged: 1 });
    const back = JSON.parse((await runFolio(["ingest", "--bib", "library.bib", "--json"], { env: env(), cwd: dir })).stdout) as { replaced: number };
    expect(back.replaced).toBe(1);
  }, 60_000);

  it("`folio docs --bib` prints BibTeX under the entries' own keys; the sources of an answer show the key", async () => {
    const all = await runFolio(["docs", "--bib"], { env: env(), cwd: dir });
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/@article\{muller2021widgets,\n {2}title = \{\{Learning Robust Widgets from Noisy Gadgets \\& More\}\},\n {2}author = \{Jörg Müller and B\. Writer\}/);
    expect(all.stdout).toContain("@misc{gadget2020,");
    const one = await runFolio(["docs", "--bib", "gadget2020"], { env: env(), cwd: dir });
    expect(one.stdout).not.toContain("muller2021widgets");
    const unknown = await runFolio(["docs", "--bib", "nope2000"], { env: env(), cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No document "nope2000"/);
    const ask = await runFolio(["ask", "Why are gadgets considered harmful?"], { env: env(), cwd: dir });
    expect(ask.stdout).toMatch(/\[1\] Gadgets Considered Harmful, p\. 1 \(@gadget2020\)/);
  }, 60_000);

  it("reads a CSL-JSON export the same way", async () => {
    const csl = [
      { id: "gadget2020", type: "paper-conference", title: "Gadgets Considered Harmful (CSL)", author: [{ family: "Author", given: "Ada" }], issued: { "date-parts": [[2020, 6]] }, file: "papers/gadgets.pdf" },
      { id: "http://zotero.org/users/1/items/ABCD", type: "article", title: "Keyless", file: "storage/ABCD1234/widgets.pdf" },
      { id: "bad", title: 42 },
    ];
    await writeFile(path.join(dir, "library.json"), JSON.stringify(csl));
    const run = await runFolio(["ingest", "--bib", "library.json", "--json"], { env: env(), cwd: dir });
    const summary = JSON.parse(run.stdout) as { ingested: number; replaced: number; warnings: string[] };
    // The entries changed (titles, keys), so the documents are replaced, under the same ids.
    expect(summary).toMatchObject({ ingested: 2, replaced: 2 });
    expect(summary.warnings.join("\n")).toMatch(/library\.json: item 3: /);
    const docs = await runFolio(["docs", "--json"], { env: env(), cwd: dir });
    const documents = (JSON.parse(docs.stdout) as { documents: Array<{ title: string; citationKey?: string }> }).documents;
    expect(documents.map((d) => d.title).sort()).toEqual(["Gadgets Considered Harmful (CSL)", "Keyless"]);
    // A Zotero item URL is no citation key: Folio makes its own when it prints BibTeX.
    expect(documents.find((d) => d.title === "Keyless")!.citationKey).toBeUndefined();
  }, 60_000);
});

/**
 * `folio ingest zotero:DIR` on a Zotero data folder built here from Zotero's own schema
 * (../shared/specs/zotero: system.sql, userdata.sql, triggers.sql), with the item types, fields and
 * creator types it needs inserted by name as Zotero's schema update would: a stored PDF in a
 * collection with tags, a linked PDF, a trashed item, an attachment missing on disk and an HTML
 * snapshot. On Node with node:sqlite (22.5+), Zotero's situation itself: the database open in WAL
 * mode by another connection, with writes still in the -wal file.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import initSqlJs, { type Database } from "sql.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyWal } from "../../src/ingest/sqlite-snapshot.js";
import { makeTwoColumnPaper } from "../fixtures/make-pdfs.js";
import { runFolio } from "../helpers/cli.js";
import { removeDir, tempDir } from "../helpers/tmp.js";
import { makePaperPdf } from "./pdf-fixtures.js";

const SPECS = path.resolve(import.meta.dirname, "../../../shared/specs/zotero");
const hasSpecs = existsSync(path.join(SPECS, "userdata.sql"));
if (!hasSpecs) console.warn(`[zotero tests] skipped: Zotero's schema is not at ${SPECS} (see ../shared/specs/README.md)`);

interface Summary {
  ingested: number;
  unchanged: number;
  skipped: Array<{ path: string; reason: string; detail?: string; hint: string }>;
  warnings: string[];
}
interface Doc {
  docId: string;
  title: string;
  authors: string[];
  year?: number;
  doi?: string;
  citationKey?: string;
  library?: { itemType?: string; url?: string; tags: string[]; collections: string[] };
}

/** Zotero's schema, then the rows Zotero's global schema would add for the types and fields used here. */
function zoteroSchema(db: Database): void {
  for (const file of ["system.sql", "userdata.sql", "triggers.sql"]) db.exec(readFileSync(path.join(SPECS, file), "utf8"));
  db.exec(`
    INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1);
    INSERT INTO itemTypes (itemTypeID, typeName) VALUES (1, 'journalArticle'), (2, 'conferencePaper'), (3, 'attachment');
    INSERT INTO fields (fieldID, fieldName) VALUES (1, 'title'), (2, 'date'), (3, 'DOI'), (4, 'url'), (5, 'citationKey');
    INSERT INTO creatorTypes (creatorTypeID, creatorType) VALUES (1, 'author'), (2, 'editor');
    -- Zotero fills the "Combined" tables from these (and the user's custom ones) at startup.
    INSERT INTO itemTypesCombined (itemTypeID, typeName, display, custom) SELECT itemTypeID, typeName, 1, 0 FROM itemTypes;
    INSERT INTO fieldsCombined (fieldID, fieldName, custom) SELECT fieldID, fieldName, 0 FROM fields;
  `);
}

let nextValue = 1;
function addItem(db: Database, id: number, type: number, key: string, fields: Record<number, string>, authors: Array<[string, string]> = []): void {
  db.run("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)", [id, type, key]);
  for (const [fieldID, value] of Object.entries(fields)) {
    const valueID = nextValue++;
    db.run("INSERT INTO itemDataValues (valueID, value) VALUES (?, ?)", [valueID, value]);
    db.run("INSERT INTO itemData (itemID, fieldID, valueID) VALUES (?, ?, ?)", [id, Number(fieldID), valueID]);
  }
  authors.forEach(([first, last], i) => {
    db.run("INSERT OR IGNORE INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, 0)", [first, last]);
    db.run("INSERT INTO itemCreators (itemID, creatorID, creatorTypeID, orderIndex) VALUES (?, (SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ?), 1, ?)", [id, first, last, i]);
  });
}

function addAttachment(db: Database, id: number, parent: number, key: string, storedPath: string, contentType = "application/pdf", linkMode = 0): void {
  addItem(db, id, 3, key, {});
  db.run("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) VALUES (?, ?, ?, ?, ?)", [id, parent, linkMode, contentType, storedPath]);
}

describe.skipIf(!hasSpecs)("ingest zotero:DIR", () => {
  let dir: string;
  let zotero: string;
  let linked: string;

  beforeAll(async () => {
    dir = await tempDir("zotero");
    zotero = path.join(dir, "Zotero");
    linked = path.join(dir, "elsewhere", "gadgets.pdf");
    await mkdir(path.join(zotero, "storage", "AAAA1111"), { recursive: true });
    await mkdir(path.join(zotero, "storage", "CCCC3333"), { recursive: true });
    await mkdir(path.dirname(linked), { recursive: true });
    await writeFile(path.join(zotero, "storage", "AAAA1111", "Muller - 2021 - Widgets.pdf"), await makeTwoColumnPaper());
    await writeFile(path.join(zotero, "storage", "AAAA1111", "snapshot.html"), "<html>snapshot</html>");
    await writeFile(linked, await makePaperPdf("A Title the PDF Gives Itself", [{ heading: "1 Introduction", paragraphs: ["Gadgets are considered harmful when they break widgets in production systems."] }]));
    await writeFile(path.join(zotero, "storage", "CCCC3333", "trashed.pdf"), await makePaperPdf("Trashed", [{ paragraphs: ["This paper was moved to the trash and must not be ingested."] }]));

    const SQL = await initSqlJs({ locateFile: (f) => path.join(path.dirname(createRequire(import.meta.url).resolve("sql.js")), f) });
    const db = new SQL.Database();
    zoteroSchema(db);
    addItem(db, 1, 1, "PARENT01", { 1: "Learning Robust Widgets from Noisy Gadgets", 2: "2021-03-04", 3: "10.1000/widgets.1", 4: "https://example.org/widgets", 5: "muller2021widgets" }, [["Jörg", "Müller"], ["B.", "Writer"]]);
    addAttachment(db, 2, 1, "AAAA1111", "storage:Muller - 2021 - Widgets.pdf");
    addAttachment(db, 3, 1, "AAAA2222", "storage:snapshot.html", "text/html");
    addItem(db, 4, 2, "PARENT02", { 1: "Gadgets Considered Harmful", 2: "June 2020" }, [["Ada", "Author"]]);
    addAttachment(db, 5, 4, "BBBB1111", linked, "application/pdf", 2);
    addItem(db, 6, 1, "PARENT03", { 1: "A Trashed Paper", 2: "2019" });
    addAttachment(db, 7, 6, "CCCC3333", "storage:trashed.pdf");
    db.run("INSERT INTO deletedItems (itemID) VALUES (6)");
    addItem(db, 8, 1, "PARENT04", { 1: "Never Downloaded", 2: "2018" });
    addAttachment(db, 9, 8, "DDDD4444", "storage:missing.pdf");
    db.run("INSERT INTO collections (collectionID, collectionName, libraryID, key) VALUES (1, 'Reading', 1, 'COLL0001'), (2, 'Widgets', 1, 'COLL0002')");
    db.run("UPDATE collections SET parentCollectionID = 1 WHERE collectionID = 2");
    db.run("INSERT INTO collectionItems (collectionID, itemID) VALUES (2, 1)");
    db.run("INSERT INTO tags (tagID, name) VALUES (1, 'robustness'), (2, 'to-read')");
    db.run("INSERT INTO itemTags (itemID, tagID, type) VALUES (1, 1, 0), (1, 2, 0)");
    await writeFile(path.join(zotero, "zotero.sqlite"), db.export());
    db.close();
  }, 60_000);
  afterAll(async () => {
    await removeDir(dir);
  });

  const docsOf = async (home: string) => (JSON.parse((await runFolio(["docs", "--json"], { env: { FOLIO_HOME: home }, cwd: dir })).stdout) as { documents: Doc[] }).documents;

  it("ingests the PDFs of items not in the trash, with their metadata; a missing file is a clear skip", async () => {
    const home = path.join(dir, "home-all");
    const run = await runFolio(["ingest", `zotero:${zotero}`, "--json"], { env: { FOLIO_HOME: home }, cwd: dir });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.ingested).toBe(2);
    expect(summary.skipped).toEqual([expect.objectContaining({ path: path.join(zotero, "storage", "DDDD4444", "missing.pdf"), reason: "not-found", detail: "Zotero attachment DDDD4444" })]);
    expect(summary.skipped[0]!.hint).toMatch(/not on disk/);
    const docs = await docsOf(home);
    expect(docs.map((d) => d.title).sort()).toEqual(["Gadgets Considered Harmful", "Learning Robust Widgets from Noisy Gadgets"]);
    const widgets = docs.find((d) => d.citationKey === "muller2021widgets")!;
    expect(widgets).toMatchObject({ authors: ["Jörg Müller", "B. Writer"], year: 2021, doi: "10.1000/widgets.1" });
    expect(widgets.library).toEqual({ itemType: "journalArticle", url: "https://example.org/widgets", tags: ["robustness", "to-read"], collections: ["Reading", "Widgets"], attachmentKey: "AAAA1111" });
    const gadgets = docs.find((d) => d.title === "Gadgets Considered Harmful")!;
    expect(gadgets).toMatchObject({ authors: ["Ada Author"], year: 2020 });
    expect(gadgets.library?.itemType).toBe("conferencePaper");

    // Again: nothing new.
    const again = JSON.parse((await runFolio(["ingest", `zotero:${zotero}`, "--json"], { env: { FOLIO_HOME: home }, cwd: dir })).stdout) as Summary;
    expect(again).toMatchObject({ ingested: 0, unchanged: 2 });
  }, 60_000);

  it("--zotero-collection takes one collection (with its subcollections); an unknown one lists the others", async () => {
    const home = path.join(dir, "home-collection");
    const run = await runFolio(["ingest", `zotero:${zotero}`, "--zotero-collection", "Reading", "--json"], { env: { FOLIO_HOME: home }, cwd: dir });
    expect((JSON.parse(run.stdout) as Summary).ingested).toBe(1);
    expect((await docsOf(home)).map((d) => d.citationKey)).toEqual(["muller2021widgets"]);
    const unknown = await runFolio(["ingest", `zotero:${zotero}`, "--zotero-collection", "Nope"], { env: { FOLIO_HOME: home }, cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no collection "Nope"[\s\S]*Its collections: Reading, Widgets/);
    const none = await runFolio(["ingest", `zotero:${path.join(dir, "nowhere")}`], { env: { FOLIO_HOME: home }, cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No Zotero library at .*nowhere[\s\S]*Settings > Advanced/);
  }, 60_000);

  const sqlite = (() => {
    try {
      return createRequire(import.meta.url)("node:sqlite") as { DatabaseSync: new (file: string) => { exec(sql: string): void; prepare(sql: string): { run(...values: unknown[]): unknown }; close(): void } };
    } catch {
      return undefined;
    }
  })();
  if (!sqlite) console.warn("[zotero tests] the WAL test needs node:sqlite (Node 22.5 or later); skipped on this Node.");

  it.skipIf(!sqlite)("reads what Zotero, still running, has only in the -wal file", async () => {
    const live = new sqlite!.DatabaseSync(path.join(zotero, "zotero.sqlite"));
    try {
      live.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
      await mkdir(path.join(zotero, "storage", "EEEE5555"), { recursive: true });
      await writeFile(path.join(zotero, "storage", "EEEE5555", "new.pdf"), await makePaperPdf("Fresh", [{ paragraphs: ["A paper added while Zotero runs lives only in the write-ahead log so far."] }]));
      live.exec(`INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (10, 1, 1, 'PARENT05');
        INSERT INTO itemDataValues (valueID, value) VALUES (900, 'Added While Zotero Runs');
        INSERT INTO itemData (itemID, fieldID, valueID) VALUES (10, 1, 900);
        INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (11, 3, 1, 'EEEE5555');
        INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) VALUES (11, 10, 0, 'application/pdf', 'storage:new.pdf');`);
      expect(existsSync(path.join(zotero, "zotero.sqlite-wal"))).toBe(true);
      const home = path.join(dir, "home-wal");
      const run = await runFolio(["ingest", `zotero:${zotero}`, "--json"], { env: { FOLIO_HOME: home }, cwd: dir });
      expect((JSON.parse(run.stdout) as Summary).ingested).toBe(3);
      expect((await docsOf(home)).map((d) => d.title)).toContain("Added While Zotero Runs");

      // A copy taken while Zotero was still appending ends in a torn frame: its checksum fails,
      // and the snapshot is the last complete commit (the database still opens).
      const main = new Uint8Array(readFileSync(path.join(zotero, "zotero.sqlite")));
      const wal = new Uint8Array(readFileSync(path.join(zotero, "zotero.sqlite-wal")));
      const torn = wal.slice();
      torn[torn.length - 100] = torn[torn.length - 100]! ^ 0xff;
      const SQL = await initSqlJs({ locateFile: (f) => path.join(path.dirname(createRequire(import.meta.url).resolve("sql.js")), f) });
      const attachmentPaths = (bytes: Uint8Array) => {
        const copy = bytes.slice();
        if (copy[18] === 2) copy.set([1, 1], 18);
        const db = new SQL.Database(copy);
        try {
          return (db.exec("SELECT path FROM itemAttachments")[0]?.values ?? []).map((row) => String(row[0]));
        } finally {
          db.close();
        }
      };
      // (Each statement above was its own commit: the torn one is the last, the attachment's.)
      expect(attachmentPaths(applyWal(main, wal))).toContain("storage:new.pdf");
      expect(attachmentPaths(applyWal(main, torn))).not.toContain("storage:new.pdf");
      expect(attachmentPaths(applyWal(main, torn))).toContain("storage:Muller - 2021 - Widgets.pdf");
    } finally {
      live.close();
    }
  }, 60_000);
});

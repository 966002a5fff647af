/**
 * A local Zotero library (its data folder: zotero.sqlite and storage/) as ingest's manifest, read
 * offline from a snapshot of the database (Zotero keeps it locked; see sqlite-snapshot.ts).
 *
 * Every PDF attachment that is not in the trash (nor its parent item) becomes an entry carrying its
 * parent item's title, authors, year, DOI, URL, item type, tags, collections and citation key:
 * stored files (`storage:<name>` in storage/<attachment key>/) and linked files (an absolute path,
 * or `attachments:<path>` under the base folder given). An attachment that is missing on disk is
 * reported, not fatal.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Database, SqlValue } from "sql.js";
import { InputError, errorMessage } from "../errors.js";
import { yearOf, type Bibliography } from "./bibliography.js";
import type { ManifestEntry } from "./manifest.js";
import { openSnapshot } from "./sqlite-snapshot.js";

export interface ZoteroOptions {
  /** Only the items in this collection (or its subcollections), by name. */
  collection?: string;
  /** Where `attachments:` paths of linked files are relative to (Zotero's "Linked Attachment Base Directory"). */
  linkedBaseDir?: string;
}

interface AttachmentRow {
  attachmentKey: string;
  path: string;
  parentItemID: number | null;
  itemID: number;
}

function rows<T>(db: Database, sql: string, params: SqlValue[] = []): T[] {
  const statement = db.prepare(sql);
  try {
    statement.bind(params);
    const out: T[] = [];
    while (statement.step()) out.push(statement.getAsObject() as T);
    return out;
  } finally {
    statement.free();
  }
}

const PDF_ATTACHMENTS = `
  SELECT att.itemID AS itemID, ai.key AS attachmentKey, att.path AS path, att.parentItemID AS parentItemID
  FROM itemAttachments att JOIN items ai ON ai.itemID = att.itemID
  WHERE att.path IS NOT NULL
    AND (att.contentType = 'application/pdf' OR lower(att.path) LIKE '%.pdf')
    AND att.itemID NOT IN (SELECT itemID FROM deletedItems)
    AND (att.parentItemID IS NULL OR att.parentItemID NOT IN (SELECT itemID FROM deletedItems))
    AND ai.libraryID IN (SELECT libraryID FROM libraries WHERE type = 'user')`;

/** Field values of an item, by field name (the schema's fields and the user's custom ones). */
function fieldsOf(db: Database, itemID: number): Map<string, string> {
  const found = rows<{ fieldName: string; value: string }>(
    db,
    `SELECT f.fieldName AS fieldName, v.value AS value FROM itemData d
     JOIN (SELECT fieldID, fieldName FROM fields UNION SELECT fieldID, fieldName FROM fieldsCombined) f ON f.fieldID = d.fieldID
     JOIN itemDataValues v ON v.valueID = d.valueID WHERE d.itemID = ?`,
    [itemID],
  );
  return new Map(found.map((r) => [r.fieldName, String(r.value)]));
}

function authorsOf(db: Database, itemID: number): string[] {
  const creators = rows<{ firstName: string | null; lastName: string | null; creatorType: string | null }>(
    db,
    `SELECT c.firstName AS firstName, c.lastName AS lastName, t.creatorType AS creatorType FROM itemCreators ic
     JOIN creators c ON c.creatorID = ic.creatorID LEFT JOIN creatorTypes t ON t.creatorTypeID = ic.creatorTypeID
     WHERE ic.itemID = ? ORDER BY ic.orderIndex`,
    [itemID],
  );
  const authors = creators.filter((c) => c.creatorType === "author" || c.creatorType === null);
  return (authors.length ? authors : creators).map((c) => [c.firstName, c.lastName].filter(Boolean).join(" ")).filter(Boolean);
}

function itemTypeOf(db: Database, itemID: number): string | undefined {
  const [row] = rows<{ typeName: string }>(db, `SELECT t.typeName AS typeName FROM items i JOIN (SELECT itemTypeID, typeName FROM itemTypes UNION SELECT itemTypeID, typeName FROM itemTypesCombined) t ON t.itemTypeID = i.itemTypeID WHERE i.itemID = ?`, [itemID]);
  return row?.typeName;
}

const tagsOf = (db: Database, itemID: number) => rows<{ name: string }>(db, "SELECT t.name AS name FROM itemTags it JOIN tags t ON t.tagID = it.tagID WHERE it.itemID = ? ORDER BY t.name", [itemID]).map((r) => r.name);

/** The SQL condition for collections of the user's library not in the trash (older databases have no deletedCollections table). */
function liveCollections(db: Database): string {
  const hasDeleted = rows(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deletedCollections'").length > 0;
  return `libraryID IN (SELECT libraryID FROM libraries WHERE type = 'user')${hasDeleted ? " AND collectionID NOT IN (SELECT collectionID FROM deletedCollections)" : ""}`;
}

/** The collections an item is in, with their ancestors (a paper in "Vision/Transformers" is in "Vision" too). */
function collectionsOf(db: Database, itemID: number, live: string): string[] {
  const all = new Map(rows<{ id: number; name: string; parent: number | null }>(db, `SELECT collectionID AS id, collectionName AS name, parentCollectionID AS parent FROM collections WHERE ${live}`).map((c) => [c.id, c]));
  const names = new Set<string>();
  for (const { id } of rows<{ id: number }>(db, "SELECT collectionID AS id FROM collectionItems WHERE itemID = ?", [itemID])) {
    for (let c = all.get(id); c; c = c.parent === null ? undefined : all.get(c.parent)) names.add(c.name);
  }
  return [...names].sort();
}

function filePathOf(row: AttachmentRow, dataDir: string, options: ZoteroOptions): string | undefined {
  if (row.path.startsWith("storage:")) return path.join(dataDir, "storage", row.attachmentKey, row.path.slice("storage:".length));
  if (row.path.startsWith("attachments:")) return options.linkedBaseDir ? path.join(options.linkedBaseDir, row.path.slice("attachments:".length)) : undefined;
  return path.isAbsolute(row.path) ? row.path : undefined;
}

function entryOf(db: Database, row: AttachmentRow, absolutePath: string, live: string): ManifestEntry {
  const itemID = row.parentItemID ?? row.itemID;
  const fields = fieldsOf(db, itemID);
  const year = yearOf(fields.get("date"));
  const authors = authorsOf(db, itemID);
  const library = { itemType: itemTypeOf(db, itemID), url: fields.get("url"), tags: tagsOf(db, itemID), collections: collectionsOf(db, itemID, live), attachmentKey: row.attachmentKey };
  return {
    path: absolutePath,
    absolutePath,
    title: fields.get("title"),
    authors: authors.length ? authors : undefined,
    year,
    doi: fields.get("DOI"),
    citationKey: fields.get("citationKey"),
    library,
    line: 0,
  };
}

/** Reads the Zotero data folder (default ~/Zotero) as manifest entries, one per PDF attachment on disk. */
export async function loadZoteroLibrary(dataDir: string, options: ZoteroOptions = {}): Promise<Bibliography> {
  const database = path.join(dataDir, "zotero.sqlite");
  if (!existsSync(database)) throw new InputError(`No Zotero library at ${dataDir} (zotero.sqlite is not there).`, "Give Zotero's data folder: `folio ingest zotero:~/Zotero` (Zotero shows it under Settings > Advanced > Files and Folders).");
  let db: Database;
  try {
    db = await openSnapshot(database);
  } catch (error) {
    throw new InputError(`Cannot read ${database}: ${errorMessage(error)}.`, "Check that it is Zotero's database; a damaged file can be restored from Zotero's automatic backup (zotero.sqlite.bak).", error);
  }
  try {
    return readLibrary(db, dataDir, options);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`Cannot read the Zotero library at ${dataDir}: ${errorMessage(error)}.`, "Check that it is Zotero's data folder and that Zotero has opened it once with a recent version; a damaged database can be restored from zotero.sqlite.bak.", error);
  } finally {
    db.close();
  }
}

function readLibrary(db: Database, dataDir: string, options: ZoteroOptions): Bibliography {
  const live = liveCollections(db);
  {
    const library: Bibliography = { entries: [], byPath: new Map(), warnings: [], missing: [] };
    const inCollection = (itemID: number) => !options.collection || collectionsOf(db, itemID, live).includes(options.collection);
    if (options.collection && rows(db, `SELECT 1 FROM collections WHERE collectionName = ? AND ${live}`, [options.collection]).length === 0) {
      const names = rows<{ name: string }>(db, `SELECT collectionName AS name FROM collections WHERE ${live} ORDER BY collectionName`).map((r) => r.name);
      throw new InputError(`The Zotero library has no collection "${options.collection}".`, names.length ? `Its collections: ${names.join(", ")}.` : "It has no collections.");
    }
    for (const row of rows<AttachmentRow>(db, PDF_ATTACHMENTS)) {
      if (!inCollection(row.parentItemID ?? row.itemID)) continue;
      const file = filePathOf(row, dataDir, options);
      if (!file) {
        library.warnings.push(`Zotero attachment ${row.attachmentKey} (${row.path}) is relative to the linked attachment base folder: give it with --zotero-base-dir to ingest it.`);
        continue;
      }
      if (!existsSync(file)) {
        library.missing.push({ key: row.attachmentKey, path: file });
        continue;
      }
      const entry = entryOf(db, row, file, live);
      library.entries.push(entry);
      library.byPath.set(file, entry);
    }
    return library;
  }
}

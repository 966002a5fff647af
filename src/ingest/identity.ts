/**
 * Which document a file is. The id planned from a file's name or the manifest is a claim; this
 * module checks it against what the file is, so that no document is ever replaced by another:
 * - the same bytes are one document, whatever path they are found at (a copy is recorded as the
 *   document's other path, not stored twice);
 * - an arXiv id in a file name must agree with the id printed in the PDF;
 * - an id already held by another paper (another file that still exists, or a different title,
 *   DOI or arXiv id) is not taken over: the newcomer gets an id of its own and a warning names both.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { DocumentRecord } from "../store/types.js";
import { fileDocId, shortHash, urlDocId } from "./hash.js";
import type { SourceItem } from "./discover.js";

/** Where a planned id came from. Only "file-name" is a mere hint the content has to confirm. */
export type IdSource = "manifest" | "download" | "file-name" | "path" | "url" | "stored";

/** The sha256 of the bytes: the part of a contentHash before the settings fingerprint. */
export function bytesHashOf(contentHash: string): string {
  return contentHash.split(".")[0] ?? contentHash;
}

/** What a paper says it is, for telling two papers apart. */
export interface PaperClaims {
  title: string;
  arxivId?: string | undefined;
  doi?: string | undefined;
}

/** Words of three or more letters, lower-cased: enough to compare titles that extraction garbled a little. */
function titleWords(title: string): Set<string> {
  return new Set(title.toLowerCase().match(/\p{L}{3,}/gu) ?? []);
}

/** Whether two records certainly describe different papers (unknown fields prove nothing). */
export function differentPapers(a: PaperClaims, b: PaperClaims): boolean {
  if (a.arxivId && b.arxivId) return a.arxivId !== b.arxivId;
  if (a.doi && b.doi) return a.doi.toLowerCase() !== b.doi.toLowerCase();
  const wa = titleWords(a.title);
  const wb = titleWords(b.title);
  if (wa.size < 3 || wb.size < 3) return false;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / Math.min(wa.size, wb.size) < MIN_SHARED_TITLE_WORDS;
}

/** Below this share of the shorter title's words, two titles name different papers. */
const MIN_SHARED_TITLE_WORDS = 0.3;

/** A source that is still there: a file on disk, or a URL (which we cannot check offline). */
function sourceStillThere(source: string): boolean {
  return !path.isAbsolute(source) || existsSync(source);
}

/** The owner of some bytes in this run; `docId` follows the owner if its id changes after parsing. */
interface BytesOwner {
  docId: string;
  display: string;
}

export type BeforeParse =
  /** Another document already is these bytes: this file is recorded as its other path. */
  | { kind: "copy"; docId: string; of: string }
  /** A previous run settled this file's id (e.g. after a conflict): use it. */
  | { kind: "adopt"; docId: string }
  | { kind: "own" };

export interface Resolved {
  docId: string;
  arxivId: string | undefined;
  /** Set when the planned id was not taken: says why, and names the document that kept it. */
  warning?: string;
}

/** Run-wide identity bookkeeping: stored files by their bytes, bytes claimed this run, copies found. */
export class Identities {
  private readonly storedByBytes = new Map<string, DocumentRecord[]>();
  private readonly owners = new Map<string, BytesOwner>();
  private readonly copies: Array<{ owner: BytesOwner | string; path: string }> = [];

  constructor(
    storedFiles: readonly DocumentRecord[],
    /** Ids claimed by the plan (id to display), so a fallback id never lands on another item's. */
    private readonly claimedIds: Map<string, string>,
  ) {
    for (const record of storedFiles) {
      const bytes = bytesHashOf(record.contentHash);
      this.storedByBytes.set(bytes, [...(this.storedByBytes.get(bytes) ?? []), record]);
    }
  }

  /** For files that share a size with an earlier one: that file's claim, and a way to settle this one's. */
  private readonly turns = new Map<number, { previous: Promise<void> | undefined; done: () => void }>();

  /**
   * Files of one size may be copies of each other; which one owns the bytes must not depend on
   * which finished hashing first. Each waits for the one before it in plan order (`positions`:
   * plan positions of the files that share a size, in order). Others never wait.
   */
  orderSameSize(positions: readonly number[]): void {
    let previous: Promise<void> | undefined;
    for (const position of positions) {
      let done!: () => void;
      const claimed = new Promise<void>((resolve) => (done = resolve));
      this.turns.set(position, { previous, done });
      previous = claimed;
    }
  }

  /** Waits for this file's turn to claim its bytes; call the result once it has (or has failed). */
  async turn(position: number): Promise<() => void> {
    const turn = this.turns.get(position);
    if (!turn) return () => undefined;
    await turn.previous;
    return turn.done;
  }

  /** Before parsing: is this file a copy of a document (this run's or a stored one)? */
  beforeParse(docId: string, display: string, contentHash: string): BeforeParse {
    const bytes = bytesHashOf(contentHash);
    const owner = this.owners.get(bytes);
    if (owner && owner.display !== display) {
      this.copies.push({ owner, path: display });
      return { kind: "copy", docId: owner.docId, of: owner.display };
    }
    const stored = this.storedByBytes.get(bytes) ?? [];
    const mine = stored.find((r) => r.source === display || (r.alsoAt ?? []).includes(display));
    if (mine && (mine.source === display || !sourceStillThere(mine.source))) {
      // This file is the document's source, or a recorded copy whose first path is gone: it lives on here.
      this.own(bytes, mine.docId, display);
      return mine.docId === docId ? { kind: "own" } : { kind: "adopt", docId: mine.docId };
    }
    const twin = mine ?? stored.find((r) => sourceStillThere(r.source));
    if (twin) {
      this.copies.push({ owner: twin.docId, path: display });
      return { kind: "copy", docId: twin.docId, of: twin.source };
    }
    this.own(bytes, docId, display);
    return { kind: "own" };
  }

  /**
   * After parsing: the planned id, or an id of the file's own when the content contradicts the
   * file name's arXiv id or the planned id belongs to another paper.
   */
  afterParse(input: { item: SourceItem; docId: string; idFrom: IdSource; knownArxivId: string | undefined; contentHash: string; display: string; parsed: PaperClaims; existing: DocumentRecord | null }): Resolved {
    const { item, docId, idFrom, knownArxivId, parsed, existing, display } = input;
    const bytes = bytesHashOf(input.contentHash);
    const claimed = idFrom === "file-name" ? knownArxivId : undefined;
    const contentArxiv = parsed.arxivId;
    let why: string | undefined;
    if (claimed && contentArxiv && contentArxiv !== claimed) {
      why = `it is named like arXiv ${claimed} but its text says arXiv ${contentArxiv}`;
    } else if (existing && existing.source !== display && bytesHashOf(existing.contentHash) !== bytes) {
      const mine: PaperClaims = { title: parsed.title, arxivId: contentArxiv ?? knownArxivId, doi: parsed.doi };
      if (sourceStillThere(existing.source)) why = `${docId} already holds another file`;
      else if (differentPapers(existing, mine)) why = `${docId} already holds another paper`;
    }
    const arxivId = idFrom === "file-name" && why ? contentArxiv : (knownArxivId ?? contentArxiv);
    if (!why) return { docId, arxivId };
    const own = this.fallbackId(item, docId, display);
    const owner = this.owners.get(bytes);
    if (owner) owner.docId = own;
    const kept = existing ? `; "${existing.title}" (${docId}, from ${existing.source}) is kept` : "";
    return { docId: own, arxivId, warning: `${why}, so it is stored as its own document ${own} ("${parsed.title}")${kept}. Rename the file or fix the manifest if the id is wrong.` };
  }

  /** The copies found this run, by the id of the document they are copies of. */
  copiesByDocument(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const { owner, path: copy } of this.copies) {
      const docId = typeof owner === "string" ? owner : owner.docId;
      out.set(docId, [...(out.get(docId) ?? []), copy]);
    }
    return out;
  }

  private own(bytes: string, docId: string, display: string): void {
    this.owners.set(bytes, { docId, display });
  }

  private fallbackId(item: SourceItem, planned: string, display: string): string {
    const byPlace = item.type === "url" ? urlDocId(item.url) : fileDocId(item.root, item.path);
    const holder = this.claimedIds.get(byPlace);
    const id = byPlace !== planned && (holder === undefined || holder === display) ? byPlace : `file:${shortHash(display)}`;
    this.claimedIds.set(id, display);
    return id;
  }
}

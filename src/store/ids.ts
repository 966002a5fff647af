/**
 * Deterministic point ids: re-ingesting the same chunk writes the same point, so a rerun after a crash
 * overwrites instead of duplicating, and a changed chunk gets a new id (its old point is then removed).
 */
import { createHash } from "node:crypto";
import { v5 as uuidv5, validate as uuidValidate } from "uuid";
import type { ChunkKind } from "./types.js";

/** Fixed namespace for Folio's UUID v5 ids (never change it: ids would change with it). */
export const FOLIO_ID_NAMESPACE = "5b0f6c1e-2f4a-5d1b-9a53-6f6c696f0001";

export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 32);
}

export function chunkPointId(docId: string, kind: ChunkKind, chunkIndex: number, text: string): string {
  return uuidv5(`${docId}\u0000${kind}\u0000${chunkIndex}\u0000${textHash(text)}`, FOLIO_ID_NAMESPACE);
}

/** The registry point of a document. */
export function documentPointId(docId: string): string {
  return uuidv5(`document\u0000${docId}`, FOLIO_ID_NAMESPACE);
}

/** Whether Qdrant accepts this as a point id (an unsigned integer or a UUID). */
export function isValidPointId(id: string | number): boolean {
  if (typeof id === "number") return Number.isSafeInteger(id) && id >= 0;
  return uuidValidate(id) || /^\d+$/.test(id);
}

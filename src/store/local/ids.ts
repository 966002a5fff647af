/** Point ids: unsigned integers or UUIDs, normalised the way the server prints them. */
import { formatError } from "./errors.js";

export type PointId = number | string;

const UUID_HEX = /^[0-9a-f]{32}$/i;

/** Parses an id as the server does; UUIDs come back lowercase and hyphenated. */
export function normalizeId(raw: unknown): PointId {
  if (typeof raw === "number") {
    if (Number.isInteger(raw) && raw >= 0 && raw <= Number.MAX_SAFE_INTEGER) return raw;
  } else if (typeof raw === "string") {
    let s = raw.trim();
    if (s.toLowerCase().startsWith("urn:uuid:")) s = s.slice(9);
    if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1);
    const hyphenated = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
    const hex = hyphenated ? s.replace(/-/g, "") : s;
    if ((hyphenated || s.length === 32) && UUID_HEX.test(hex)) {
      const h = hex.toLowerCase();
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
  }
  throw formatError(
    `value ${JSON.stringify(raw)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

/** Server order of ids: integers first (numerically), then UUIDs (bytewise = lowercase hex order). */
export function compareIds(a: PointId, b: PointId): number {
  if (typeof a === "number") {
    if (typeof b === "number") return a - b;
    return -1;
  }
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

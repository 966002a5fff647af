/** Payload selection (with_payload) and nested payload updates (set_payload with `key`). */
import { formatError } from "./errors.js";
import { parsePath, type Payload } from "./filter.js";

export function clonePayload(raw: unknown): Payload {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw formatError("payload must be a JSON object");
  return JSON.parse(JSON.stringify(raw)) as Payload;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function copyPath(src: Payload, dst: Payload, path: string): void {
  const items = parsePath(path);
  let s: unknown = src;
  let d: Record<string, unknown> = dst;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind !== "key" || !isObject(s) || !(item.key in s)) return;
    const v: unknown = s[item.key];
    if (i === items.length - 1) {
      d[item.key] = v;
      return;
    }
    if (!isObject(d[item.key])) d[item.key] = {};
    d = d[item.key] as Record<string, unknown>;
    s = v;
  }
}

function removePath(obj: Payload, path: string): void {
  const items = parsePath(path);
  let cur: unknown = obj;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind !== "key" || !isObject(cur)) return;
    if (i === items.length - 1) {
      delete cur[item.key];
      return;
    }
    cur = cur[item.key];
  }
}

/** The payload a response carries for `with_payload` (undefined = none requested). */
export function selectPayload(payload: Payload, withPayload: unknown, defaultOn: boolean): Payload | null {
  const spec = withPayload === undefined || withPayload === null ? defaultOn : withPayload;
  if (spec === false) return null;
  if (spec === true) return JSON.parse(JSON.stringify(payload)) as Payload;
  let include: string[] | null = null;
  let exclude: string[] | null = null;
  if (Array.isArray(spec)) include = spec.map(String);
  else if (isObject(spec) && Array.isArray(spec.include)) include = spec.include.map(String);
  else if (isObject(spec) && Array.isArray(spec.exclude)) exclude = spec.exclude.map(String);
  else throw formatError("with_payload must be a bool, a list of keys, {include} or {exclude}");
  if (include) {
    const out: Payload = {};
    for (const p of include) copyPath(payload, out, p);
    return JSON.parse(JSON.stringify(out)) as Payload;
  }
  const out = JSON.parse(JSON.stringify(payload)) as Payload;
  for (const p of exclude ?? []) removePath(out, p);
  return out;
}

/** set_payload: merges top-level keys, or under `key` (a path to an object) when given. */
export function mergePayload(current: Payload, update: Payload, key: string | null | undefined): Payload {
  const next = JSON.parse(JSON.stringify(current)) as Payload;
  if (!key) return Object.assign(next, update);
  const items = parsePath(key);
  let cur: Record<string, unknown> = next;
  for (const item of items) {
    if (item.kind !== "key") throw formatError(`unsupported key path for set_payload: ${key}`);
    if (!isObject(cur[item.key])) cur[item.key] = {};
    cur = cur[item.key] as Record<string, unknown>;
  }
  Object.assign(cur, update);
  return next;
}

export function deletePayloadKeys(current: Payload, keys: string[]): Payload {
  const next = JSON.parse(JSON.stringify(current)) as Payload;
  for (const k of keys) removePath(next, k);
  return next;
}

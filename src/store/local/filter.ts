/**
 * Qdrant filters evaluated against stored payloads, with the server's semantics (as its Python
 * client's local mode reproduces them): arrays match when any element matches, `is_empty` is true
 * for missing / null / [], `except` never matches an absent value, text match without a full-text
 * index compares word tokens.
 */
import { wrongInput } from "./errors.js";
import { normalizeId, type PointId } from "./ids.js";

export type Payload = Record<string, unknown>;

/** What a filter may look at for one point. */
export interface FilterTarget {
  /** may be read lazily: a filter on indexed fields alone never touches it */
  readonly payload: Payload;
  readonly id: PointId;
  hasVector(name: string): boolean;
  /** Whether any value at an indexed `key` satisfies `m`, from the payload index; undefined: ask the payload. */
  indexed?(key: string, m: (value: unknown) => boolean): boolean | undefined;
}

export type Predicate = (target: FilterTarget) => boolean;

type PathItem = { kind: "key"; key: string } | { kind: "index"; index: number } | { kind: "all" };

const pathCache = new Map<string, PathItem[]>();

/** Parses `a.b[].c`, `a[0].b`, `a."dotted.key"`. */
export function parsePath(path: string): PathItem[] {
  const cached = pathCache.get(path);
  if (cached) return cached;
  const items: PathItem[] = [];
  let i = 0;
  const n = path.length;
  while (i < n) {
    if (path[i] === ".") {
      i++;
      continue;
    }
    if (path[i] === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) throw wrongInput(`Invalid payload key path: ${path}`);
      const inner = path.slice(i + 1, close);
      if (inner === "") items.push({ kind: "all" });
      else if (/^\d+$/.test(inner)) items.push({ kind: "index", index: Number(inner) });
      else throw wrongInput(`Invalid payload key path: ${path}`);
      i = close + 1;
      continue;
    }
    if (path[i] === '"') {
      const close = path.indexOf('"', i + 1);
      if (close < 0) throw wrongInput(`Invalid payload key path: ${path}`);
      items.push({ kind: "key", key: path.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < n && path[j] !== "." && path[j] !== "[") j++;
    items.push({ kind: "key", key: path.slice(i, j) });
    i = j;
  }
  if (pathCache.size > 10_000) pathCache.clear();
  pathCache.set(path, items);
  return items;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Values at a path; `flat` spreads a final array value (filters), otherwise keeps it (counts, emptiness). */
export function valuesAt(payload: unknown, path: string, flat = true): unknown[] {
  const items = parsePath(path);
  const out: unknown[] = [];
  const walk = (data: unknown, k: number): void => {
    const item = items[k];
    if (!item) return;
    const last = k === items.length - 1;
    if (item.kind === "key") {
      if (!isObject(data) || !(item.key in data)) return;
      const v = data[item.key];
      if (last) {
        if (flat && Array.isArray(v)) out.push(...v);
        else out.push(v);
      } else walk(v, k + 1);
    } else if (item.kind === "index") {
      if (!Array.isArray(data) || item.index >= data.length) return;
      if (last) out.push(data[item.index]);
      else walk(data[item.index], k + 1);
    } else {
      if (!Array.isArray(data)) return;
      if (last) out.push(...data);
      else for (const el of data) walk(el, k + 1);
    }
  };
  walk(payload, 0);
  return out;
}

function valuesMatch(value: unknown, expected: unknown): boolean {
  if (typeof value === "number" && typeof expected === "number") {
    // Match operands are integers; a float payload value never equals one on the server.
    return Number.isInteger(value) && value === expected;
  }
  return typeof value === typeof expected && value === expected;
}

const TOKEN = /[\p{L}\p{N}]+/gu;
function tokens(text: string): string[] {
  return (text.match(TOKEN) ?? []).map((t) => t.toLowerCase());
}

type Matcher = (value: unknown) => boolean;

function compileMatch(match: unknown): Matcher {
  if (!isObject(match)) throw wrongInput("match must be an object");
  if ("value" in match) {
    const expected = match.value;
    if (!["string", "number", "boolean"].includes(typeof expected)) throw wrongInput("match.value must be a string, integer or bool");
    return (v) => valuesMatch(v, expected);
  }
  if ("any" in match) {
    const list = match.any;
    if (!Array.isArray(list)) throw wrongInput("match.any must be an array");
    const set = new Set<unknown>(list);
    return (v) => (typeof v === "number" ? Number.isInteger(v) && set.has(v) : (typeof v === "string") && set.has(v));
  }
  if ("except" in match) {
    const list = match.except;
    if (!Array.isArray(list)) throw wrongInput("match.except must be an array");
    return (v) => v !== null && v !== undefined && !list.some((e) => valuesMatch(v, e));
  }
  if ("text" in match) {
    const q = tokens(String(match.text));
    return (v) => {
      if (typeof v !== "string" || q.length === 0) return false;
      const doc = new Set(tokens(v));
      return q.every((t) => doc.has(t));
    };
  }
  if ("text_any" in match) {
    const q = tokens(String(match.text_any));
    return (v) => {
      if (typeof v !== "string") return false;
      const doc = new Set(tokens(v));
      return q.some((t) => doc.has(t));
    };
  }
  if ("phrase" in match) {
    const q = tokens(String(match.phrase));
    return (v) => {
      if (typeof v !== "string" || q.length === 0) return false;
      const doc = tokens(v);
      for (let i = 0; i + q.length <= doc.length; i++) if (q.every((t, j) => doc[i + j] === t)) return true;
      return false;
    };
  }
  if ("prefix" in match) {
    const p = String(match.prefix);
    return (v) => typeof v === "string" && v.startsWith(p);
  }
  throw wrongInput(`Unknown match condition: ${JSON.stringify(match)}`);
}

function compileRange(range: unknown): Matcher {
  if (!isObject(range)) throw wrongInput("range must be an object");
  const bounds = { lt: range.lt, lte: range.lte, gt: range.gt, gte: range.gte };
  const present = Object.values(bounds).filter((b) => b !== undefined && b !== null);
  const isDate = present.some((b) => typeof b === "string");
  const toNum = (b: unknown): number | undefined => {
    if (b === undefined || b === null) return undefined;
    if (isDate) {
      const t = Date.parse(String(b));
      if (Number.isNaN(t)) throw wrongInput(`Invalid datetime in range: ${String(b)}`);
      return t;
    }
    if (typeof b !== "number") throw wrongInput("range bounds must be numbers");
    return b;
  };
  const lt = toNum(bounds.lt);
  const lte = toNum(bounds.lte);
  const gt = toNum(bounds.gt);
  const gte = toNum(bounds.gte);
  return (raw) => {
    let v: number;
    if (isDate) {
      if (typeof raw !== "string") return false;
      v = Date.parse(raw);
      if (Number.isNaN(v)) return false;
    } else {
      if (typeof raw !== "number") return false;
      v = raw;
    }
    return (lt === undefined || v < lt) && (lte === undefined || v <= lte) && (gt === undefined || v > gt) && (gte === undefined || v >= gte);
  };
}

function isEmptyAt(payload: Payload, key: string): boolean {
  const values = valuesAt(payload, key, false);
  return values.length === 0 || values.every((v) => v === null || (Array.isArray(v) && v.length === 0));
}

function isNullAt(payload: Payload, key: string): boolean {
  const values = valuesAt(payload, key, false);
  return values.some((v) => v === null || (Array.isArray(v) && v.some((e) => e === null)));
}

function valueCount(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return Array.isArray(v) ? v.length : 1;
}

/** The keys of a path made of plain keys only (no `[i]` / `[]`), else null. */
function plainKeys(path: string): string[] | null {
  const items = parsePath(path);
  const keys: string[] = [];
  for (const item of items) {
    if (item.kind !== "key") return null;
    keys.push(item.key);
  }
  return keys;
}

/** `valuesAt(payload, path).some(m)` for a path of plain keys, without allocating. */
function anyAtKeys(payload: unknown, keys: readonly string[], m: Matcher): boolean {
  const last = keys.length - 1;
  if (last < 0) return false;
  let data = payload;
  for (let k = 0; k < last; k++) {
    const key = keys[k] as string;
    // As valuesAt: only an object is walked into; an array in the middle of the path yields nothing.
    if (!isObject(data) || !(key in data)) return false;
    data = data[key];
  }
  const key = keys[last] as string;
  if (!isObject(data) || !(key in data)) return false;
  const v = data[key];
  if (Array.isArray(v)) {
    for (const e of v) if (m(e)) return true;
    return false;
  }
  return m(v);
}

/**
 * Whether any value at `path` (a final array spread) satisfies `m`, as a test of a payload: the path
 * is parsed once, and a path of plain keys avoids any allocation per payload.
 */
export function anyValueAt(path: string, m: Matcher): (payload: unknown) => boolean {
  const keys = plainKeys(path);
  if (keys) return (payload) => anyAtKeys(payload, keys, m);
  return (payload) => valuesAt(payload, path).some(m);
}

/** True when any value at `key` (arrays spread) satisfies `m`. */
function anyValue(key: string, m: Matcher): Predicate {
  const test = anyValueAt(key, m);
  return (t) => t.indexed?.(key, m) ?? test(t.payload);
}

function compileCondition(cond: unknown, nested: boolean): Predicate {
  if (!isObject(cond)) throw wrongInput(`Invalid filter condition: ${JSON.stringify(cond)}`);
  if ("must" in cond || "should" in cond || "must_not" in cond || "min_should" in cond) return compileFilter(cond, nested);
  if ("has_id" in cond) {
    if (!Array.isArray(cond.has_id)) throw wrongInput("has_id must be a list of ids");
    const ids = new Set<PointId>(cond.has_id.map((i) => normalizeId(i)));
    return (t) => ids.has(t.id);
  }
  if ("has_vector" in cond) {
    const name = String(cond.has_vector);
    return (t) => t.hasVector(name);
  }
  if ("is_empty" in cond && !("key" in cond)) {
    const key = String((cond.is_empty as { key?: unknown })?.key);
    return (t) => isEmptyAt(t.payload, key);
  }
  if ("is_null" in cond && !("key" in cond)) {
    const key = String((cond.is_null as { key?: unknown })?.key);
    return (t) => isNullAt(t.payload, key);
  }
  if ("nested" in cond) {
    const spec = cond.nested as { key?: unknown; filter?: unknown };
    if (!spec || typeof spec.key !== "string") throw wrongInput("nested needs a key and a filter");
    const key = spec.key.endsWith("[]") ? spec.key.slice(0, -2) : spec.key;
    const inner = compileFilter(spec.filter, true);
    return (t) => {
      for (const v of valuesAt(t.payload, key, false)) {
        if (!Array.isArray(v)) continue;
        for (const el of v) if (isObject(el) && inner({ payload: el, id: -1, hasVector: () => false })) return true;
      }
      return false;
    };
  }
  if ("key" in cond) {
    const key = String(cond.key);
    if (cond.match !== undefined && cond.match !== null) return anyValue(key, compileMatch(cond.match));
    if (cond.range !== undefined && cond.range !== null) return anyValue(key, compileRange(cond.range));
    if (cond.values_count !== undefined && cond.values_count !== null) {
      const c = cond.values_count as Record<string, number | undefined | null>;
      return (t) => {
        const values = valuesAt(t.payload, key, false);
        const counts = values.every((v) => v === null) ? [0] : values.map(valueCount);
        return counts.some(
          (n) => (c.lt == null || n < c.lt) && (c.lte == null || n <= c.lte) && (c.gt == null || n > c.gt) && (c.gte == null || n >= c.gte),
        );
      };
    }
    if (typeof cond.is_empty === "boolean") {
      const want = cond.is_empty;
      return (t) => isEmptyAt(t.payload, key) === want;
    }
    if (typeof cond.is_null === "boolean") {
      const want = cond.is_null;
      return (t) => isNullAt(t.payload, key) === want;
    }
    if (cond.geo_radius || cond.geo_bounding_box || cond.geo_polygon) {
      throw wrongInput("geo conditions are not supported by the embedded store; set QDRANT_URL to use a Qdrant server");
    }
    throw wrongInput(`Field condition on "${key}" has no match, range, values_count, is_empty or is_null`);
  }
  throw wrongInput(`Unknown filter condition: ${JSON.stringify(cond)}`);
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Compiles a Qdrant filter once per request; `undefined`/`null` gives null (everything matches). */
export function compileFilter(filter: unknown, nested = false): Predicate {
  if (!isObject(filter)) throw wrongInput(`Invalid filter: ${JSON.stringify(filter)}`);
  const must = asList(filter.must).map((c) => compileCondition(c, nested));
  const should = asList(filter.should).map((c) => compileCondition(c, nested));
  const mustNot = asList(filter.must_not).map((c) => compileCondition(c, nested));
  let minShould: { conds: Predicate[]; count: number } | null = null;
  if (filter.min_should !== undefined && filter.min_should !== null) {
    const ms = filter.min_should as { conditions?: unknown; min_count?: unknown };
    minShould = { conds: asList(ms.conditions).map((c) => compileCondition(c, nested)), count: Number(ms.min_count ?? 0) };
  }
  return (t) => {
    for (const p of must) if (!p(t)) return false;
    for (const p of mustNot) if (p(t)) return false;
    if (should.length > 0 && !should.some((p) => p(t))) return false;
    if (minShould) {
      let n = 0;
      for (const p of minShould.conds) if (p(t)) n++;
      if (n < minShould.count) return false;
    }
    return true;
  };
}

export function compileOptionalFilter(filter: unknown): Predicate | null {
  if (filter === undefined || filter === null) return null;
  return compileFilter(filter);
}

/** Combines filters with `must` (the way a parent filter is pushed down into prefetches). */
export function andFilters(a: unknown, b: unknown): unknown {
  if (a === undefined || a === null) return b ?? null;
  if (b === undefined || b === null) return a;
  return { must: [a, b] };
}

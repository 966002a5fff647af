/** Flags shared by several commands, validated with zod and turned into library types. */
import { z } from "zod";
import { errorMessage, UsageError } from "../errors.js";
import { parseQdrantFilter } from "../store/filters.js";
import { CHUNK_KINDS } from "../store/types.js";
import type { SearchFilters, SearchMode } from "../store/types.js";

export const FilterFlagsSchema = z.object({
  paper: z.array(z.string().min(1)).optional(),
  kind: z.array(z.enum(CHUNK_KINDS)).optional(),
  lang: z.array(z.string().regex(/^[a-z]{2}$/, "a two-letter language code such as en, zh or de")).optional(),
  year: z.string().optional(),
  filter: z.string().optional(),
  references: z.boolean().optional(),
});
export type FilterFlags = z.infer<typeof FilterFlagsSchema>;

/**
 * A number or a range of numbers, each matching `digits` (a regex source such as "\\d{4}"):
 * "2017", "2017..2020", "2019..", "..2018", ">=2019", "<2020". Undefined when the spec does not match.
 */
export function parseRange(spec: string, digits: string): { gte?: number; lte?: number } | undefined {
  const m = new RegExp(`^(?:(${digits})|(${digits})?\\.\\.(${digits})?|(>=|<=|>|<)(${digits}))$`).exec(spec);
  if (!m) return undefined;
  if (m[1]) return { gte: Number(m[1]), lte: Number(m[1]) };
  if (m[4] && m[5]) {
    const n = Number(m[5]);
    if (m[4] === ">=") return { gte: n };
    if (m[4] === ">") return { gte: n + 1 };
    if (m[4] === "<=") return { lte: n };
    return { lte: n - 1 };
  }
  return { ...(m[2] ? { gte: Number(m[2]) } : {}), ...(m[3] ? { lte: Number(m[3]) } : {}) };
}

/** "2017", "2017..2020", "2019..", "..2018", ">=2019", "<2020" */
export function parseYearSpec(spec: string): { gte?: number; lte?: number } {
  const range = parseRange(spec.trim(), "\\d{4}");
  if (!range) throw new UsageError(`Invalid --year "${spec}".`, 'Use a year (2017), a range (2017..2020, 2019.., ..2018) or a comparison (">=2019").');
  return range;
}

export function toSearchFilters(raw: unknown): SearchFilters {
  const parsed = FilterFlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`Invalid filter flag ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}.`, `--kind takes ${CHUNK_KINDS.join(", ")}; --lang a two-letter language code (en, zh, de ...); --paper takes document ids (see \`folio docs\`).`);
  }
  const flags = parsed.data;
  const filters: SearchFilters = {};
  if (flags.paper?.length) filters.docIds = flags.paper;
  if (flags.kind?.length) filters.kinds = flags.kind;
  if (flags.lang?.length) filters.langs = flags.lang;
  if (flags.year) filters.year = parseYearSpec(flags.year);
  if (flags.references) filters.includeReferences = true;
  if (flags.filter) {
    let json: unknown;
    try {
      json = JSON.parse(flags.filter);
    } catch {
      throw new UsageError("--filter is not valid JSON.", 'Pass a Qdrant filter, e.g. --filter \'{"must":[{"key":"metadata.page","range":{"lte":3}}]}\'.');
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new UsageError("--filter must be a JSON object (a Qdrant filter).", 'e.g. {"must":[{"key":"metadata.kind","match":{"value":"figure"}}]}');
    try {
      parseQdrantFilter(json);
    } catch (error) {
      throw new UsageError(`--filter is not a Qdrant filter: ${errorMessage(error).replace(/^Invalid Qdrant filter: /, "")}.`, 'A filter has must, should or must_not lists of conditions, e.g. {"must":[{"key":"metadata.page","range":{"lte":3}}]}; payload fields live under metadata.');
    }
    filters.qdrantFilter = json as Record<string, unknown>;
  }
  return filters;
}

export function parsePositiveInt(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be a whole number from 1 to ${max}, got "${value}".`);
    return n;
  };
}

export const SEARCH_MODES: readonly SearchMode[] = ["dense", "sparse", "hybrid"];

export function parseSearchMode(value: string): SearchMode {
  if ((SEARCH_MODES as readonly string[]).includes(value)) return value as SearchMode;
  throw new UsageError(`--mode must be one of ${SEARCH_MODES.join(", ")}, got "${value}".`);
}

/** Commander collects repeatable flags through this. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((v) => v.trim()).filter(Boolean)];
}

/** SearchFilters -> a Qdrant filter on the `{content, metadata}` payload. */
import { z } from "zod";
import type { Schemas } from "@qdrant/js-client-rest";
import { InputError } from "../errors.js";
import type { SearchFilters } from "./types.js";

export type QdrantFilter = Schemas["Filter"];
type Condition = Schemas["Condition"];

const matchSchema = z.union([
  z.object({ value: z.union([z.string(), z.number(), z.boolean()]) }).strict(),
  z.object({ any: z.union([z.array(z.string()), z.array(z.number())]) }).strict(),
  z.object({ except: z.union([z.array(z.string()), z.array(z.number())]) }).strict(),
  z.object({ text: z.string() }).strict(),
]);
const rangeSchema = z
  .object({ gt: z.number().nullish(), gte: z.number().nullish(), lt: z.number().nullish(), lte: z.number().nullish() })
  .strict();
const keySchema = z.string().min(1).max(256);
const pointIdSchema = z.union([z.string(), z.number().int().nonnegative()]);

const fieldConditionSchema = z
  .object({
    key: keySchema,
    match: matchSchema.optional(),
    range: rangeSchema.optional(),
    values_count: z.object({ gt: z.number().int().nullish(), gte: z.number().int().nullish(), lt: z.number().int().nullish(), lte: z.number().int().nullish() }).strict().optional(),
    is_empty: z.boolean().optional(),
    is_null: z.boolean().optional(),
  })
  .strict()
  .refine((c) => c.match !== undefined || c.range !== undefined || c.values_count !== undefined || c.is_empty !== undefined || c.is_null !== undefined, {
    message: "a field condition needs match, range, values_count, is_empty or is_null",
  });

/** A Qdrant filter as JSON, validated before it reaches the store. */
export const QdrantFilterSchema: z.ZodType<QdrantFilter> = z.lazy(() => {
  const condition: z.ZodType<unknown> = z.union([
    fieldConditionSchema,
    z.object({ is_empty: z.object({ key: keySchema }).strict() }).strict(),
    z.object({ is_null: z.object({ key: keySchema }).strict() }).strict(),
    z.object({ has_id: z.array(pointIdSchema) }).strict(),
    z.object({ nested: z.object({ key: keySchema, filter: QdrantFilterSchema }).strict() }).strict(),
    QdrantFilterSchema,
  ]);
  const conditions = z.union([condition, z.array(condition)]);
  return z
    .object({
      must: conditions.nullish(),
      should: conditions.nullish(),
      must_not: conditions.nullish(),
      min_should: z.object({ conditions: z.array(condition), min_count: z.number().int().nonnegative() }).strict().nullish(),
    })
    .strict() as unknown as z.ZodType<QdrantFilter>;
});

export function parseQdrantFilter(raw: unknown): QdrantFilter {
  const parsed = QdrantFilterSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    throw new InputError(`Invalid Qdrant filter: ${detail}`, 'Give a Qdrant filter object such as {"must": [{"key": "metadata.kind", "match": {"value": "figure"}}]}.');
  }
  return parsed.data;
}

function range(gte?: number, lte?: number): Schemas["Range"] | null {
  if (gte === undefined && lte === undefined) return null;
  return { ...(gte !== undefined ? { gte } : {}), ...(lte !== undefined ? { lte } : {}) };
}

/**
 * Builds the filter for a search or count. References are left out unless asked for;
 * a raw `qdrantFilter` is validated and added under `must`.
 */
export function buildFilter(filters: SearchFilters = {}, extra: Condition[] = []): QdrantFilter | undefined {
  const must: Condition[] = [];
  const mustNot: Condition[] = [];
  // A paper's figures stored as images of their own (paperId) belong to it.
  if (filters.docIds) must.push({ should: [{ key: "metadata.docId", match: { any: filters.docIds } }, { key: "metadata.paperId", match: { any: filters.docIds } }] });
  if (filters.kinds) must.push({ key: "metadata.kind", match: { any: filters.kinds } });
  if (filters.langs?.length) must.push({ key: "metadata.lang", match: { any: filters.langs } });
  const years = range(filters.year?.gte, filters.year?.lte);
  if (years) must.push({ key: "metadata.year", range: years });
  const pages = range(filters.pages?.gte, filters.pages?.lte);
  if (pages) must.push({ key: "metadata.page", range: pages });
  if (!filters.includeReferences) mustNot.push({ key: "metadata.references", match: { value: true } });
  if (filters.qdrantFilter) must.push(parseQdrantFilter(filters.qdrantFilter));
  must.push(...extra);
  if (must.length === 0 && mustNot.length === 0) return undefined;
  return { ...(must.length ? { must } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) };
}

/** Points of one document, whatever else they carry. */
export function docIdFilter(docId: string): QdrantFilter {
  return { must: [{ key: "metadata.docId", match: { value: docId } }] };
}

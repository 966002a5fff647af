/**
 * Why a filtered search found nothing, when the store can tell: a paper id that is not stored (with
 * the closest stored ids), a Qdrant filter key without the `metadata.` prefix the payload puts every
 * field under, or a kind of point the store holds none of (page images are rendered only when asked).
 */
import { ChunkMetadataSchema, type DocumentRecord, type FolioStoreApi, type SearchFilters } from "../store/types.js";

/** Ids suggested for an unknown paper id. */
const SUGGESTIONS = 3;

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** How far a typed id is from a record: its id, arXiv id or citation key, or a word of its title. */
function distance(typed: string, record: DocumentRecord): number {
  const t = typed.toLowerCase();
  const names = [record.docId, record.arxivId, record.citationKey, record.arxivId ? `arxiv:${record.arxivId}` : undefined].filter((n): n is string => Boolean(n)).map((n) => n.toLowerCase());
  if (names.some((n) => n.includes(t) || t.includes(n))) return 0;
  if (t.length >= 3 && record.title.toLowerCase().includes(t)) return 1;
  return Math.min(...names.map((n) => editDistance(t, n)));
}

/** The stored ids closest to one that is not stored. */
export function closestIds(typed: string, records: readonly DocumentRecord[]): string[] {
  return records
    .map((r) => ({ id: r.docId, d: distance(typed, r) }))
    .filter(({ d }) => d <= Math.max(3, Math.floor(typed.length / 2)))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, SUGGESTIONS)
    .map(({ id }) => id);
}

const METADATA_FIELDS = new Set(Object.keys(ChunkMetadataSchema.shape));

/** Keys of a Qdrant filter that name a metadata field without its `metadata.` prefix. */
export function unprefixedKeys(filter: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      if (k === "key" && typeof v === "string" && METADATA_FIELDS.has(v.split(".")[0] ?? v)) found.add(v);
      else walk(v);
    }
  };
  walk(filter);
  return [...found];
}

/** Lines that say why `filters` matched nothing; empty when nothing can be said. */
export async function explainNoMatch(filters: SearchFilters, store: Pick<FolioStoreApi, "listDocuments" | "count">): Promise<string[]> {
  const reasons: string[] = [];
  if (filters.docIds?.length) {
    const records = await store.listDocuments();
    const known = new Set(records.map((r) => r.docId));
    for (const id of filters.docIds.filter((d) => !known.has(d))) {
      const close = closestIds(id, records);
      reasons.push(`No paper with id "${id}" is stored${close.length ? `; did you mean ${close.map((c) => `"${c}"`).join(", ")}?` : "."} (\`folio docs\` lists the ids.)`);
    }
  }
  for (const key of unprefixedKeys(filters.qdrantFilter)) {
    reasons.push(`The filter key "${key}" matches nothing: fields live under metadata., so write "metadata.${key}".`);
  }
  for (const kind of filters.kinds ?? []) {
    if ((await store.count({ kinds: [kind], includeReferences: true })) > 0) continue;
    reasons.push(
      kind === "page"
        ? "No page images are stored: pages are rendered when images can be embedded (a Jina key), or with FOLIO_RENDER_PAGES=always and a re-ingest (`folio ingest --force`)."
        : kind === "figure"
          ? "No figures are stored: no caption (Figure N, Table N) was found in the ingested documents."
          : "No text is stored yet: `folio ingest <folder>` adds papers.",
    );
  }
  return reasons;
}

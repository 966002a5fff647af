/** Human-readable renderings for the terminal; --json output bypasses these. */
import { locationOf } from "../chat/context.js";
import type { Answer, Citation } from "../chat/types.js";
import type { SearchHit } from "../store/types.js";

const SNIPPET_CHARS = 240;

export function oneLine(text: string, max = SNIPPET_CHARS): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The JSON shape of one search result. */
export function hitToJson(hit: SearchHit) {
  const m = hit.metadata;
  return {
    id: hit.id,
    kind: m.kind,
    score: hit.score,
    text: hit.text,
    source: m.source,
    docId: m.docId,
    title: m.title,
    page: m.page ?? null,
    figure: m.figureLabel ?? null,
    /** Where a figure or table is on its page: [x0, y0, x1, y1] in PDF points, origin top left. */
    bbox: m.bbox ?? null,
    section: m.section ?? null,
    lang: m.lang ?? null,
    imageId: m.imageId ?? null,
  };
}

export function formatHits(hits: SearchHit[]): string {
  if (hits.length === 0) return "No results.";
  return hits
    .map((hit, i) => {
      const m = hit.metadata;
      return `${String(i + 1).padStart(2)}. [${m.kind}] ${locationOf(m)}  (score ${hit.score.toFixed(4)})\n    ${oneLine(hit.text)}\n    ${m.source}`;
    })
    .join("\n");
}

export function formatCitation(c: Citation): string {
  const ids = [c.citationKey ? `@${c.citationKey}` : "", c.doi ? `doi:${c.doi}` : ""].filter(Boolean).join(", ");
  return `[${c.n}] ${locationOf(c)}${ids ? ` (${ids})` : ""} — ${c.source}`;
}

export function formatSources(answer: Pick<Answer, "citations">): string {
  return answer.citations.length ? `Sources:\n${answer.citations.map((c) => `  ${formatCitation(c)}`).join("\n")}` : "Sources: none";
}

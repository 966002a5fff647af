/**
 * The setups `folio eval` compares: a search mode, an optional second stage, and optionally a
 * chunk size that needs a collection of its own. Names: `current`, `sparse`, `dense`, `hybrid`,
 * `hybrid+multivector`, `hybrid+rerank`, each optionally with `@chunk=<tokens>`.
 */
import { UsageError } from "../errors.js";
import type { FolioConfig } from "../config.js";
import type { SearchMode } from "../store/types.js";

export interface SetupSpec {
  name: string;
  description: string;
  /** undefined: the configuration's own mode */
  mode?: SearchMode;
  /** Re-score every search's candidates with late-interaction multi-vectors. */
  multivector: boolean;
  /** Re-rank with jina-reranker-m0; undefined: as the configuration says (FOLIO_RERANK). */
  rerank?: boolean;
  /** Text chunk size in tokens for a collection built for this setup. */
  chunkTokens?: number;
}

const BASES: Record<string, Omit<SetupSpec, "name">> = {
  current: { description: "the configuration as it is", multivector: false },
  sparse: { description: "BM25 only", mode: "sparse", multivector: false, rerank: false },
  dense: { description: "Jina dense vectors only", mode: "dense", multivector: false, rerank: false },
  hybrid: { description: "dense and BM25, fused", mode: "hybrid", multivector: false, rerank: false },
  "hybrid+multivector": { description: "hybrid, re-scored with late-interaction multi-vectors", mode: "hybrid", multivector: true, rerank: false },
  "hybrid+rerank": { description: "hybrid, re-ranked by jina-reranker-m0", mode: "hybrid", multivector: false, rerank: true },
};

export const SETUP_NAMES = Object.keys(BASES);
const CHUNK_SUFFIX = /^(.+)@chunk=(\d+)$/;
// The bounds of FOLIO_CHUNK_TOKENS (src/config.ts).
const CHUNK_RANGE = { min: 32, max: 8000 } as const;

export function parseSetup(name: string): SetupSpec {
  const trimmed = name.trim();
  const chunked = CHUNK_SUFFIX.exec(trimmed);
  const baseName = chunked ? chunked[1]! : trimmed;
  const base = BASES[baseName];
  if (!base) throw new UsageError(`Unknown setup "${trimmed}".`, `Setups: ${SETUP_NAMES.join(", ")}, each optionally with @chunk=<tokens> (e.g. sparse@chunk=256).`);
  if (!chunked) return { name: trimmed, ...base };
  const chunkTokens = Number(chunked[2]);
  if (chunkTokens < CHUNK_RANGE.min || chunkTokens > CHUNK_RANGE.max) throw new UsageError(`Chunk size ${chunkTokens} in "${trimmed}" is out of range.`, `Use ${CHUNK_RANGE.min} to ${CHUNK_RANGE.max} tokens.`);
  return { name: trimmed, ...base, description: `${base.description}, ${chunkTokens}-token chunks`, chunkTokens };
}

export function parseSetups(list: string): SetupSpec[] {
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError("--setups is empty.", `Name one or more of: ${SETUP_NAMES.join(", ")}.`);
  const specs = names.map(parseSetup);
  const dup = specs.find((s, i) => specs.findIndex((t) => t.name === s.name) !== i);
  if (dup) throw new UsageError(`Setup "${dup.name}" is named twice.`, "Name each setup once.");
  return specs;
}

/** What a setup needs that this configuration and store may lack; null when it can run. */
export function missingFor(spec: SetupSpec, config: FolioConfig, capabilities: { dense: boolean; multivector: boolean }): string | null {
  const e = config.embeddings;
  const jina = e.mode === "jina";
  if (spec.mode && spec.mode !== "sparse" && !jina) return "needs an embeddings endpoint (set JINA_API_KEY or JINA_BASE_URL)";
  if (spec.mode && spec.mode !== "sparse" && !capabilities.dense) return "the collection has no dense vectors (re-ingest with the embeddings endpoint set)";
  if (spec.multivector && !(e.mode === "jina" && e.multivector)) return "needs multi-vectors (FOLIO_MULTIVECTOR=true with a Jina endpoint)";
  if (spec.multivector && !capabilities.multivector) return "the collection has no multi-vectors (re-ingest with FOLIO_MULTIVECTOR=true)";
  if (spec.rerank && !(e.mode === "jina" && (e.apiKey || e.endpoint === "self-hosted"))) return "needs Jina's reranker (set JINA_API_KEY, or JINA_BASE_URL to a server with /v1/rerank)";
  return null;
}

/** The configuration of a setup's own collection: a chunk size gives it a collection of its own. */
export function setupConfig(spec: SetupSpec, config: FolioConfig): FolioConfig {
  const withRerank: FolioConfig = config.embeddings.mode === "jina" && spec.rerank !== undefined ? { ...config, embeddings: { ...config.embeddings, rerank: spec.rerank } } : config;
  if (spec.chunkTokens === undefined) return withRerank;
  return {
    ...withRerank,
    collection: `${config.collection}-eval-chunk${spec.chunkTokens}`,
    ingest: { ...config.ingest, chunkTokens: spec.chunkTokens, chunkOverlapTokens: Math.min(config.ingest.chunkOverlapTokens, Math.floor(spec.chunkTokens / 2)) },
  };
}

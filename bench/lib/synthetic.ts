/** Seeded synthetic points: dense vectors, skewed sparse (BM25-like) vectors and ~1 KB payloads. */
export { rng } from "../../test/store/conformance/fixtures.js";

/** Sparse vocabulary size (term ids 0..VOCAB-1). */
export const VOCAB = 30000;
/** Terms per sparse vector: MIN_TERMS + up to EXTRA_TERMS. */
const MIN_TERMS = 20;
const EXTRA_TERMS = 60;
/** Skew of term draws (common terms are frequent, like words in text). */
const TERM_SKEW = 2.5;
/** BM25-like saturation of a term's weight: tf * (K1 + 1) / (tf + K1). */
const K1 = 1.2;

export interface SparseVector {
  indices: number[];
  values: number[];
}

export function sparseVector(random: () => number): SparseVector {
  const terms = new Map<number, number>();
  const n = MIN_TERMS + Math.floor(random() * EXTRA_TERMS);
  for (let i = 0; i < n; i++) {
    const term = Math.floor(VOCAB * random() ** TERM_SKEW);
    terms.set(term, (terms.get(term) ?? 0) + 1);
  }
  return { indices: [...terms.keys()], values: [...terms.values()].map((tf) => (tf * (K1 + 1)) / (tf + K1)) };
}

export function denseVector(random: () => number, dim: number): number[] {
  const v = new Array<number>(dim);
  for (let i = 0; i < dim; i++) v[i] = random() * 2 - 1;
  return v;
}

const WORDS = ["retrieval", "attention", "transformer", "dense", "sparse", "passage", "encoder", "query", "vector", "index", "training", "model", "layer", "token", "corpus", "answer", "question", "benchmark", "figure", "table", "results", "method", "baseline", "we", "the", "of", "and", "with", "show", "that"];
/** Characters of `content` in a synthetic payload (with the metadata, about 1 KB per point). */
export const PAYLOAD_CONTENT_CHARS = 900;
const DOCS = 500;
const PAGES = 40;
const YEARS = 25;
const FIRST_YEAR = 2000;
/** One point in REFERENCES_EVERY is a references chunk. */
const REFERENCES_EVERY = 10;

/** A Folio-shaped payload `{content, metadata}` of about 1 KB. */
export function folioPayload(random: () => number, i: number): Record<string, unknown> {
  let content = "";
  while (content.length < PAYLOAD_CONTENT_CHARS) content += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return {
    content: content.trimEnd(),
    metadata: {
      docId: `d${i % DOCS}`,
      title: `Synthetic paper ${i % DOCS}`,
      source: `/papers/d${i % DOCS}.pdf`,
      kind: "text",
      page: 1 + (i % PAGES),
      year: FIRST_YEAR + (i % YEARS),
      chunkIndex: i,
      references: i % REFERENCES_EVERY === 0,
      authors: ["A. Author", "B. Writer"],
    },
  };
}

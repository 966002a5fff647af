/**
 * Data from Qdrant's own HTTP tests (qdrant/qdrant tests/openapi/helpers/collection_setup.py and
 * test_sparse_idf.py): a 4-d Dot collection with a `city` payload, and an IDF corpus.
 */
import { seededRandom } from "../../../src/eval/metrics.js";

export const BASIC_POINTS = [
  { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: "Berlin", price: 10.0 } },
  { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: ["Berlin", "London"], price: 11.0 } },
  { id: 3, vector: [0.36, 0.55, 0.47, 0.94], payload: { city: ["Berlin", "Moscow"], price: 9.5 } },
  { id: 4, vector: [0.18, 0.01, 0.85, 0.8], payload: { city: ["London", "Moscow"], price: 9 } },
  { id: 5, vector: [0.24, 0.18, 0.22, 0.44], payload: { count: 0 } },
  { id: 6, vector: [0.35, 0.08, 0.11, 0.44] },
  { id: 7, vector: [0.25, 0.98, 0.14, 0.43], payload: { city: null, price: null } },
  { id: 8, vector: [0.79, 0.53, 0.72, 0.15], payload: { city: [], price: [] } },
  { id: 9, vector: { "sparse-text": { indices: [66, 12], values: [0.5, 0.5] } } },
  { id: 10, vector: { "sparse-text": { indices: [1, 2, 3], values: [0.1, 0.2, 0.3] } }, payload: { city: [], price: [] } },
];

export const BASIC_CONFIG = {
  vectors: { size: 4, distance: "Dot" as const },
  sparse_vectors: { "sparse-text": {} },
};

/** Same payloads as the server's multipayload_collection_setup (used by its group tests). */
export const MULTIPAYLOAD_POINTS = [
  { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: "Berlin", color: "red" } },
  { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: ["Berlin", "London"], color: "green" } },
  { id: 3, vector: [0.36, 0.55, 0.47, 0.94], payload: { city: ["Berlin", "Moscow"], color: "blue" } },
  { id: 4, vector: [0.18, 0.01, 0.85, 0.8], payload: { city: ["London", "Moscow"], color: "red" } },
  { id: 5, vector: [0.24, 0.18, 0.22, 0.44], payload: { city: "Seoul", color: "red", count: 0 } },
  { id: 6, vector: [0.35, 0.08, 0.11, 0.44], payload: { city: "Berlin", color: "red", count: 1, price: 10.0 } },
  { id: 7, vector: [0.25, 0.98, 0.14, 0.43], payload: { city: "London", color: "red", count: 0, price: 50.0 } },
  { id: 8, vector: [0.19, 0.53, 0.72, 0.15], payload: { city: "Moscow", color: "red", count: 1, price: 100.0 } },
];

export const IDF_TEXTS = [
  "I must not fear. Fear is the mind-killer.",
  "All animals are equal, but some animals are more equal than others.",
  "It was a pleasure to burn.",
  "The sky above the port was the color of television, tuned to a dead channel.",
  "In the beginning, the universe was created. This has made a lot of people very angry and been widely regarded as a bad move.",
  "It's a truth universally acknowledged that a zombie in possession of brains must be in want of more brains.",
  "War is peace. Freedom is slavery. Ignorance is strength.",
  "We're not in Infinity; we're in the suburbs.",
  "I was a thousand times more evil than thou!",
  "History is merely a list of surprises... It can only prepare us to be surprised yet again.",
  "The a an and or but",
  "A an the",
  "I am you are he she it we they",
  "Is are was were",
  "Do does did",
  "Have has had",
  "Can could",
  "I am is not the you are",
  "I is not the you are",
];

export function idfWords(text: string): string[] {
  return text.toLowerCase().replace(/[.,!;]/g, "").split(" ");
}

/** Deterministic stand-in for the test's `abs(hash(word)) % 1000000` (FNV-1a). */
function wordIndex(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 1_000_000;
}

export function idfVector(words: string[]): { indices: number[]; values: number[] } {
  const unique = [...new Set(words)];
  return { indices: unique.map(wordIndex), values: unique.map(() => 1) };
}

/** mulberry32: small seeded PRNG for property tests (the one folio eval's bootstrap uses). */
export const rng = seededRandom;

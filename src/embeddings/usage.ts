/** What a provider used between two readings of its running usage: one run, or one eval setup. */
import type { EmbeddingUsage } from "./types.js";

export interface UsageDelta {
  tokens: number;
  requests: number;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  lateChunkingWindows: number;
}

/** `now` minus `start` (null: the provider's first reading, all zero). */
export function usageSince(start: EmbeddingUsage | null, now: EmbeddingUsage): UsageDelta {
  const was = (key: "totalTokens" | "requests" | "retries" | "cacheHits" | "cacheMisses" | "lateChunkingWindows") => now[key] - (start?.[key] ?? 0);
  return { tokens: was("totalTokens"), requests: was("requests"), retries: was("retries"), cacheHits: was("cacheHits"), cacheMisses: was("cacheMisses"), lateChunkingWindows: was("lateChunkingWindows") };
}

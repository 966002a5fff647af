/**
 * `--shard i/N`: which planned items one of N ingest processes takes. The key is the file's size
 * (a URL's document id): copies of a file have one size, so they fall in one shard and are found
 * there as copies, exactly as in a single run. Every process plans the whole corpus the same way
 * (ids are claimed in discovery order before the split), so N runs write what one run writes.
 */
import { createHash } from "node:crypto";

export interface Shard {
  /** 1-based, as in `--shard 2/3`. */
  index: number;
  count: number;
}

export function parseShard(spec: string): Shard | null {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!match) return null;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return index >= 1 && count >= 1 && index <= count ? { index, count } : null;
}

export function shardKey(item: { size: number | undefined; docId: string }): string {
  return item.size !== undefined ? `size:${item.size}` : `id:${item.docId}`;
}

/** The shard (1-based) a key belongs to, from a hash: even on any mix of sizes. */
export function shardOf(key: string, count: number): number {
  return (createHash("sha256").update(key).digest().readUInt32BE(0) % count) + 1;
}

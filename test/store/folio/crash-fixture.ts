import type { ChunkInput, DocumentInput } from "../../../src/store/types.js";
import { meta } from "./helpers.js";

export const CRASH_CHUNKS = 40;

/** A document whose every chunk text carries `version`, so two versions share no point ids. */
export function crashDocument(version: string): { document: DocumentInput; chunks: ChunkInput[] } {
  const chunks: ChunkInput[] = Array.from({ length: CRASH_CHUNKS }, (_, i) => ({
    text: `Section ${i} of the crash paper, version ${version}: gradient checkpointing trades compute for memory.`,
    metadata: meta("crash", "text", i),
  }));
  const document: DocumentInput = { docId: "crash", source: "crash.pdf", contentHash: `crash-${version}`, title: "Crash", authors: [], pages: 1, chunks: CRASH_CHUNKS, figures: 0 };
  return { document, chunks };
}

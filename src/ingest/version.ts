/** Bump when chunking or parsing changes in a way that should re-ingest unchanged files. */
export const PIPELINE_VERSION = 8;

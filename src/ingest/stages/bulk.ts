/**
 * A bulk load on a server: once a run has written the store's `bulkLoadFrom` documents, HNSW
 * indexing is turned off for the rest of the upload and back on at the end (Qdrant's advice for
 * bulk loads). Counting written documents, not planned files, leaves a re-run of an unchanged
 * library alone.
 */
import type { FolioStoreApi } from "../../store/types.js";

export class BulkLoad {
  private written = 0;
  private end: (() => Promise<string | null>) | null = null;

  constructor(
    private readonly store: FolioStoreApi,
    private readonly warn: (message: string) => void,
  ) {}

  /** Before each document is written. */
  async beforeWrite(): Promise<void> {
    const from = this.store.bulkLoadFrom;
    if (from === 0 || this.end !== null || ++this.written < from) return;
    try {
      this.end = await this.store.beginBulkLoad();
    } catch (error) {
      // Indexing stays on: slower, never wrong.
      this.end = async () => null;
      this.warn(`Could not turn HNSW indexing off for the bulk load (${error instanceof Error ? error.message : String(error)}); the upload goes on with indexing.`);
    }
  }

  /** At the end of the run, whatever happened: indexing back on, or a warning saying how. */
  async finish(): Promise<void> {
    if (!this.end) return;
    const warning = await this.end();
    this.end = null;
    if (warning) this.warn(warning);
  }
}

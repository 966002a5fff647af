/** What every stage of one run reads: the options, the store, the report, and the run's choices. */
import type { FolioStoreApi } from "../../store/types.js";
import type { IngestOptions } from "../pipeline.js";
import type { RunReport } from "./report.js";

export interface StageContext {
  options: IngestOptions;
  store: FolioStoreApi;
  report: RunReport;
  /** page images are rendered (always, or auto when the store embeds images) */
  renderPages: boolean;
  cropFigures: boolean;
  downloadsDir: string;
  signal: AbortSignal | undefined;
}

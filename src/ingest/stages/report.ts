/**
 * The run's summary and its events: the stages report here (a warning, a skipped file, a stored
 * document, progress) and this forwards each to the caller's IngestEvents as it happens.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { FileEvent, IngestEvents, IngestSummary, PhaseProgress, SkippedFile } from "../summary.js";

export class RunReport {
  readonly summary: IngestSummary = {
    ok: true,
    aborted: false,
    filesSeen: 0,
    ingested: 0,
    unchanged: 0,
    copies: 0,
    replaced: 0,
    pruned: 0,
    skipped: [],
    ignored: { count: 0, extensions: [], paths: [] },
    pages: 0,
    chunks: 0,
    figures: 0,
    seconds: 0,
    timings: { prepareSeconds: 0, storeSeconds: 0 },
    warnings: [],
    usage: null,
  };
  private readonly started = performance.now();

  constructor(private readonly events: IngestEvents) {}

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  warn(message: string): void {
    this.summary.warnings.push(message);
    this.events.onWarning?.(message);
  }

  file(event: FileEvent): void {
    this.events.onFile?.(event);
  }

  skip(entry: SkippedFile): void {
    this.summary.skipped.push(entry);
    this.file({ type: "skipped", ...entry });
  }

  /** Files of types Folio does not read, found in the folders walked. */
  ignore(paths: readonly string[]): void {
    const byExtension = new Map<string, number>();
    for (const p of paths) {
      const ext = path.extname(p).toLowerCase() || "(no extension)";
      byExtension.set(ext, (byExtension.get(ext) ?? 0) + 1);
    }
    const extensions = [...byExtension].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([ext]) => ext);
    this.summary.ignored = { count: paths.length, extensions, paths: [...paths] };
  }

  private parsed = 0;

  /** One more source through the preparing stages (stored, unchanged or skipped). */
  fileParsed(total: number): void {
    this.progress("parse", ++this.parsed, total, "files");
  }

  progress(phase: PhaseProgress["phase"], done: number, total: number, unit: PhaseProgress["unit"]): void {
    this.events.onProgress?.({ phase, done, total, unit, elapsedMs: this.elapsedMs() });
  }

  /**
   * Closes the summary: `ok` is false when aborted, when every source was skipped (nothing stored,
   * unchanged, a copy or estimated), when a token budget stopped the run, or with `strict` when any was skipped.
   */
  finish(aborted: boolean, strict: boolean): IngestSummary {
    const { skipped, ingested, unchanged, copies } = this.summary;
    const estimated = this.summary.estimate?.documents ?? 0;
    const allSkipped = skipped.length > 0 && ingested + unchanged + copies + estimated === 0;
    this.summary.aborted = aborted;
    this.summary.ok = !aborted && !allSkipped && !(strict && skipped.length > 0) && !this.summary.budget?.reached;
    this.summary.seconds = this.elapsedMs() / 1000;
    return this.summary;
  }
}

/**
 * Ingest jobs of uploaded files (POST /documents): queued, run one at a time in this process, and
 * watched through GET /ingest/{job} (JSON, or server-sent events replaying what happened so far and
 * then following live). Finished jobs are kept for a while so a page that reconnects can read them.
 */
import { randomUUID } from "node:crypto";
import type { FileEvent, IngestEvents, IngestSummary, PhaseProgress } from "../ingest/index.js";
import { errorMessage, FolioError, isFolioError } from "../errors.js";
import { redact } from "../util/redact.js";

export type JobState = "queued" | "running" | "done" | "failed";

export interface UploadedFile {
  /** The name the browser sent (shown, never used as a path). */
  name: string;
  bytes: number;
  pages: number;
  /** Where the server keeps the file (FOLIO_HOME/uploads/<content hash>.pdf). */
  path: string;
}

export type JobEvent =
  | { type: "state"; state: JobState }
  | { type: "progress"; progress: PhaseProgress }
  | { type: "file"; file: FileEvent & { name: string } }
  | { type: "warning"; message: string }
  /** What the user should know as it happens: waiting for another writer (a `folio ingest` in a terminal). */
  | { type: "notice"; message: string }
  | { type: "done"; summary: IngestSummary }
  | { type: "failed"; error: { code: string; message: string; hint: string } };

export interface JobView {
  id: string;
  state: JobState;
  createdAt: string;
  files: Array<{ name: string; bytes: number; pages: number }>;
  progress?: PhaseProgress;
  /** Per file: what ingest did with it (stored, unchanged, skipped), in the order it happened. */
  results: Array<FileEvent & { name: string }>;
  /** What ingest said as it happened (waiting for another writer), so a late subscriber sees it too. */
  notices: string[];
  summary?: IngestSummary;
  error?: { code: string; message: string; hint: string };
}

export type RunIngest = (paths: string[], events: IngestEvents, signal: AbortSignal) => Promise<IngestSummary>;

class Job {
  readonly createdAt = new Date().toISOString();
  state: JobState = "queued";
  progress: PhaseProgress | undefined;
  readonly results: Array<FileEvent & { name: string }> = [];
  readonly notices: string[] = [];
  summary: IngestSummary | undefined;
  error: JobView["error"];
  finishedAt: number | undefined;
  private readonly listeners = new Set<(event: JobEvent) => void>();

  constructor(
    readonly id: string,
    readonly files: UploadedFile[],
  ) {}

  emit(event: JobEvent): void {
    if (event.type === "state") this.state = event.state;
    else if (event.type === "progress") this.progress = event.progress;
    else if (event.type === "file") this.results.push(event.file);
    else if (event.type === "notice") this.notices.push(event.message);
    else if (event.type === "done") this.summary = event.summary;
    else if (event.type === "failed") this.error = event.error;
    for (const listener of this.listeners) listener(event);
  }

  /** Follows the job; returns the unsubscribe. */
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get finished(): boolean {
    return this.state === "done" || this.state === "failed";
  }

  view(): JobView {
    return {
      id: this.id,
      state: this.state,
      createdAt: this.createdAt,
      files: this.files.map(({ name, bytes, pages }) => ({ name, bytes, pages })),
      ...(this.progress ? { progress: this.progress } : {}),
      results: [...this.results],
      notices: [...this.notices],
      ...(this.summary ? { summary: this.summary } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }
}

export interface IngestJobsOptions {
  /** Finished jobs kept for GET /ingest/{job}; the oldest go first. */
  keepFinished: number;
  secrets: string[];
  /** Folders the client is not told about (FOLIO_HOME): shown by name only. */
  hiddenDirs: Array<{ dir: string; name: string }>;
}

export class IngestJobs {
  private readonly jobs = new Map<string, Job>();
  private chain: Promise<void> = Promise.resolve();
  private readonly stop = new AbortController();

  constructor(
    private readonly run: RunIngest,
    private readonly options: IngestJobsOptions,
  ) {}

  submit(files: UploadedFile[]): JobView {
    const job = new Job(randomUUID(), files);
    this.jobs.set(job.id, job);
    this.chain = this.chain.then(() => this.execute(job));
    return job.view();
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Resolves when every submitted job has finished (for shutdown and tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Stops the running job (ingest finishes the document it is writing; a re-upload resumes) and the queued ones. */
  async close(): Promise<void> {
    this.stop.abort(new Error("the server is shutting down"));
    await this.chain;
  }

  private async execute(job: Job): Promise<void> {
    job.emit({ type: "state", state: "running" });
    // The client sees the names it uploaded, never where the server keeps the files.
    const shown = (text: string) => {
      const named = job.files.reduce((out, f) => out.split(f.path).join(f.name), redact(text, this.options.secrets));
      return this.options.hiddenDirs.reduce((out, { dir, name }) => out.split(dir).join(name), named);
    };
    const events: IngestEvents = {
      onProgress: (progress) => job.emit({ type: "progress", progress }),
      onFile: (file) => job.emit({ type: "file", file: { ...file, path: shown(file.path), name: shown(file.path), ...("detail" in file && file.detail ? { detail: shown(file.detail) } : {}) } }),
      onWarning: (message) => job.emit({ type: "warning", message: shown(message) }),
      onNotice: (message) => job.emit({ type: "notice", message: shown(message) }),
    };
    try {
      if (this.stop.signal.aborted) throw new FolioError("INGEST", "The server stopped before this upload was ingested.", "Upload the files again.");
      const summary = await this.run(
        job.files.map((f) => f.path),
        events,
        this.stop.signal,
      );
      const skipped = summary.skipped.map((s) => ({ ...s, path: shown(s.path), ...(s.detail ? { detail: shown(s.detail) } : {}) }));
      // The state first: `done` and `failed` end a job's event stream.
      job.emit({ type: "state", state: "done" });
      job.emit({ type: "done", summary: { ...summary, skipped, warnings: summary.warnings.map(shown) } });
    } catch (error) {
      const hint = isFolioError(error) ? error.hint : "See the server's log, fix the cause and upload again.";
      job.emit({ type: "state", state: "failed" });
      job.emit({ type: "failed", error: { code: isFolioError(error) ? error.code : "INGEST", message: shown(errorMessage(error)), hint: shown(hint) } });
    }
    job.finishedAt = Date.now();
    this.forgetOld();
  }

  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((j) => j.finished).sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
    for (const job of finished.slice(0, Math.max(0, finished.length - this.options.keepFinished))) this.jobs.delete(job.id);
  }
}

export type { Job };

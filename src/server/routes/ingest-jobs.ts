/**
 * GET /ingest/{job}: an upload's ingest job. JSON by default; with Accept: text/event-stream, the
 * job as server-sent events: `job` (the state so far, so a late subscriber misses nothing), then
 * `state` (queued, running, done, failed), `progress`, `file`, `warning`, `notice` (waiting for
 * another writer) as they happen, and `done` (the summary) or `failed`, then the end.
 */
import { Router } from "express";
import type { ServerContext } from "../context.js";
import { HttpError } from "../http-errors.js";
import type { IngestJobs, JobEvent } from "../jobs.js";
import { JobIdSchema } from "../document-schemas.js";
import { SseWriter } from "../sse.js";

/** How often a quiet job stream sends a comment line. */
const SSE_KEEPALIVE_MS = 15_000;

export function ingestJobsRouter(_ctx: ServerContext, jobs: IngestJobs): Router {
  const router = Router();
  router.get("/ingest/:job", async (req, res) => {
    const parsed = JobIdSchema.safeParse(req.params.job);
    if (!parsed.success) throw new HttpError(400, "INPUT", "Not an ingest job id.", "Use the `job` that POST /documents answered with.");
    const id = parsed.data;
    const job = jobs.get(id);
    if (!job) throw new HttpError(404, "NOT_FOUND", `No ingest job ${id}.`, "Jobs are kept while the server runs, and only the most recent finished ones; upload again if needed.");
    if (!(req.get("accept") ?? "").toLowerCase().includes("text/event-stream")) {
      res.json(job.view());
      return;
    }
    const sse = new SseWriter(res);
    sse.open();
    // The view and the subscription are taken in the same turn: nothing falls between them.
    const snapshot = job.view();
    if (job.finished) {
      await sse.send("job", snapshot);
      sse.end();
      return;
    }
    await new Promise<void>((resolve) => {
      // Events are written in order; a slow client holds them in this queue, not in the job.
      let sending = sse.send("job", snapshot);
      const unsubscribe = job.subscribe((event: JobEvent) => {
        sending = sending.then(() => sse.send(event.type, eventData(event)));
        if (event.type === "done" || event.type === "failed") void sending.then(finish);
      });
      // A job waiting for another writer can be quiet for minutes.
      const beat = setInterval(() => sse.keepAlive(), SSE_KEEPALIVE_MS);
      function finish() {
        clearInterval(beat);
        unsubscribe();
        sse.end();
        resolve();
      }
      res.on("close", finish);
    });
  });
  return router;
}

function eventData(event: JobEvent): unknown {
  switch (event.type) {
    case "progress":
      return event.progress;
    case "file":
      return event.file;
    case "warning":
    case "notice":
      return { message: event.message };
    case "done":
      return { summary: event.summary };
    case "failed":
      return event.error;
    case "state":
      return { state: event.state };
  }
}

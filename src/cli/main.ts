#!/usr/bin/env node
/** The `folio` executable: loads .env from the working directory, then runs the CLI. */
import dotenv from "dotenv";
import { processIO } from "./io.js";
import { runCli } from "./program.js";

// A reader that closed the pipe (`folio docs | head -1`) has all it wants: end quietly, as Unix
// tools do on SIGPIPE. An interrupted ingest resumes on the next run.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

dotenv.config({ quiet: true });
const code = await runCli(process.argv.slice(2), processIO());
process.exitCode = code;

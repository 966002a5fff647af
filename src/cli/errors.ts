/** Turns any error into a message for the terminal and an exit code; never a stack trace for user errors. */
import { errorMessage, FolioError } from "../errors.js";
import { redact } from "../util/redact.js";
import type { CliIO } from "./io.js";
import { writeJson, writeLine } from "./io.js";

export function reportError(error: unknown, io: CliIO, options: { json: boolean; secrets: string[] }): number {
  const debug = Boolean(io.env.FOLIO_DEBUG);
  if (error instanceof FolioError) {
    const message = redact(error.message, options.secrets);
    const hint = redact(error.hint, options.secrets);
    if (options.json) writeJson(io, { error: { code: error.code, message, hint } });
    writeLine(io.stderr, `error: ${message}`);
    if (hint) writeLine(io.stderr, `  hint: ${hint}`);
    if (debug && error.stack) writeLine(io.stderr, redact(error.stack, options.secrets));
    return error.exitCode;
  }
  const message = redact(errorMessage(error), options.secrets);
  if (options.json) writeJson(io, { error: { code: "INTERNAL", message, hint: "This is a bug in Folio; rerun with FOLIO_DEBUG=1 and report the output." } });
  writeLine(io.stderr, `error: unexpected failure: ${message}`);
  writeLine(io.stderr, debug && error instanceof Error && error.stack ? redact(error.stack, options.secrets) : "  hint: rerun with FOLIO_DEBUG=1 for details, and report it if it persists.");
  return 1;
}

import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { InputError, UsageError } from "../../errors.js";
import type { IngestOptions, IngestSummary } from "../../ingest/index.js";
import { collect, parsePositiveInt } from "../options.js";
import { printTokens } from "../tokens.js";
import { parseShard, type Shard } from "../../ingest/stages/shard.js";
import type { Folio } from "../../folio.js";
import type { CliIO } from "../io.js";

/** The flags map onto IngestOptions one to one; the manifest path is resolved against the working directory. */
type IngestFlags = Pick<IngestOptions, "include" | "exclude" | "manifest" | "prune" | "strict" | "force" | "estimate" | "maxTokens" | "shard"> & Pick<IngestOptions, "zotero"> & { bib?: string; zoteroCollection?: string; zoteroBaseDir?: string; json?: boolean; progress?: boolean; figureImages?: boolean; verbose?: boolean };

/** Warnings the summary prints before it says how many more there are (--verbose prints all). */
const WARNINGS_SHOWN = 5;

const ZOTERO_PREFIX = "zotero:";

/** "zotero:" (Zotero's default data folder, ~/Zotero) or "zotero:DIR" -> the data folder. */
function zoteroDataDir(source: string, io: CliIO): string {
  const dir = source.slice(ZOTERO_PREFIX.length).trim() || "~/Zotero";
  const home = io.env.HOME ?? os.homedir();
  return path.resolve(io.cwd, dir.replace(/^~(?=$|[\\/])/, home));
}

export function registerIngest(program: Command, ctx: CommandContext): Command {
  return program
    .command("ingest")
    .description("ingest files and folders (PDF, Markdown, text, PNG/JPEG/WebP): incremental, resumable")
    .argument("[sources...]", "files or folders (recursive), http(s) URLs, arxiv:<id>, or zotero:[DATA_DIR] (a local Zotero library, default ~/Zotero); may be empty with --manifest or --bib")
    .option("--include <glob>", "only files matching (repeatable), e.g. '**/*.pdf'", collect)
    .option("--exclude <glob>", "skip files matching (repeatable)", collect)
    .option("--manifest <file>", "CSV or JSONL with path or url, title, authors, year, doi, arxiv")
    .option("--zotero-collection <name>", "with zotero:DIR, only the items of this collection (and its subcollections)")
    .option("--zotero-base-dir <dir>", "with zotero:DIR, the folder linked files are relative to (Zotero's Linked Attachment Base Directory)")
    .option("--bib <file>", "BibTeX, BibLaTeX or CSL-JSON export (Better BibTeX, Zotero, JabRef): its PDF attachments with the entries' metadata and citation keys")
    .option("--prune", "remove documents whose files are gone from the given folders")
    .option("--strict", "exit non-zero when any file is skipped")
    .option("--force", "re-ingest even unchanged files")
    .option("--no-figure-images", "find figures and tables by caption but do not crop their images (text-only runs about twice as fast)")
    .option("--estimate", "parse and chunk, consult the embedding cache, send and write nothing: print the tokens, requests and storage the run would take")
    .option("--max-tokens <n>", "token budget of the run (FOLIO_MAX_TOKENS): stop before a document that would cross it, exit 1 and say what is left", parsePositiveInt("--max-tokens", 1e12))
    .option("--shard <i/N>", "take part i of N (1-based): N processes, on one machine or several, ingest one corpus into one Qdrant server together", shardOption)
    .option("--no-progress", "no progress bars")
    .option("--verbose", "also list every warning, the files of other types that were ignored, and copies found")
    .option("--json", "machine-readable summary on stdout")
    .action(async (given: string[], opts: IngestFlags, command: Command) => {
      const config = ctx.loadConfig(command);
      // The embedded store takes one ingest at a time: shards there would only queue behind each other.
      if (opts.shard && config.qdrant.mode === "embedded") throw new UsageError("--shard splits an ingest across processes writing to one Qdrant server; the embedded store takes one ingest at a time.", "Set QDRANT_URL to a Qdrant server (or a `folio store serve`), or ingest without --shard.");
      const zotero = given.filter((s) => s.startsWith(ZOTERO_PREFIX));
      if (zotero.length > 1) throw new UsageError("Give one Zotero library at a time.", "Run `folio ingest zotero:DIR` once per library.");
      if (opts.zoteroCollection && !zotero.length) throw new UsageError("--zotero-collection needs a zotero: source.", "Run `folio ingest zotero:~/Zotero --zotero-collection NAME`.");
      const paths = given.filter((s) => !s.startsWith(ZOTERO_PREFIX));
      if (zotero[0]) {
        const base = opts.zoteroBaseDir ? { linkedBaseDir: path.resolve(ctx.io.cwd, opts.zoteroBaseDir) } : {};
        opts = { ...opts, zotero: { dataDir: zoteroDataDir(zotero[0], ctx.io), ...(opts.zoteroCollection ? { collection: opts.zoteroCollection } : {}), ...base } };
      }
      const [{ ARXIV_ID_FORM, isRemoteSource, isWellFormedRemote }, { openFolio }] = await Promise.all([import("../../ingest/discover.js"), import("../../folio.js")]);
      const malformed = paths.find((p) => !isWellFormedRemote(p));
      if (malformed) throw new UsageError(`"${malformed}" is not an arXiv id.`, ARXIV_ID_FORM);
      if (paths.length === 0 && !opts.manifest && !opts.bib && !opts.zotero) throw new InputError("Nothing to ingest.", "Give files or folders (`folio ingest papers/`), a --manifest or a --bib.");
      for (const p of [...paths, ...(opts.manifest ? [opts.manifest] : []), ...(opts.bib ? [opts.bib] : [])]) {
        if (!isRemoteSource(p) && !existsSync(path.resolve(ctx.io.cwd, p))) throw new InputError(`Path not found: ${p}`, "Check the spelling; give existing files or folders (relative to the current directory), http(s) URLs or arxiv:<id>.");
      }
      const folio = await openFolio(config);
      try {
        const summary = await runIngest(folio, paths.map((p) => (isRemoteSource(p) ? p : path.resolve(ctx.io.cwd, p))), opts, ctx.io);
        if (opts.json) writeJson(ctx.io, summary);
        else printSummary(ctx.io, summary, Boolean(opts.verbose));
        if (!summary.ok) ctx.exitCode = 1;
      } finally {
        await folio.close();
      }
    });
}

function shardOption(value: string): Shard {
  const shard = parseShard(value);
  if (!shard) throw new UsageError(`--shard must be i/N with 1 <= i <= N, got "${value}".`, "For example --shard 1/3, --shard 2/3 and --shard 3/3 in three processes.");
  return shard;
}

/** Runs ingest with progress bars and per-file lines on stderr; Ctrl-C stops cleanly (re-run resumes). */
export async function runIngest(folio: Folio, sources: string[], opts: IngestFlags, io: CliIO): Promise<IngestSummary> {
  const [{ ingest, ingestOptionsFromConfig }, { createProgress }] = await Promise.all([import("../../ingest/index.js"), import("../progress.js")]);
  const progress = createProgress(io.stderr, opts.progress !== false);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once("SIGINT", onSigint);
  try {
    return await ingest(
      folio.store,
      sources,
      ingestOptionsFromConfig(folio.config, {
        include: opts.include,
        exclude: opts.exclude,
        manifest: opts.manifest ? path.resolve(io.cwd, opts.manifest) : undefined,
        bibliography: opts.bib ? path.resolve(io.cwd, opts.bib) : undefined,
        zotero: opts.zotero,
        prune: Boolean(opts.prune),
        strict: Boolean(opts.strict),
        force: Boolean(opts.force),
        estimate: Boolean(opts.estimate),
        ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
        ...(opts.shard ? { shard: opts.shard } : {}),
        cropFigures: opts.figureImages !== false,
        cwd: io.cwd,
        signal: abort.signal,
      }),
      {
        onProgress: (p) => progress.update(p.phase, p.done, p.total),
        onNotice: (message) => writeLine(io.stderr, message),
        onFile: (event) => {
          if (event.type === "skipped") writeLine(io.stderr, `skipped ${event.path}: ${event.reason}${event.detail ? ` (${event.detail})` : ""} — ${event.hint}`);
          if (event.type === "copy" && opts.verbose) writeLine(io.stderr, `copy ${event.path}: the same file as ${event.of}, recorded as another path of ${event.docId}`);
        },
      },
    );
  } finally {
    process.removeListener("SIGINT", onSigint);
    progress.stop();
  }
}

export function printSummary(io: CliIO, s: IngestSummary, verbose = false): void {
  const out = io.stdout;
  const copies = s.copies ? `, ${s.copies} ${s.copies === 1 ? "copy" : "copies"} of a stored file` : "";
  if (s.estimate) writeLine(out, `Estimate in ${s.seconds.toFixed(1)} s (nothing sent or written): ${s.filesSeen} files seen, ${s.estimate.documents} to embed, ${s.unchanged} unchanged${copies}, ${s.skipped.length} skipped.`);
  else {
    writeLine(out, `${s.aborted ? "Interrupted (run again to resume)" : "Done"} in ${s.seconds.toFixed(1)} s: ${s.filesSeen} files seen, ${s.ingested} ingested (${s.replaced} replaced), ${s.unchanged} unchanged${copies}, ${s.pruned} pruned, ${s.skipped.length} skipped.`);
    writeLine(out, `Wrote ${s.pages} pages, ${s.chunks} chunks, ${s.figures} figures.`);
  }
  if (s.shard) writeLine(out, `Shard ${s.shard.index}/${s.shard.count}: this run took ${s.shard.planned} of the ${s.filesSeen} files seen; the other shards take the rest.`);
  if (s.ignored.count) {
    writeLine(out, `${s.ignored.count} ${s.ignored.count === 1 ? "file" : "files"} of other types ignored: ${s.ignored.extensions.join(", ")}${verbose ? "" : " (--verbose lists them)"}.`);
    if (verbose) for (const p of s.ignored.paths) writeLine(out, `  ${p}`);
  }
  printTokens(out, s);
  if (s.skipped.length) {
    writeLine(out, "Skipped:");
    for (const f of s.skipped) writeLine(out, `  ${f.path}: ${f.reason}${f.detail ? ` (${f.detail})` : ""}\n    ${f.hint}`);
  }
  if (s.warnings.length) {
    const shown = verbose ? s.warnings : s.warnings.slice(0, WARNINGS_SHOWN);
    writeLine(out, "Warnings:");
    for (const w of shown) writeLine(out, `  ${w}`);
    if (shown.length < s.warnings.length) writeLine(out, `  and ${s.warnings.length - shown.length} more (--verbose or --json lists them all).`);
  }
  if (!s.ok && !s.aborted && s.ingested + s.unchanged + s.copies === 0 && s.skipped.length) writeLine(out, "Nothing was stored: every source was skipped (see above).");
}

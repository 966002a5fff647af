import { constants } from "node:fs";
import { access, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { UsageError } from "../../errors.js";

interface EvalFlags {
  setups: string;
  k: string;
  sources?: number;
  split?: string;
  json?: boolean;
  report?: string;
  progress?: boolean;
}

const MAX_K = 100;

function parseKs(spec: string): number[] {
  const ks = spec.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1 || k > MAX_K)) throw new UsageError(`--k must be a list of whole numbers from 1 to ${MAX_K}, got "${spec}".`, "For example --k 1,5,10,20.");
  return [...new Set(ks)].sort((a, b) => a - b);
}

function parseSources(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_K) throw new UsageError(`--sources must be a whole number from 1 to ${MAX_K}, got "${value}".`, "For example --sources 5.");
  return n;
}

async function checkWritable(file: string): Promise<void> {
  const folder = path.dirname(file);
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new UsageError(`Cannot write the report to ${file}: the folder ${folder} does not exist or is not writable.`, "Create the folder, or give --report a path in an existing one.");
  }
}

export function registerEval(program: Command, ctx: CommandContext): Command {
  return program
    .command("eval")
    .description("measure retrieval and answers on a question set (Folio JSONL or a BEIR folder), setups side by side")
    .argument("<questions...>", ".jsonl files of questions, or BEIR folders (queries.jsonl, qrels/test.tsv)")
    .option("--setups <list>", "comma-separated: current, sparse, dense, hybrid, hybrid+multivector, hybrid+rerank, each optionally @chunk=<tokens>", "current")
    .option("--k <list>", "cut-offs for recall@k", "1,5,10,20")
    .option("--sources <n>", "sources the answerer reads (default FOLIO_TOP_K)", parseSources)
    .option("--split <name>", "BEIR qrels split", "test")
    .option("--report <file>", "write an HTML report (offline, no external resources)")
    .option("--no-progress", "no progress bar")
    .option("--json", "the report as JSON on stdout")
    .action(async (questionPaths: string[], opts: EvalFlags, cmd: Command) => {
      const config = ctx.loadConfig(cmd);
      const [{ openFolio }, { createProgress }, { formatReport, loadQuestions, parseSetups, renderHtmlReport, runEval, setupCollections, summarize }] = await Promise.all([
        import("../../folio.js"),
        import("../progress.js"),
        import("../../eval/index.js"),
      ]);
      const setups = parseSetups(opts.setups);
      const ks = parseKs(opts.k);
      const questions = (await Promise.all(questionPaths.map((p) => loadQuestions(path.resolve(ctx.io.cwd, p), { split: opts.split ?? "test" })))).flat();
      const ids = new Set<string>();
      for (const q of questions) {
        if (ids.has(q.id)) throw new UsageError(`Question id "${q.id}" (${q.origin}) is used in two of the question sets.`, "Give every question its own id across the files.");
        ids.add(q.id);
      }
      // A report that cannot be written is found out now, not after the whole run.
      if (opts.report) await checkWritable(path.resolve(ctx.io.cwd, opts.report));
      const folio = await openFolio(config);
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once("SIGINT", onSigint);
      const progress = createProgress(ctx.io.stderr, opts.progress !== false);
      const collections = setupCollections(folio.store, folio.embeddings, (m) => writeLine(ctx.io.stderr, m), abort.signal);
      try {
        const run = await runEval(questions, setups, { config, store: folio.store, storeFor: collections.storeFor }, {
          ks,
          ...(opts.sources ? { answerK: opts.sources } : {}),
          signal: abort.signal,
          onProgress: (setup, done, total) => progress.update(setup, done, total),
        });
        progress.stop();
        const report = summarize(run);
        if (opts.report) await writeFile(path.resolve(ctx.io.cwd, opts.report), renderHtmlReport(report));
        if (opts.json) writeJson(ctx.io, report);
        else writeLine(ctx.io.stdout, formatReport(report));
        if (opts.report) writeLine(ctx.io.stderr, `Report written to ${opts.report}.`);
        if (run.interrupted) ctx.exitCode = 130;
      } finally {
        process.removeListener("SIGINT", onSigint);
        progress.stop();
        await collections.close();
        await folio.close();
      }
    });
}

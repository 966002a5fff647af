import { createInterface } from "node:readline";
import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { UsageError } from "../../errors.js";
import { explainNoMatch } from "../../chat/filter-hints.js";
import type { SearchRequest } from "../../store/types.js";
import { parsePositiveInt, parseSearchMode, toSearchFilters, type FilterFlags } from "../options.js";
import { addFilterOptions } from "./filters.js";
import { checkImageArgument } from "./image-arg.js";

interface SearchFlags extends FilterFlags {
  k?: number;
  image?: string;
  mode?: SearchRequest["mode"];
  json?: boolean;
  rerank?: boolean;
}

const MAX_K = 100;

export function registerSearch(program: Command, ctx: CommandContext): Command {
  const command = program
    .command("search")
    .description("search text, pages and figures; with no query and piped stdin, one query per line -> one JSON line each")
    .argument("[query]", "what to look for")
    .option("-k, --k <n>", "number of results", parsePositiveInt("--k", MAX_K))
    .option("--image <path>", "search by image (image to image and image to text; with a query: mixed)")
    .option("--mode <mode>", "dense, sparse or hybrid (default: hybrid with embeddings, else sparse)", parseSearchMode)
    .option("--rerank", "re-score candidates with late-interaction multi-vectors (when stored)")
    .option("--json", "machine-readable output");
  addFilterOptions(command);
  return command.action(async (query: string | undefined, opts: SearchFlags, cmd: Command) => {
    const config = ctx.loadConfig(cmd);
    const filters = toSearchFilters(opts);
    const base = { k: opts.k ?? config.search.topK, filters, rerankWithMultivector: opts.rerank, ...(opts.mode ? { mode: opts.mode } : {}) };
    if (opts.image) checkImageArgument(opts.image, ctx.io.cwd);
    if (query !== undefined && !query.trim()) throw new UsageError("The search query is empty.", 'Give words to look for, e.g. `folio search "late interaction"`, or leave the query out and pipe one query per line.');
    const batch = !query && !opts.image && !ctx.io.stdin.isTTY;
    if (!query && !opts.image && !batch) throw new UsageError("search needs a query, --image, or queries on stdin.", 'Try `folio search "late interaction"`.');
    const [{ openFolio }, { formatHits, hitToJson }] = await Promise.all([import("../../folio.js"), import("../format.js")]);
    const folio = await openFolio(config);
    try {
      const stale = await folio.staleNotice();
      if (stale) writeLine(ctx.io.stderr, stale);
      if (batch) {
        const lines = createInterface({ input: ctx.io.stdin, crlfDelay: Infinity });
        for await (const line of lines) {
          const q = line.trim();
          if (!q) continue;
          const hits = await folio.store.search({ ...base, text: q });
          writeJson(ctx.io, { query: q, results: hits.map(hitToJson) }, false);
        }
        return;
      }
      const hits = await folio.store.search({ ...base, ...(query ? { text: query } : {}), ...(opts.image ? { image: opts.image } : {}) });
      const notes = hits.length === 0 ? await explainNoMatch(filters, folio.store) : [];
      for (const note of notes) writeLine(ctx.io.stderr, note);
      if (opts.json) return writeJson(ctx.io, { query: query ?? null, image: opts.image ?? null, results: hits.map(hitToJson), ...(notes.length ? { notes } : {}) });
      writeLine(ctx.io.stdout, formatHits(hits));
    } finally {
      await folio.close();
    }
  });
}

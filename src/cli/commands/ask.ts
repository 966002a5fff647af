import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { explainNoMatch } from "../../chat/filter-hints.js";
import { UsageError } from "../../errors.js";
import { parsePositiveInt, toSearchFilters, type FilterFlags } from "../options.js";
import { addFilterOptions } from "./filters.js";
import { checkImageArgument } from "./image-arg.js";
import type { Answer, Answerer, AnswerRequest } from "../../chat/types.js";

interface AskFlags extends FilterFlags {
  k?: number;
  image?: string;
  json?: boolean;
}

export function registerAsk(program: Command, ctx: CommandContext): Command {
  const command = program
    .command("ask")
    .description("answer one question from the corpus with numbered citations (paper, page, figure)")
    .argument("<question>", "the question")
    .option("-k, --k <n>", "number of sources to retrieve", parsePositiveInt("--k", 50))
    .option("--image <path>", "ask about an image (searches figures and pages by image)")
    .option("--json", "machine-readable output (the answer, citations and sources)");
  addFilterOptions(command);
  return command.action(async (question: string, opts: AskFlags, cmd: Command) => {
    if (!question.trim()) throw new UsageError("The question is empty.", 'Ask something, e.g. `folio ask "What does MaxSim compute?"`.');
    const config = ctx.loadConfig(cmd);
    const filters = toSearchFilters(opts);
    if (opts.image) checkImageArgument(opts.image, ctx.io.cwd);
    const { openFolio } = await import("../../folio.js");
    const folio = await openFolio(config);
    try {
      const stale = await folio.staleNotice();
      if (stale) writeLine(ctx.io.stderr, stale);
      const answer = await askAndPrint(await folio.loadAnswerer(), { question, filters, k: opts.k, ...(opts.image ? { image: opts.image } : {}) }, ctx, Boolean(opts.json));
      if (answer.sources.length === 0) for (const note of await explainNoMatch(filters, folio.store)) writeLine(ctx.io.stderr, note);
      if (opts.json) writeJson(ctx.io, answer);
    } finally {
      await folio.close();
    }
  });
}

/** Streams the answer to stdout as it is produced (text mode) and returns it. */
export async function askAndPrint(
  answerer: Answerer,
  request: AnswerRequest,
  ctx: CommandContext,
  json: boolean,
): Promise<Answer> {
  if (json) return answerer.answer(request);
  const { formatSources } = await import("../format.js");
  let answer: Answer | undefined;
  for await (const event of answerer.stream(request)) {
    if (event.type === "token") ctx.io.stdout.write(event.text);
    else if (event.type === "done") answer = event.answer;
  }
  if (!answer) throw new Error("the answer stream ended without a result");
  writeLine(ctx.io.stdout);
  writeLine(ctx.io.stdout);
  writeLine(ctx.io.stdout, formatSources(answer));
  return answer;
}

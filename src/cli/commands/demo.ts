import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { packagePath } from "../../util/paths.js";
import { askAndPrint } from "./ask.js";
import { printSummary, runIngest } from "./ingest.js";

/** A question the demo corpus answers, with a page and a figure to cite. */
export const DEMO_QUESTION = "What does MaxSim compute?";

export function registerDemo(program: Command, ctx: CommandContext): Command {
  return program
    .command("demo")
    .description("ingest the demo corpus (data/) when the store is empty, then answer a question with citations")
    .argument("[question]", "the question to ask", DEMO_QUESTION)
    .option("--json", "machine-readable output")
    .action(async (question: string, opts: { json?: boolean }, command: Command) => {
      const config = ctx.loadConfig(command);
      const { openFolio } = await import("../../folio.js");
      const folio = await openFolio(config);
      try {
        const documents = await folio.store.listDocuments();
        if (documents.length === 0) {
          // Only the PDFs: the standalone figure PNGs in data/figures repeat the figures the PDFs contain (use them for image queries).
          const sources = [packagePath("data", "papers")].filter((p) => existsSync(p));
          const manifest = packagePath("data", "manifest.jsonl");
          writeLine(ctx.io.stderr, `Ingesting the demo corpus into ${config.home} ...`);
          const summary = await runIngest(folio, sources, { manifest: existsSync(manifest) ? manifest : undefined }, ctx.io);
          if (!opts.json) {
            printSummary(ctx.io, summary);
            writeLine(ctx.io.stdout);
          }
        }
        if (!opts.json) writeLine(ctx.io.stdout, `Q: ${question}\n`);
        const answer = await askAndPrint(await folio.loadAnswerer(), { question }, ctx, Boolean(opts.json));
        if (opts.json) writeJson(ctx.io, answer);
        else writeLine(ctx.io.stdout, `\nTry more: npx folio ask "...", npx folio search "...", npx folio chat, npx folio serve (see README).`);
      } finally {
        await folio.close();
      }
    });
}

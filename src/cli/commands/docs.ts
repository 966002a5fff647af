import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { openFolio } from "../../folio.js";

export function registerDocs(program: Command, ctx: CommandContext): Command {
  return program
    .command("docs")
    .description("list the ingested documents (papers) with their ids, pages, chunks and figures")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const folio = await openFolio(ctx.loadConfig(command));
      try {
        const docs = await folio.store.listDocuments();
        if (opts.json) return writeJson(ctx.io, { documents: docs });
        if (docs.length === 0) return writeLine(ctx.io.stdout, "No documents yet. Run `folio ingest <folder>`.");
        for (const d of docs) writeLine(ctx.io.stdout, `${d.docId}  ${d.title}${d.year ? ` (${d.year})` : ""}\n    ${d.pages} pages, ${d.chunks} chunks, ${d.figures} figures — ${d.source}`);
      } finally {
        await folio.close();
      }
    });
}

import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { openFolio } from "../../folio.js";
import { bibtexFor } from "../../chat/bibtex.js";
import { InputError } from "../../errors.js";

export function registerDocs(program: Command, ctx: CommandContext): Command {
  return program
    .command("docs")
    .description("list the ingested documents (papers) with their ids, pages, chunks and figures")
    .argument("[ids...]", "only these documents (docIds or citation keys)")
    .option("--bib", "print BibTeX entries (citation keys from the reference manager when it gave them)")
    .option("--json", "machine-readable output")
    .action(async (ids: string[], opts: { json?: boolean; bib?: boolean }, command: Command) => {
      const folio = await openFolio(ctx.loadConfig(command));
      try {
        const all = await folio.store.listDocuments();
        const docs = ids.length ? all.filter((d) => ids.includes(d.docId) || (d.citationKey !== undefined && ids.includes(d.citationKey))) : all;
        const unknown = ids.filter((id) => !all.some((d) => d.docId === id || d.citationKey === id));
        if (unknown.length) throw new InputError(`No document ${unknown.map((u) => JSON.stringify(u)).join(", ")} in the library.`, "Run `folio docs` for the ids and citation keys.");
        if (opts.bib) return writeLine(ctx.io.stdout, docs.map(bibtexFor).join("\n\n"));
        if (opts.json) return writeJson(ctx.io, { documents: docs });
        if (docs.length === 0) return writeLine(ctx.io.stdout, "No documents yet. Run `folio ingest <folder>`.");
        for (const d of docs) writeLine(ctx.io.stdout, `${d.docId}  ${d.title}${d.year ? ` (${d.year})` : ""}${d.citationKey ? `  [@${d.citationKey}]` : ""}\n    ${d.pages} pages, ${d.chunks} chunks, ${d.figures} figures — ${d.source}`);
      } finally {
        await folio.close();
      }
    });
}

import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { InputError } from "../../errors.js";

export function registerDocs(program: Command, ctx: CommandContext): Command {
  return program
    .command("docs")
    .description("list the ingested documents (papers) with their ids, pages, chunks and figures")
    .argument("[ids...]", "only these documents (docIds or citation keys)")
    .option("--bib", "print BibTeX entries (citation keys from the reference manager when it gave them)")
    .option("--json", "machine-readable output")
    .action(async (ids: string[], opts: { json?: boolean; bib?: boolean }, command: Command) => {
      const config = ctx.loadConfig(command);
      const [{ openFolio }, { bibtexFor }, { papersOf }] = await Promise.all([import("../../folio.js"), import("../../chat/bibtex.js"), import("../../chat/library.js")]);
      const folio = await openFolio(config);
      try {
        const all = await folio.store.listDocuments();
        const docs = ids.length ? all.filter((d) => ids.includes(d.docId) || (d.citationKey !== undefined && ids.includes(d.citationKey))) : all;
        const unknown = ids.filter((id) => !all.some((d) => d.docId === id || d.citationKey === id));
        if (unknown.length) throw new InputError(`No document ${unknown.map((u) => JSON.stringify(u)).join(", ")} in the library.`, "Run `folio docs` for the ids and citation keys.");
        if (opts.json) return writeJson(ctx.io, { documents: docs });
        // Figure images stored on their own are shown (and cited) as part of their paper.
        const papers = papersOf(docs);
        if (opts.bib) return writeLine(ctx.io.stdout, papers.map((p) => bibtexFor(p.record)).join("\n\n"));
        if (docs.length === 0) return writeLine(ctx.io.stdout, "No documents yet. Run `folio ingest <folder>`.");
        for (const { record: d, figureImages } of papers) {
          writeLine(ctx.io.stdout, `${d.docId}  ${d.title}${d.year ? ` (${d.year})` : ""}${d.citationKey ? `  [@${d.citationKey}]` : ""}\n    ${d.pages} pages, ${d.chunks} chunks, ${d.figures} figures — ${d.source}`);
          for (const copy of d.alsoAt ?? []) writeLine(ctx.io.stdout, `    also at ${copy}`);
          for (const image of figureImages) writeLine(ctx.io.stdout, `    + figure image ${image.docId}: ${image.title} — ${image.source}`);
        }
      } finally {
        await folio.close();
      }
    });
}

import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { UsageError } from "../../errors.js";

export function registerReset(program: Command, ctx: CommandContext): Command {
  return program
    .command("reset")
    .description("delete the collection and every document in it (the embedding cache is kept)")
    .option("--yes", "confirm")
    .option("--json", "machine-readable output")
    .action(async (opts: { yes?: boolean; json?: boolean }, command: Command) => {
      if (!opts.yes) throw new UsageError("`folio reset` deletes the whole collection.", "Add --yes to confirm.");
      const config = ctx.loadConfig(command);
      const { openFolio } = await import("../../folio.js");
      const folio = await openFolio(config);
      const release = await folio.store.lockForWriting("reset", (message) => writeLine(ctx.io.stderr, message));
      try {
        const docs = await folio.store.listDocuments();
        // Drops the collection and its registry, so a changed embedding setup starts from a clean layout.
        await folio.store.drop();
        if (opts.json) return writeJson(ctx.io, { deleted: docs.length });
        writeLine(ctx.io.stdout, `Deleted ${docs.length} documents from "${folio.config.collection}".`);
      } finally {
        release();
        await folio.close();
      }
    });
}

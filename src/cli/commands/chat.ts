import type { Command } from "commander";
import type { CommandContext } from "../program.js";

export function registerChat(program: Command, ctx: CommandContext): Command {
  return program
    .command("chat")
    .description("interactive chat with streaming answers and citations (/help inside for commands)")
    .action(async (_opts: unknown, command: Command) => {
      const config = ctx.loadConfig(command);
      const [{ openFolio }, { runRepl }] = await Promise.all([import("../../folio.js"), import("../repl.js")]);
      const folio = await openFolio(config);
      try {
        await runRepl({ answerer: await folio.loadAnswerer(), store: folio.store, config, input: ctx.io.stdin, output: ctx.io.stdout });
      } finally {
        await folio.close();
      }
    });
}

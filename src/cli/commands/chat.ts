import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { openFolio } from "../../folio.js";
import { runRepl } from "../repl.js";

export function registerChat(program: Command, ctx: CommandContext): Command {
  return program
    .command("chat")
    .description("interactive chat with streaming answers and citations (/help inside for commands)")
    .action(async (_opts: unknown, command: Command) => {
      const config = ctx.loadConfig(command);
      const folio = await openFolio(config);
      try {
        await runRepl({ answerer: folio.answerer(), store: folio.store, config, input: ctx.io.stdin, output: ctx.io.stdout });
      } finally {
        await folio.close();
      }
    });
}

import type { Command } from "commander";
import { describeConfig, settingsMarkdown } from "../../config.js";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";

export function registerConfig(program: Command, ctx: CommandContext): Command {
  return program
    .command("config")
    .description("print the effective configuration (secrets masked) and which parts run embedded")
    .option("--json", "machine-readable output")
    .option("--markdown", "every setting, its default and what it does, as a Markdown table (the README's)")
    .action((opts: { json?: boolean; markdown?: boolean }, command: Command) => {
      if (opts.markdown) return writeLine(ctx.io.stdout, settingsMarkdown());
      const described = describeConfig(ctx.loadConfig(command));
      if (opts.json) return writeJson(ctx.io, described);
      const parts = described as { store: { mode: string; note?: string; url?: string }; embeddings: { mode: string; note?: string; baseUrl?: string }; llm: { mode: string; note?: string; model?: string } };
      writeLine(ctx.io.stdout, `store:      ${parts.store.mode === "embedded" ? "embedded (local, on disk)" : `Qdrant server at ${parts.store.url}`}`);
      writeLine(ctx.io.stdout, `embeddings: ${parts.embeddings.mode === "none" ? "none: local BM25 only" : `Jina at ${parts.embeddings.baseUrl}`}`);
      writeLine(ctx.io.stdout, `answers:    ${parts.llm.mode === "extractive" ? "extractive (no LLM)" : `LLM ${parts.llm.model}`}`);
      writeLine(ctx.io.stdout);
      writeLine(ctx.io.stdout, JSON.stringify(described, null, 2));
    });
}

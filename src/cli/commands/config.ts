import type { Command } from "commander";
import { DEFAULT_RETRIEVE_OPTIONS } from "../../chat/retrieve-defaults.js";
import { describeConfig, settingsMarkdown, type FolioConfig } from "../../config.js";
import { switchCosts, type SwitchCost } from "../../embeddings/costs.js";
import { formatCount } from "../../util/numbers.js";
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
      const config = ctx.loadConfig(command);
      const costs = tokenCosts(config, DEFAULT_RETRIEVE_OPTIONS.rerankFetchFactor);
      const described = { ...describeConfig(config), tokenCosts: costs };
      if (opts.json) return writeJson(ctx.io, described);
      const parts = describeConfig(config) as { store: { mode: string; note?: string; url?: string }; embeddings: { mode: string; note?: string; baseUrl?: string }; llm: { mode: string; note?: string; model?: string } };
      const c = config.qdrant.cluster;
      const cluster = `${c.shards} shard${c.shards === 1 ? "" : "s"}, ${c.replicas} replica${c.replicas === 1 ? "" : "s"}, write consistency ${c.writeConsistency}${c.onDisk ? ", on disk" : ""}${c.quantization === "int8" ? ", int8" : ""}`;
      writeLine(ctx.io.stdout, `store:      ${parts.store.mode === "embedded" ? "embedded (local, on disk)" : `Qdrant server at ${parts.store.url}; new collections: ${cluster}`}`);
      writeLine(ctx.io.stdout, `embeddings: ${parts.embeddings.mode === "none" ? "none: local BM25 only" : `Jina at ${parts.embeddings.baseUrl}`}`);
      writeLine(ctx.io.stdout, `answers:    ${parts.llm.mode === "extractive" ? "extractive (no LLM)" : `LLM ${parts.llm.model}`}`);
      writeLine(ctx.io.stdout);
      printCosts(ctx, costs, config.embeddings.mode === "jina");
      writeLine(ctx.io.stdout);
      writeLine(ctx.io.stdout, JSON.stringify(described, null, 2));
    });
}

function tokenCosts(config: FolioConfig, rerankFetchFactor: number): SwitchCost[] {
  const i = config.ingest;
  return switchCosts({ pageDpi: i.pageDpi, figureDpi: i.figureDpi, chunkTokens: i.chunkTokens, chunkOverlapTokens: i.chunkOverlapTokens, topK: config.search.topK, rerankFetchFactor });
}

function printCosts(ctx: CommandContext, costs: SwitchCost[], embedding: boolean): void {
  writeLine(ctx.io.stdout, `embedding tokens per switch${embedding ? "" : " (they apply once JINA_API_KEY or JINA_BASE_URL is set)"}; \`folio ingest --estimate\` gives a corpus' figure:`);
  for (const c of costs) {
    const amount = c.tokens !== null ? `${formatCount(c.tokens)} tokens per ${c.unit}` : `x${c.multiplier ?? 1} the ingest's tokens`;
    writeLine(ctx.io.stdout, `  ${c.settings.padEnd(34)} ${amount.padEnd(28)} ${c.note}`);
  }
}

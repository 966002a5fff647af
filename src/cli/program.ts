/**
 * The `folio` command line. Every command has --help; commands that produce results have --json,
 * which prints machine-readable output on stdout while progress and logs go to stderr.
 * Usage errors exit with 2, other failures with 1, and no user error prints a stack trace.
 */
import { Command, CommanderError, Option } from "commander";
import { loadConfig } from "../config.js";
import type { FolioConfig, RawEnv } from "../config.js";
import { UsageError } from "../errors.js";
import type { CliIO } from "./io.js";
import { reportError } from "./errors.js";
import { registerConfig } from "./commands/config.js";
import { registerIngest } from "./commands/ingest.js";
import { registerSearch } from "./commands/search.js";
import { registerAsk } from "./commands/ask.js";
import { registerChat } from "./commands/chat.js";
import { registerServe } from "./commands/serve.js";
import { registerDocs } from "./commands/docs.js";
import { registerEmbed } from "./commands/embed.js";
import { registerReset } from "./commands/reset.js";
import { registerDemo } from "./commands/demo.js";
import { registerEval } from "./commands/eval.js";
import { registerMcp } from "./commands/mcp.js";
import { registerStore } from "./commands/store.js";
import { folioVersion } from "../util/paths.js";

/** What every command gets: the IO and a way to build the configuration from global flags. */
export interface CommandContext {
  io: CliIO;
  loadConfig(command: Command): FolioConfig;
  /** A command that completes but must report failure (e.g. `ingest --strict` with skipped files). */
  exitCode: number;
}

/** The version users see, from package.json. */
const VERSION = folioVersion();

function buildProgram(io: CliIO): { program: Command; ctx: CommandContext; lastConfig: () => FolioConfig | undefined } {
  let lastConfig: FolioConfig | undefined;
  const program = new Command("folio")
    .description("Chat with a research corpus: ingest papers and figures, search every way, ask with citations.")
    .version(VERSION)
    .addOption(new Option("--home <dir>", "data folder (FOLIO_HOME, default .folio)"))
    .addOption(new Option("--collection <name>", "collection name (FOLIO_COLLECTION, default folio)"))
    .addOption(new Option("--qdrant-url <url>", "Qdrant server URL (QDRANT_URL); absent: embedded local store"))
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const ctx: CommandContext = {
    io,
    exitCode: 0,
    loadConfig(command: Command) {
      const globals = command.optsWithGlobals<{ home?: string; collection?: string; qdrantUrl?: string }>();
      const overrides: Partial<Record<keyof RawEnv, string>> = { FOLIO_HOME: globals.home, FOLIO_COLLECTION: globals.collection, QDRANT_URL: globals.qdrantUrl };
      lastConfig = loadConfig(overrides, io.env, io.cwd);
      return lastConfig;
    },
  };

  for (const register of [registerDemo, registerIngest, registerSearch, registerAsk, registerChat, registerServe, registerMcp, registerDocs, registerEmbed, registerReset, registerEval, registerStore, registerConfig]) {
    const command = register(program, ctx);
    command.exitOverride().showHelpAfterError("(run with --help for usage)");
  }
  return { program, ctx, lastConfig: () => lastConfig };
}

/** Runs the CLI and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const { program, ctx, lastConfig } = buildProgram(io);
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      if (error.code === "commander.executeSubCommandAsync") return error.exitCode;
      return 2;
    }
    if (error instanceof UsageError) {
      return reportError(error, io, { json, secrets: [] });
    }
    return reportError(error, io, { json, secrets: lastConfig()?.secrets ?? secretsFromEnv(io.env) });
  }
}

function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return [env.JINA_API_KEY, env.OPENAI_API_KEY, env.QDRANT_API_KEY, env.FOLIO_API_TOKEN].filter((s): s is string => Boolean(s));
}

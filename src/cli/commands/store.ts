import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeLine } from "../io.js";
import { ConfigError } from "../../errors.js";
import { parsePositiveInt } from "../options.js";

interface ServeFlags {
  port?: number;
  host?: string;
  apiKey?: string;
  readOnly?: boolean;
}

export function registerStore(program: Command, ctx: CommandContext): Command {
  const store = program.command("store").description("the embedded store as a Qdrant server, and its snapshots");
  store
    .command("serve")
    .description("serve the embedded store over Qdrant's REST API: other machines and any Qdrant client use it with QDRANT_URL")
    .option("--port <port>", "port (FOLIO_STORE_PORT, default 6333)", parsePositiveInt("--port", 65_535))
    .option("--host <host>", "interface (FOLIO_STORE_HOST, default 127.0.0.1); beyond loopback an API key is required")
    .option("--api-key <key>", "the key clients must send (FOLIO_STORE_API_KEY)")
    .option("--read-only", "refuse every write")
    .action(async (opts: ServeFlags, command: Command) => {
      const config = ctx.loadConfig(command);
      if (config.qdrant.mode === "server") {
        throw new ConfigError(`QDRANT_URL is set (${config.qdrant.url}): there is no embedded store to serve.`, "Unset QDRANT_URL on the machine that holds the store; the others set QDRANT_URL to this server.");
      }
      const { startStoreServer } = await import("../../server/qdrant/index.js");
      const s = config.storeServer;
      const apiKey = opts.apiKey ?? s.apiKey;
      const server = await startStoreServer({ path: config.qdrant.path, host: opts.host ?? s.host, port: opts.port ?? s.port, maxBodyBytes: s.maxBodyBytes, ...(apiKey ? { apiKey } : {}), ...(opts.readOnly ? { readOnly: true } : {}) });
      writeLine(ctx.io.stderr, `Serving ${config.qdrant.path} over Qdrant's REST API at ${server.url}${apiKey ? " (API key required)" : ""}${opts.readOnly ? ", read-only" : ""}. Elsewhere: QDRANT_URL=${server.url}. Ctrl-C stops it.`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });
  return store;
}

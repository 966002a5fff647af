import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeLine } from "../io.js";
import { ConfigError } from "../../errors.js";
import type { RunningServer } from "../../server/index.js";
import { parsePositiveInt } from "../options.js";

export function registerServe(program: Command, ctx: CommandContext): Command {
  return program
    .command("serve")
    .description("start the HTTP API (POST /chat, /search, GET /figures/:id ...) and the web page")
    .option("--port <port>", "port (FOLIO_PORT, default 8787)", parsePositiveInt("--port", 65_535))
    .option("--host <host>", "interface to listen on (FOLIO_HOST, default 127.0.0.1)")
    .action(async (opts: { port?: number; host?: string }, command: Command) => {
      const base = ctx.loadConfig(command);
      const config = { ...base, server: { ...base.server, ...(opts.port ? { port: opts.port } : {}), ...(opts.host ? { host: opts.host } : {}) } };
      const [{ openFolio }, { startServer }] = await Promise.all([import("../../folio.js"), import("../../server/index.js")]);
      const folio = await openFolio(config);
      let server: RunningServer;
      try {
        server = await startServer({ config, store: folio.store, answerer: await folio.loadAnswerer(), imageSearchAvailable: folio.imageSearchAvailable });
      } catch (error) {
        await folio.close();
        const code = (error as { code?: unknown }).code;
        if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
          throw new ConfigError(`Cannot listen on ${config.server.host}:${config.server.port} (${String(code)}).`, "Another program uses that port, or the address is not this machine's: pick another with --port / FOLIO_PORT or --host / FOLIO_HOST.");
        }
        throw error;
      }
      writeLine(ctx.io.stderr, `Folio is listening on ${server.url} (web page at ${server.url}/, API description at ${server.url}/openapi.json). Ctrl-C stops it.`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.close();
      await folio.close();
    });
}

import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeLine } from "../io.js";
import { folioVersion } from "../../util/paths.js";

/**
 * `folio mcp`: the library as a Model Context Protocol server over stdio, for Claude Desktop,
 * Cursor, VS Code and other MCP clients. Stdout carries the protocol only; messages go to stderr.
 */
export function registerMcp(program: Command, ctx: CommandContext): Command {
  return program
    .command("mcp")
    .description("serve the library to MCP clients (Claude Desktop, Cursor, VS Code) over stdio")
    .action(async (_opts: unknown, command: Command) => {
      const config = ctx.loadConfig(command);
      const [{ openFolio }, { createMcpServer }, { StdioServerTransport }] = await Promise.all([
        import("../../folio.js"),
        import("../../server/mcp/tools.js"),
        import("@modelcontextprotocol/sdk/server/stdio.js"),
      ]);
      const folio = await openFolio(config);
      const server = createMcpServer({ config, store: folio.store, answerer: await folio.loadAnswerer(), version: folioVersion() });
      const transport = new StdioServerTransport(ctx.io.stdin, ctx.io.stdout);
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        ctx.io.stdin.once("end", () => resolve());
      });
      await server.connect(transport);
      const papers = (await folio.store.listDocuments()).length;
      writeLine(ctx.io.stderr, `Folio MCP server on stdio: ${papers} paper${papers === 1 ? "" : "s"} in ${config.home}. Waiting for a client.`);
      await closed;
      await server.close();
      await folio.close();
    });
}

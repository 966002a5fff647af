/**
 * POST /mcp: the MCP server (mcp/tools.ts) over Streamable HTTP, stateless: each request gets its
 * own server and transport, so any number of clients can call tools and no session state is kept
 * between requests. Behind the same bearer token as the rest of the API. GET and DELETE /mcp
 * (server-initiated streams, session ends) are not offered: 405 as the transport specifies.
 */
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { Router } from "express";
import { folioVersion } from "../../util/paths.js";
import type { ServerContext } from "../context.js";
import { HttpError } from "../http-errors.js";
import { createMcpServer } from "../mcp/tools.js";

export const MCP_PATH = "/mcp";

export function mcpRouter(ctx: ServerContext): Router {
  const router = Router();
  const version = folioVersion();
  router.post(MCP_PATH, async (req, res) => {
    const server = createMcpServer({ config: ctx.config, store: ctx.store, answerer: ctx.answerer, version });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  router.all(MCP_PATH, (_req, res) => {
    res.setHeader("Allow", "POST");
    throw new HttpError(405, "UNSUPPORTED", "This MCP endpoint is stateless: only POST is served.", "Send JSON-RPC requests with POST /mcp (Streamable HTTP, no session).");
  });
  return router;
}

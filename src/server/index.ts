/**
 * Folio's HTTP API and web page (`folio serve`).
 *
 * Open without a token: the web page (`/`, with pdf.js under /vendor/pdfjs), GET /health and GET
 * /openapi.json. With FOLIO_API_TOKEN set, every other route (chat, search, images, documents,
 * uploads, ingest jobs) needs `Authorization: Bearer`.
 * Order of the middleware: security headers -> CORS -> static page -> open routes -> rate limit ->
 * token -> JSON body (size-capped; uploads are multipart, read by their route) -> API routes -> 404
 * -> errors.
 */
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import type { ServerContext, ServerDeps } from "./context.js";
import { requireToken } from "./middleware/auth.js";
import { errorHandler, notFound } from "./middleware/errors.js";
import { rateLimitPerMinute } from "./middleware/rate-limit.js";
import { cors, securityHeaders } from "./middleware/security.js";
import { ingest, ingestOptionsFromConfig } from "../ingest/index.js";
import { IngestJobs } from "./jobs.js";
import { discardUnused } from "./uploads.js";
import { chatRouter } from "./routes/chat.js";
import { documentsRouter } from "./routes/documents.js";
import { ingestJobsRouter } from "./routes/ingest-jobs.js";
import { mcpRouter, MCP_PATH } from "./routes/mcp.js";
import { openAiRouter } from "./routes/openai.js";
import { vendorRouter } from "./routes/vendor.js";
import { healthRouter } from "./routes/health.js";
import { imagesRouter } from "./routes/images.js";
import { openApiRouter } from "./routes/openapi.js";
import { searchRouter } from "./routes/search.js";
import { SessionStore } from "./sessions.js";

export type { ServerDeps } from "./context.js";
export { SessionStore } from "./sessions.js";
export { buildOpenApiDocument } from "./routes/openapi.js";

/** The web/ folder, found from this file (src/server or dist/server). */
export function webRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, "web");
    if (existsSync(path.join(candidate, "index.html"))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

export type FolioApp = express.Express & { locals: { sessions: SessionStore; jobs: IngestJobs } };

/** Finished upload jobs GET /ingest/{job} still answers for. */
const FINISHED_JOBS_KEPT = 100;

export function createApp(deps: ServerDeps): FolioApp {
  const { config } = deps;
  const server = config.server;
  const ctx: ServerContext = {
    ...deps,
    log: deps.log ?? ((message) => process.stderr.write(`${message}\n`)),
    sessions: new SessionStore({ ttlMs: server.sessionTtlMs, maxTurns: server.sessionMaxTurns, maxSessions: server.maxSessions, ...(deps.now ? { now: deps.now } : {}) }),
  };
  const app = express() as FolioApp;
  app.locals.sessions = ctx.sessions;
  const jobs = new IngestJobs(
    async (paths, events, signal) => {
      try {
        return await ingest(ctx.store, paths, ingestOptionsFromConfig(config, { signal }), events);
      } finally {
        // Nothing is removed when the registry cannot be read: a copy too many beats a lost one.
        const records = await ctx.store.listDocuments().catch(() => undefined);
        if (records) await discardUnused(paths, new Set(records.map((r) => r.source)));
      }
    },
    { keepFinished: FINISHED_JOBS_KEPT, secrets: config.secrets, hiddenDirs: [{ dir: path.resolve(config.home), name: "FOLIO_HOME" }] },
  );
  app.locals.jobs = jobs;
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  app.use(securityHeaders());
  app.use(cors(server.corsOrigins));
  const web = webRoot();
  if (web) app.use(express.static(web, { index: "index.html", dotfiles: "ignore", redirect: false, maxAge: 0 }));
  app.use(vendorRouter());
  app.use(healthRouter(ctx));
  app.use(openApiRouter({ auth: Boolean(server.apiToken) }));

  // Only the API paths go through the rate limit, the token check and the JSON body parser.
  const apiPaths = ["/chat", "/search", "/figures", "/pages", "/documents", "/ingest", "/v1", MCP_PATH];
  app.use(apiPaths, rateLimitPerMinute(server.rateLimitPerMinute, server.apiToken), requireToken(server.apiToken), express.json({ limit: server.maxBodyBytes, strict: true }));
  app.use(chatRouter(ctx));
  app.use(searchRouter(ctx));
  app.use(imagesRouter(ctx));
  app.use(documentsRouter(ctx, jobs));
  app.use(ingestJobsRouter(ctx, jobs));
  app.use(openAiRouter(ctx));
  app.use(mcpRouter(ctx));

  app.use(notFound());
  app.use(errorHandler(config.secrets, server.maxBodyBytes, ctx.log));
  return app;
}

export interface RunningServer {
  url: string;
  app: FolioApp;
  server: Server;
  close(): Promise<void>;
}

/** Starts the API on config.server.host:port (port 0 picks a free one). */
export async function startServer(deps: ServerDeps & { host?: string; port?: number }): Promise<RunningServer> {
  const app = createApp(deps);
  const host = deps.host ?? deps.config.server.host;
  const port = deps.port ?? deps.config.server.port;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  // Streams can run long; idle keep-alive sockets should not hold the process after close().
  server.keepAliveTimeout = 5_000;
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    app,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }).then(() => app.locals.jobs.close()),
  };
}

/**
 * Qdrant's REST API over a `QdrantClient` (the embedded store): the paths and bodies of Qdrant's
 * OpenAPI document, its `{result, status, time}` envelope and its `{status: {error}, time}` errors.
 * The API key is checked like Qdrant checks it (`api-key` header, or `Authorization: Bearer`).
 */
import type { QdrantClient } from "@qdrant/js-client-rest";
import express, { type NextFunction, type Request, type Response } from "express";
import { UnsupportedFeatureError } from "../../errors.js";
import { errorStatus } from "../../store/client-errors.js";
import { tokensEqual } from "../middleware/auth.js";
import { isLoopbackHost } from "./loopback.js";
import { OPERATIONS, PointNotFound, type Operation, type OperationRequest } from "./operations.js";

export interface QdrantRestOptions {
  client: QdrantClient;
  /** Required in every request when set. */
  apiKey?: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Refuse writes (403). */
  readOnly?: boolean;
  /** Called before an operation runs; a returned message refuses the request (tests check bodies against the OpenAPI schema here). */
  checkRequest?(operation: Operation, request: OperationRequest): string | undefined;
  /** Sees every answer of an operation before it is sent (tests check it against the OpenAPI schema). */
  observeResponse?(operation: Operation, status: number, body: unknown): void;
}

const started = () => process.hrtime.bigint();
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

function sendError(res: Response, status: number, error: string, since: bigint): void {
  res.status(status).json({ status: { error }, time: seconds(since) });
}

function given(req: Request): string | undefined {
  const header = req.get("api-key");
  if (header) return header;
  return /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "")?.[1];
}

/** The status and message Qdrant would answer with for what an operation threw. */
function failure(error: unknown): { status: number; message: string } {
  if (error instanceof PointNotFound) return { status: 404, message: `Not found: ${error.message}` };
  const status = errorStatus(error);
  if (status !== undefined) {
    // The engine's errors carry Qdrant's own wording in data.status.error.
    const data = (error as { data?: { status?: { error?: unknown } } }).data;
    const message = typeof data?.status?.error === "string" ? data.status.error : error instanceof Error ? error.message : String(error);
    return { status, message };
  }
  // What the engine does not support (a Qdrant feature it lacks) is the caller's request, not a crash.
  if (error instanceof UnsupportedFeatureError) return { status: 400, message: `Bad request: ${error.message} ${error.hint}` };
  return { status: 500, message: `Service internal error: ${error instanceof Error ? error.message : String(error)}` };
}

function route(operation: Operation, options: QdrantRestOptions) {
  return async (req: Request, res: Response) => {
    const since = started();
    const observed = options.observeResponse;
    if (observed) {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        observed(operation, res.statusCode, body);
        return json(body);
      };
    }
    if (operation.writes && options.readOnly) return sendError(res, 403, "Forbidden: this Folio store is served read-only", since);
    const body = req.body === undefined || req.body === null ? {} : req.body;
    if (typeof body !== "object" || Array.isArray(body)) return sendError(res, 400, "Format error in JSON body: expected a JSON object", since);
    const request: OperationRequest = { params: req.params as Record<string, string>, query: req.query as Record<string, unknown>, body: body as Record<string, unknown> };
    const refused = options.checkRequest?.(operation, request);
    // Qdrant answers a body it cannot deserialize with 400 and a format error.
    if (refused) return sendError(res, 400, `Format error in JSON body: ${refused}`, since);
    try {
      const result = await operation.run(options.client, request);
      res.json({ result, status: "ok", time: seconds(since) });
    } catch (error) {
      const { status, message } = failure(error);
      sendError(res, status, message, since);
    }
  };
}

export function createQdrantRestApp(options: QdrantRestOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.get(["/healthz", "/livez", "/readyz"], (_req, res) => {
    res.type("text/plain").send("healthz check passed");
  });
  app.use((req, res, next) => {
    if (!options.apiKey) {
      // Without a key only this machine may ask: a web page's DNS-rebinding trick arrives with its own Host.
      if (!isLoopbackHost(req.get("host") ?? "")) return sendError(res, 403, "Forbidden: without an API key this Folio store answers only requests addressed to localhost", started());
      return next();
    }
    const key = given(req);
    if (key && tokensEqual(key, options.apiKey)) return next();
    sendError(res, 401, key ? "Invalid api-key" : "Must provide an API key or an Authorization bearer token", started());
  });
  app.get("/", async (_req, res) => {
    res.json({ ...(await options.client.versionInfo()), folio: true });
  });
  // JSON bodies only: a browser may send text/plain or a form across sites without asking first.
  app.use((req, res, next) => {
    const hasBody = Number(req.get("content-length") ?? 0) > 0 || req.get("transfer-encoding") !== undefined;
    if (hasBody && !req.is("application/json")) return sendError(res, 415, "Unsupported media type: send the body as application/json", started());
    next();
  });
  app.use(express.json({ limit: options.maxBodyBytes, type: "application/json" }));
  for (const operation of OPERATIONS) app[operation.method](operation.path, route(operation, options));
  app.use((req, res) => {
    sendError(res, 404, `Not found: ${req.method} ${req.path} is not an operation this Folio store serves (it serves ${OPERATIONS.length} of Qdrant's: collections, payload indexes, points, query, scroll, count and facet)`, started());
  });
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === "entity.too.large") return sendError(res, 413, `Payload error: the request body is larger than the ${options.maxBodyBytes} bytes this server accepts (FOLIO_STORE_MAX_BODY_MB); send fewer points per request`, started());
    if (e.type === "entity.parse.failed") return sendError(res, 400, `Format error in JSON body: ${e.message ?? "not JSON"}`, started());
    sendError(res, e.status && e.status >= 400 && e.status < 600 ? e.status : 500, e.message ?? "Service internal error", started());
  });
  return app;
}

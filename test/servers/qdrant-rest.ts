/**
 * `folio store serve` for tests: the embedded store (in memory) behind Folio's Qdrant REST app, on
 * 127.0.0.1 and an ephemeral port, with every request body checked against Qdrant's published
 * OpenAPI document (../shared/specs/qdrant-openapi-1.19.json). A body that does not match is refused
 * as Qdrant refuses it (400, a format error) and recorded, so a test can require that whatever Folio
 * sends a Qdrant server is something a Qdrant server accepts. Legacy operations (outside the
 * document) are served and recorded apart.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { LocalQdrantClient } from "../../src/store/local/index.js";
import { createQdrantRestApp } from "../../src/server/qdrant/app.js";
import type { Operation, OperationRequest } from "../../src/server/qdrant/operations.js";
import { listenLocal } from "./listen.js";

export const QDRANT_SPEC_PATH = path.resolve(import.meta.dirname, "../../../shared/specs/qdrant-openapi-1.19.json");

interface SpecOperation {
  operationId: string;
  responses?: Record<string, { content?: { "application/json"?: { schema?: object } } }>;
  requestBody?: { content?: { "application/json"?: { schema?: object } } };
  parameters?: Array<{ name: string; in: string; schema?: object; required?: boolean }>;
}
interface Spec {
  paths: Record<string, Record<string, SpecOperation>>;
  components: { schemas: Record<string, object> };
}

export interface SpecMismatch {
  operation: string;
  errors: string;
  body: unknown;
}

/** Validators of every operation's request body and query parameters, and of its answers, from the OpenAPI document. */
export function loadRequestValidators(specPath = QDRANT_SPEC_PATH): {
  check(operation: Operation, request: OperationRequest): string | undefined;
  checkResponse(operation: Operation, status: number, body: unknown): string | undefined;
  operationIds: Set<string>;
} {
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as Spec;
  // OpenAPI 3.0 (nullable, uint formats): Ajv's draft-07 core with formats left unchecked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: "qdrant", components: jsonSchema(spec.components) });
  const bodies = new Map<string, ValidateFunction | null>();
  const queries = new Map<string, ValidateFunction>();
  const answers = new Map<string, { ok?: ValidateFunction; error?: ValidateFunction }>();
  for (const [, methods] of Object.entries(spec.paths)) {
    for (const [, op] of Object.entries(methods)) {
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      bodies.set(op.operationId, schema ? ajv.compile(rebase(jsonSchema(schema) as object)) : null);
      const schemaOf = (code: string) => op.responses?.[code]?.content?.["application/json"]?.schema;
      const ok = schemaOf("200");
      const error = schemaOf("4XX") ?? schemaOf("default");
      answers.set(op.operationId, { ...(ok ? { ok: ajv.compile(rebase(jsonSchema(ok) as object)) } : {}), ...(error ? { error: ajv.compile(rebase(jsonSchema(error) as object)) } : {}) });
      const params = (op.parameters ?? []).filter((p) => p.in === "query");
      queries.set(op.operationId, ajv.compile({ type: "object", additionalProperties: false, properties: Object.fromEntries(params.map((p) => [p.name, {}])) }));
    }
  }
  return {
    operationIds: new Set(bodies.keys()),
    checkResponse(operation, status, body) {
      const validators = answers.get(operation.id);
      const validate = status === 200 ? validators?.ok : validators?.error;
      if (!validate) return undefined;
      return validate(body) ? undefined : ajv.errorsText(validate.errors, { dataVar: "response" });
    },
    check(operation, request) {
      if (!bodies.has(operation.id)) return `${operation.id} is not an operation of Qdrant's OpenAPI document`;
      const validateQuery = queries.get(operation.id)!;
      if (!validateQuery(request.query)) return `query parameters: ${ajv.errorsText(validateQuery.errors)}`;
      const validate = bodies.get(operation.id);
      if (!validate) return Object.keys(request.body).length ? `${operation.id} takes no body` : undefined;
      return validate(request.body) ? undefined : ajv.errorsText(validate.errors, { dataVar: "body" });
    },
  };
}

/** Refs of the document ("#/components/...") made to point into the schema added as "qdrant". */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"qdrant#/components/')) as object;
}

/**
 * OpenAPI 3.0's `nullable` in JSON Schema: `type: [t, "null"]` beside a type, `anyOf [..., null]`
 * beside anything else, and a bare `{nullable: true}` (what Qdrant's generator writes for an
 * Option's None branch) is null itself.
 */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) out[key] = key === "properties" || key === "schemas" ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, jsonSchema(v)])) : jsonSchema(value);
  if (nullable !== true) return out;
  if (Object.keys(out).length === 0) return { type: "null" };
  if (typeof out.type === "string" && !out.enum) return { ...out, type: [out.type, "null"] };
  return { anyOf: [out, { type: "null" }] };
}

export interface QdrantRestTestServer {
  url: string;
  client: LocalQdrantClient;
  /** Request bodies the OpenAPI document refused. */
  mismatches: SpecMismatch[];
  /** Legacy operations served without a schema to check them by (e.g. `search_points`). */
  unchecked: string[];
  /** Answers the OpenAPI document does not allow (status, operation, what is wrong). */
  responseMismatches: Array<{ operation: string; status: number; errors: string }>;
  /** Operations served, by operationId, and how often. */
  served: Map<string, number>;
  /** Every operation in arrival order, with its query flags and body. */
  requests: Array<{ operation: string; query: Record<string, unknown>; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startQdrantRestServer(options: { apiKey?: string; maxBodyBytes?: number; path?: string } = {}): Promise<QdrantRestTestServer> {
  const client = new LocalQdrantClient({ path: options.path ?? ":memory:" });
  const validators = loadRequestValidators();
  const mismatches: SpecMismatch[] = [];
  const unchecked: string[] = [];
  const responseMismatches: QdrantRestTestServer["responseMismatches"] = [];
  const served = new Map<string, number>();
  const requests: QdrantRestTestServer["requests"] = [];
  const app = createQdrantRestApp({
    client,
    maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    observeResponse(operation, status, body) {
      if (operation.legacy && !validators.operationIds.has(operation.id)) return;
      const wrong = validators.checkResponse(operation, status, body);
      if (wrong) responseMismatches.push({ operation: operation.id, status, errors: wrong });
    },
    checkRequest(operation, request) {
      served.set(operation.id, (served.get(operation.id) ?? 0) + 1);
      requests.push({ operation: operation.id, query: { ...request.query }, body: request.body });
      if (operation.legacy && !validators.operationIds.has(operation.id)) {
        unchecked.push(operation.id);
        return undefined;
      }
      const refused = validators.check(operation, request);
      if (refused) mismatches.push({ operation: operation.id, errors: refused, body: request.body });
      return refused;
    },
  });
  const listener = await listenLocal(http.createServer(app));
  return {
    url: listener.origin,
    client,
    mismatches,
    unchecked,
    responseMismatches,
    served,
    requests,
    close: async () => {
      await listener.close();
      await client.close();
    },
  };
}

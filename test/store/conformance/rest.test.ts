/**
 * The conformance suite through the official QdrantClient over HTTP, against `folio store serve`'s
 * REST app on the embedded engine, with every request body checked against Qdrant's OpenAPI document.
 */
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, expect, it } from "vitest";
import { OPERATIONS } from "../../../src/server/qdrant/operations.js";
import { loadRequestValidators, startQdrantRestServer, type QdrantRestTestServer } from "../../servers/qdrant-rest.js";
import { conformanceSuite } from "./suite.js";

const servers: QdrantRestTestServer[] = [];

conformanceSuite("Folio's Qdrant REST server (folio store serve), over HTTP", async () => {
  const server = await startQdrantRestServer();
  servers.push(server);
  return { client: new QdrantClient({ url: server.url, checkCompatibility: false }), close: () => server.close() };
});

it("sent only requests that Qdrant's OpenAPI document accepts, but the one it sends wrong on purpose", () => {
  expect(servers.length).toBeGreaterThan(0);
  // The suite upserts id -1 to see it refused; the schema (ids are unsigned or UUIDs) is what refuses it here.
  expect(servers.flatMap((s) => s.mismatches.map((m) => [m.operation, JSON.stringify(m.body)]))).toEqual([["upsert_points", JSON.stringify({ points: [{ id: -1, vector: [1, 0] }] })]]);
  // The legacy search test is the only user of the operations outside the document.
  expect(new Set(servers.flatMap((s) => s.unchecked))).toEqual(new Set(["search_points"]));
});

it("answered only in the shapes Qdrant's OpenAPI document gives its answers", () => {
  expect(servers.flatMap((s) => s.responseMismatches)).toEqual([]);
});

afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
});

it("has a checker that does refuse what the document does not allow", () => {
  const v = loadRequestValidators();
  const op = (id: string) => OPERATIONS.find((o) => o.id === id)!;
  expect(v.check(op("upsert_points"), { params: {}, query: {}, body: { points: [{ id: 1.5, vector: [1] }] } })).toBeTruthy();
  expect(v.check(op("upsert_points"), { params: {}, query: { wait: "true", bogus: "1" }, body: { points: [{ id: 1, vector: [1] }] } })).toContain("query parameters");
  expect(v.check(op("query_points"), { params: {}, query: {}, body: { query: [1, 0], limit: 3 } })).toBeUndefined();
  expect(v.checkResponse(op("query_points"), 200, { result: { points: [{ id: 1, version: 0, score: "high" }] }, status: "ok", time: 0 })).toContain("score must be number");
  expect(v.checkResponse(op("get_collection"), 404, { status: { error: "Not found" }, time: 0 })).toBeUndefined();
});

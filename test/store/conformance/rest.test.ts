/**
 * The conformance suite through the official QdrantClient over HTTP, against `folio store serve`'s
 * REST app on the embedded engine, with every request body checked against Qdrant's OpenAPI document.
 */
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, expect, it } from "vitest";
import { startQdrantRestServer, type QdrantRestTestServer } from "../../servers/qdrant-rest.js";
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

afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
});

import { describe, it } from "vitest";
import { QdrantClient } from "@qdrant/js-client-rest";
import { conformanceSuite } from "./suite.js";

const url = process.env.QDRANT_URL;

if (url) {
  conformanceSuite(`Qdrant server at ${new URL(url).host}`, async () => {
    const client = new QdrantClient({ url, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false });
    return { client, close: async () => undefined };
  });
} else {
  describe("Qdrant conformance: real server", () => {
    it.skip("skipped: set QDRANT_URL (and QDRANT_API_KEY if needed) to run the same suite against a Qdrant server", () => undefined);
  });
}

/**
 * For the "store over REST" project: one `folio store serve` test server (the embedded engine in
 * memory, request bodies checked against Qdrant's OpenAPI document) for every test file, which
 * reach it as QDRANT_URL. A body the document refuses fails the test that sent it (400) and,
 * at the end, the run; so does an answer of the server that the document does not allow.
 */
import type { TestProject } from "vitest/node";
import { startQdrantRestServer } from "../../servers/qdrant-rest.js";

declare module "vitest" {
  export interface ProvidedContext {
    qdrantRestUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startQdrantRestServer();
  project.provide("qdrantRestUrl", server.url);
  return async () => {
    await server.close();
    const problems = [
      ...server.mismatches.map((m) => `${m.operation}: ${m.errors} in ${JSON.stringify(m.body).slice(0, 300)}`),
      ...server.unchecked.map((id) => `${id}: a legacy operation outside Qdrant's OpenAPI document`),
      ...server.responseMismatches.map((m) => `${m.operation} answered ${m.status} in a shape Qdrant's OpenAPI document does not allow: ${m.errors}`),
    ];
    if (!problems.length) return;
    // Vitest reports an error thrown here but still exits 0: set the exit code as well.
    process.exitCode = 1;
    throw new Error(`Folio sent requests a Qdrant server would refuse:\n${problems.join("\n")}`);
  };
}

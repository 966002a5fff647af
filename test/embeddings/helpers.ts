/** Shared bits of the embeddings tests: tiny images, an image HTTP server, a client factory. */
import http from "node:http";
import { JinaEmbeddings, type JinaEmbeddingsOptions } from "../../src/embeddings/index.js";

import { listenLocal } from "../servers/listen.js";

export { cosine } from "../helpers/vectors.js";

/** A valid 1x1 PNG; variants differ in trailing bytes (the test server hashes all bytes). */
export const PNG_1X1 = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
export function pngVariant(n: number): Buffer {
  return Buffer.concat([PNG_1X1, Buffer.from(`variant-${n}`)]);
}

export const TEST_KEY = "jina_testkey0123456789abcdefXYZ";

export function client(url: string, options: JinaEmbeddingsOptions = {}): JinaEmbeddings {
  return new JinaEmbeddings({ baseUrl: url, apiKey: TEST_KEY, dimensions: 256, backoffBaseMs: 5, backoffMaxMs: 50, timeout: 5_000, onWarning: () => {}, ...options });
}

export function expectClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > tolerance) throw new Error(`value ${i}: ${actual[i]} != ${expected[i]}`);
  }
}

/** Serves `files` (path -> bytes) over HTTP on 127.0.0.1. */
export async function startFileServer(files: Record<string, Buffer>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body = files[req.url ?? ""];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "image/png" }).end(body);
  });
  const listener = await listenLocal(server);
  return { url: listener.origin, close: listener.close };
}

/** Error thrown by `fn`, or a failure when none. */
export async function caught(fn: () => Promise<unknown>): Promise<Error & { code?: string; hint?: string; status?: number; inputIndex?: number }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: string; hint?: string };
  }
  throw new Error("expected an error");
}

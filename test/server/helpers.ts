/**
 * Shared helpers for the server tests (and the web test): temp homes, the config (served on
 * 127.0.0.1 port 0), the real store filled with the test corpus (test/helpers/corpus.ts), the real
 * answerer, and the real app.
 */
import { createAnswerer } from "../../src/chat/index.js";
import type { Answerer } from "../../src/chat/types.js";
import { imageSearchAvailable, type FolioConfig } from "../../src/config.js";
import { createEmbeddings } from "../../src/embeddings/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { openFolioStore } from "../../src/store/index.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { fillCorpus, type Corpus } from "../helpers/corpus.js";
import { testConfig as baseTestConfig } from "../helpers/config.js";
import { tempDir } from "../helpers/tmp.js";

export { savePng, type Corpus } from "../helpers/corpus.js";
export { removeDir } from "../helpers/tmp.js";

export async function tempHome(prefix = "server"): Promise<string> {
  return tempDir(prefix);
}

/** testConfig (empty environment plus overrides) listening on 127.0.0.1 port 0, plus server overrides. */
export function testConfig(home: string, env: Record<string, string | number> = {}, server: Partial<FolioConfig["server"]> = {}): FolioConfig {
  const base = baseTestConfig(home, env);
  return { ...base, server: { ...base.server, host: "127.0.0.1", port: 0, ...server } };
}

export interface TestServer {
  url: string;
  config: FolioConfig;
  store: FolioStoreApi;
  answerer: Answerer;
  server: RunningServer;
  logs: string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  home: string;
  env?: Record<string, string | number>;
  server?: Partial<FolioConfig["server"]>;
  /** Fill the store with the two papers (default true). */
  fill?: boolean;
  imageSearchAvailable?: boolean;
  /** The clock chat sessions expire by (default Date.now). */
  now?: () => number;
}

/** The real store, the real answerer and the real app, listening on 127.0.0.1:0. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer & { corpus?: Corpus }> {
  const config = testConfig(options.home, options.env, options.server);
  // Jina when the env names an endpoint (JINA_BASE_URL of the Jina test server), else BM25 only.
  const store = await openFolioStore(config, createEmbeddings(config));
  const corpus = options.fill === false ? undefined : await fillCorpus(store, config);
  const answerer = createAnswerer(config, store);
  const logs: string[] = [];
  const server = await startServer({
    config,
    store,
    answerer,
    imageSearchAvailable: options.imageSearchAvailable ?? imageSearchAvailable(config),
    log: (m) => logs.push(m),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    url: server.url,
    config,
    store,
    answerer,
    server,
    logs,
    corpus,
    async close() {
      await server.close();
      await store.close();
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a whole text/event-stream body into its events, in order. */
export async function readSse(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    events.push({ event, data: JSON.parse(data.join("\n")) as unknown });
  }
  return events;
}

/** A 1x1 PNG as a data URI. */
export const TINY_PNG_DATA_URI =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/**
 * `folio store serve`: the embedded store on a port, speaking Qdrant's REST API, so any Qdrant client
 * and other Folio processes (QDRANT_URL=http://this-host:6333) share one store.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../../errors.js";
import { LocalQdrantClient } from "../../store/local/index.js";
import { createQdrantRestApp } from "./app.js";
import { isLoopback } from "./loopback.js";

export { createQdrantRestApp, type QdrantRestOptions } from "./app.js";
export { OPERATIONS, type Operation, type OperationRequest } from "./operations.js";
export { isLoopback, isLoopbackHost } from "./loopback.js";

export interface StoreServerOptions {
  /** The embedded store's folder. */
  path: string;
  host: string;
  port: number;
  apiKey?: string;
  maxBodyBytes: number;
  readOnly?: boolean;
}

export interface RunningStoreServer {
  url: string;
  close(): Promise<void>;
}

export async function startStoreServer(options: StoreServerOptions): Promise<RunningStoreServer> {
  if (!isLoopback(options.host) && !options.apiKey) {
    throw new ConfigError(`Refusing to serve the store on ${options.host} without an API key: anyone on the network could read and change it.`, "Set FOLIO_STORE_API_KEY (or --api-key), or listen on 127.0.0.1.");
  }
  const client = new LocalQdrantClient({ path: options.path });
  const app = createQdrantRestApp({ client, maxBodyBytes: options.maxBodyBytes, ...(options.apiKey ? { apiKey: options.apiKey } : {}), ...(options.readOnly ? { readOnly: true } : {}) });
  const server = http.createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    await client.close();
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(`Cannot listen on ${options.host}:${options.port} (${String(code)}).`, "Another program (a Qdrant server?) uses that port, or the address is not this machine's: pick another with --port / FOLIO_STORE_PORT or --host / FOLIO_STORE_HOST.");
  }
  const { port, address } = server.address() as AddressInfo;
  // A host name (localhost included) is checked by where it really listens.
  if (!options.apiKey && !isLoopback(address)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await client.close();
    throw new ConfigError(`Refusing to serve the store on ${options.host} (${address}) without an API key: it is not this machine's loopback address.`, "Set FOLIO_STORE_API_KEY (or --api-key), or listen on 127.0.0.1.");
  }
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
    },
  };
}

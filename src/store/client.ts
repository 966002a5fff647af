/**
 * The Qdrant client Folio talks to: a Qdrant server when QDRANT_URL is set, else the embedded
 * Qdrant-compatible local store. Both are `QdrantClient`s, so everything above this file is the same.
 */
import { QdrantClient } from "@qdrant/js-client-rest";
import type { FolioConfig } from "../config.js";
import { FolioError, InputError, StoreError } from "../errors.js";
import { redact } from "../util/redact.js";
import { errorDetail, errorStatus, isConnectionFailure } from "./client-errors.js";
import { LocalQdrantClient } from "./local/index.js";
import { ServerQdrantClient } from "./server-client.js";

export { errorDetail, errorStatus } from "./client-errors.js";

export const QDRANT_SERVER_HINT = "Check QDRANT_URL (and QDRANT_API_KEY), or start a server with `docker run -p 6333:6333 qdrant/qdrant`; unset QDRANT_URL to use the embedded store.";

export function createQdrantClient(config: FolioConfig): QdrantClient {
  if (config.qdrant.mode === "embedded") return new LocalQdrantClient({ path: config.qdrant.path });
  // No compatibility probe (ServerQdrantClient): it would fire a request (and a console warning) before we can report errors our way.
  const { cluster } = config.qdrant;
  return new ServerQdrantClient({ url: config.qdrant.url, ...(config.qdrant.apiKey ? { apiKey: config.qdrant.apiKey } : {}), readRetries: cluster.readRetries, ordering: cluster.replicas > 1 ? "strong" : "weak" });
}

/** Closes the embedded store (a server client holds nothing to close). */
export async function closeClient(client: QdrantClient): Promise<void> {
  if (client instanceof LocalQdrantClient) await client.close();
}

/** Holds the embedded store against other writers (an ingest between two pages of an export); a server orders writes itself. */
export async function holdForWriting(client: QdrantClient, config: FolioConfig, label: string): Promise<() => void> {
  if (!(client instanceof LocalQdrantClient) || config.qdrant.mode !== "embedded") return () => undefined;
  return client.lockForWriting({ label, timeoutMs: config.qdrant.writerWaitMs });
}

/** Whether the client is the embedded local store (and not a server). */
export function isLocalClient(client: QdrantClient): boolean {
  return client instanceof LocalQdrantClient;
}

/**
 * Turns whatever a Qdrant call threw into a typed FolioError with secrets removed.
 * FolioErrors (e.g. from the local store) pass through unchanged.
 */
export function toStoreError(error: unknown, config: FolioConfig, action: string): FolioError {
  if (error instanceof FolioError) return error;
  const where = config.qdrant.mode === "server" ? `the Qdrant server at ${config.qdrant.url}` : `the embedded store at ${config.qdrant.path}`;
  if (config.qdrant.mode === "server" && isConnectionFailure(error)) {
    return new StoreError(redact(`Cannot reach ${where} (${action}).`, config.secrets), QDRANT_SERVER_HINT, error);
  }
  const status = errorStatus(error);
  if (status === 401 || status === 403) {
    return new StoreError(redact(`${where} refused the request (${action}): HTTP ${status}.`, config.secrets), "Check QDRANT_API_KEY.", error);
  }
  const detail = redact(errorDetail(error), config.secrets);
  // The server rejected what we asked for (a malformed raw filter, a bad id): the caller's input, not the store.
  if (status === 400 || status === 422) {
    return new InputError(`Qdrant rejected the ${action} request: ${detail}`, "Check the filter or ids you passed (--filter / the API's filters.qdrant take a Qdrant filter on metadata.<field>).", error);
  }
  return new StoreError(`Qdrant ${action} failed on ${redact(where, config.secrets)}: ${detail}`, config.qdrant.mode === "server" ? QDRANT_SERVER_HINT : "Check FOLIO_HOME is writable; `folio reset` rebuilds the embedded store.", error);
}

/** One cheap call that fails with a clear StoreError when the server cannot be reached. */
export async function verifyConnection(client: QdrantClient, config: FolioConfig): Promise<void> {
  try {
    await client.getCollections();
  } catch (error) {
    throw toStoreError(error, config, "connect");
  }
}

/**
 * Errors the local client throws. Bad input is reported like the REST client reports a server's
 * answer (an error with `status`, `statusText` and `data.status.error`), so callers that handle a
 * real server's 400/404 handle these the same way.
 */
import { FolioError } from "../../errors.js";

export interface QdrantErrorBody {
  status: { error: string };
  time: number;
}

/** Same fields as the ApiError the REST client throws for a non-2xx answer. */
export class LocalQdrantApiError extends Error {
  readonly status: number;
  readonly statusText: string;
  readonly data: QdrantErrorBody;
  readonly headers: Headers;
  readonly url: string;

  constructor(status: number, statusText: string, error: string, url = "local://qdrant") {
    super(error);
    this.name = "LocalQdrantApiError";
    this.status = status;
    this.statusText = statusText;
    this.data = { status: { error }, time: 0 };
    this.headers = new Headers();
    this.url = url;
  }
}

/** 400, "Wrong input: ..." as the server words it. */
export function wrongInput(message: string): LocalQdrantApiError {
  return new LocalQdrantApiError(400, "Bad Request", `Wrong input: ${message}`);
}

/** 400, "Bad request: ..." (a request that is well-formed but not meaningful). */
export function badRequest(message: string): LocalQdrantApiError {
  return new LocalQdrantApiError(400, "Bad Request", `Bad request: ${message}`);
}

/** 400 for a request body the server could not even parse. */
export function formatError(message: string): LocalQdrantApiError {
  return new LocalQdrantApiError(400, "Bad Request", `Format error in JSON body: ${message}`);
}

export function notFound(message: string): LocalQdrantApiError {
  return new LocalQdrantApiError(404, "Not Found", `Not found: ${message}`);
}

export function collectionNotFound(name: string): LocalQdrantApiError {
  return notFound(`Collection \`${name}\` doesn't exist!`);
}

/** Another process holds the embedded store. */
export class StoreLockedError extends FolioError {
  readonly path: string;
  constructor(path: string, holder: string) {
    super(
      "STORE_LOCKED",
      `The embedded store at ${path} is being written by another process (${holder}), and it did not finish in time.`,
      "Wait for that process to finish (or stop it) and run this again; raise FOLIO_WRITER_WAIT_SECONDS to wait longer; or point both at a Qdrant server with QDRANT_URL.",
    );
    this.path = path;
  }
}

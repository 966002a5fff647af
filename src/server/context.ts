/** What the routes share: the parts Folio runs on plus the server's own state. */
import path from "node:path";
import type { Answerer, Citation } from "../chat/types.js";
import type { FolioConfig } from "../config.js";
import type { FolioStoreApi } from "../store/types.js";
import { HttpError } from "./http-errors.js";
import { resolveImage, type ResolvedImage } from "./image-input.js";
import type { ServerLogger } from "./middleware/errors.js";
import type { SessionStore } from "./sessions.js";

export interface ServerDeps {
  config: FolioConfig;
  store: FolioStoreApi;
  answerer: Answerer;
  /** Whether the embeddings can embed images (Jina's format); image queries are refused otherwise. */
  imageSearchAvailable: boolean;
  /** Where server-side errors (5xx) are logged, already redacted. Default: stderr. */
  log?: ServerLogger;
  /** The clock chat sessions expire by (ms). Default: Date.now. */
  now?: () => number;
}

export interface ServerContext extends ServerDeps {
  sessions: SessionStore;
  log: ServerLogger;
}

export const IMAGE_SEARCH_UNAVAILABLE_MESSAGE = "Image search needs Jina embeddings: set JINA_API_KEY, or JINA_BASE_URL to a self-hosted Jina endpoint.";

function imageSearchUnavailable(): HttpError {
  return new HttpError(
    422,
    "UNSUPPORTED",
    IMAGE_SEARCH_UNAVAILABLE_MESSAGE,
    "This server runs with local BM25 (text only). Restart it with JINA_API_KEY (https://jina.ai/embeddings) or a self-hosted JINA_BASE_URL in Jina's format, re-ingest, then ask with an image; or ask in words.",
  );
}

/** The `image` of a request as bytes; refused (422) when the embeddings cannot search by image. */
export async function requestImage(ctx: ServerContext, image: string, signal?: AbortSignal): Promise<ResolvedImage> {
  if (!ctx.imageSearchAvailable) throw imageSearchUnavailable();
  return resolveImage(image, { allowHosts: ctx.config.server.fetchAllowHosts, maxBytes: ctx.config.server.maxBodyBytes, ...(signal ? { signal } : {}) });
}

/** URL of the PNG behind a page or figure, served by routes/images.ts. */
export function imageUrlFor(kind: string, imageId: string | undefined): string | undefined {
  if (!imageId) return undefined;
  return kind === "page" ? `/pages/${imageId}` : `/figures/${imageId}`;
}

export type HttpCitation = Citation & { imageUrl?: string };

/** A source as a client may see it: a URL as it is, a file by its name (where it lies on the server is not the client's business). */
export function shownSource(source: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : path.basename(source);
}

export function toHttpCitation(citation: Citation): HttpCitation {
  const imageUrl = imageUrlFor(citation.kind, citation.imageId);
  const shown = { ...citation, source: shownSource(citation.source) };
  return imageUrl ? { ...shown, imageUrl } : shown;
}

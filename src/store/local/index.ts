/**
 * Folio's embedded, Qdrant-compatible local mode.
 *
 *   const client = new LocalQdrantClient({ path: "/home/me/.folio/qdrant" }); // or { path: ":memory:" }
 *   await client.createCollection("papers", { vectors: { dense: { size: 1024, distance: "Cosine" } }, sparse_vectors: { bm25: { modifier: "idf" } } });
 *   await client.upsert("papers", { wait: true, points: [{ id: 1, vector: { dense, bm25: { indices, values } }, payload }] });
 *   const { points } = await client.query("papers", { prefetch: [...], query: { fusion: "rrf" }, limit: 10 });
 *   await client.close();
 *
 * It is a QdrantClient (code typed against the REST client, including @langchain/qdrant, takes it
 * unchanged), answers like a Qdrant server with exact search, persists in LMDB with read-optimised
 * segment files, and is shared by any number of processes (each sees the others' commits on its
 * next call; `lockForWriting` makes long runs of writes take turns, StoreLockedError on timeout).
 * Calls it does not implement throw UnsupportedFeatureError suggesting QDRANT_URL; bad input throws
 * LocalQdrantApiError with the REST client's error shape (status 400 / 404 / 409, data.status.error).
 */
export { LocalQdrantClient, type LocalQdrantClientOptions } from "./client.js";
export { LocalQdrantApiError, StoreLockedError } from "./errors.js";
export { normalizeId, type PointId } from "./ids.js";

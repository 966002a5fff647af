export { LocalQdrantClient, type LocalQdrantClientOptions } from "./client.js";
export { LocalQdrantApiError, StoreLockedError } from "./errors.js";
export { normalizeId, type PointId } from "./ids.js";

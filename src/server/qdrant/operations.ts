/**
 * The operations of Qdrant's REST API (v1.19's OpenAPI document) that the embedded store serves,
 * each mapped to the `QdrantClient` method that the JS client would call for it. The JS client turns
 * `method(name, {...flags, ...body})` into `PATH?flags` + `body`; this table undoes that, so any Qdrant
 * client that speaks REST (JS, Python, curl; not the gRPC-only Rust and Go clients) gets the
 * embedded engine's answers.
 */
import type { QdrantClient } from "@qdrant/js-client-rest";

export interface OperationRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface Operation {
  /** Qdrant's operationId, as in its OpenAPI document. */
  id: string;
  method: "get" | "put" | "post" | "patch" | "delete";
  /** Express path, with Qdrant's `{name}` parameters written `:name`. */
  path: string;
  /** Whether the operation changes the store (refused on a read-only server). */
  writes: boolean;
  /** Gone from the current OpenAPI document but still sent by clients of the 1.x line (the JS client's `search`). */
  legacy?: true;
  run(client: QdrantClient, request: OperationRequest): Promise<unknown>;
}

/** Query flags the engine honours, typed as the client methods take them. */
function writeFlags(query: Record<string, unknown>): { wait: boolean; ordering?: "weak" | "medium" | "strong" } {
  const ordering = query.ordering;
  return { wait: query.wait === "true" || query.wait === true, ...(ordering === "weak" || ordering === "medium" || ordering === "strong" ? { ordering } : {}) };
}

/** A point id from the path: an unsigned integer or a UUID string, as Qdrant reads it. */
function pathPointId(raw: string): number | string {
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

type Args<M extends keyof QdrantClient> = QdrantClient[M] extends (name: string, args: infer A, ...rest: never[]) => unknown ? A : never;

/** `method(name, {...flags, ...body})`, the shape of most points and collection calls. */
function collectionCall<M extends keyof QdrantClient>(method: M, flags: (q: Record<string, unknown>) => object = () => ({})) {
  return (client: QdrantClient, r: OperationRequest): Promise<unknown> => {
    const call = client[method] as unknown as (name: string, args: Args<M>) => Promise<unknown>;
    return call.call(client, collectionName(r), { ...r.body, ...flags(r.query) } as Args<M>);
  };
}

function collectionName(r: OperationRequest): string {
  return r.params.collection_name ?? "";
}

const write = (id: string, method: Operation["method"], path: string, call: keyof QdrantClient): Operation => ({ id, method, path, writes: true, run: collectionCall(call, writeFlags) });
const read = (id: string, method: Operation["method"], path: string, call: keyof QdrantClient): Operation => ({ id, method, path, writes: false, run: collectionCall(call) });

const C = "/collections/:collection_name";

export const OPERATIONS: readonly Operation[] = [
  { id: "get_collections", method: "get", path: "/collections", writes: false, run: (c) => c.getCollections() },
  { id: "get_collection", method: "get", path: C, writes: false, run: (c, r) => c.getCollection(collectionName(r)) },
  { id: "collection_exists", method: "get", path: `${C}/exists`, writes: false, run: (c, r) => c.collectionExists(collectionName(r)) },
  { id: "create_collection", method: "put", path: C, writes: true, run: (c, r) => c.createCollection(collectionName(r), r.body as Args<"createCollection">) },
  { id: "update_collection", method: "patch", path: C, writes: true, run: (c, r) => c.updateCollection(collectionName(r), r.body as Args<"updateCollection">) },
  { id: "delete_collection", method: "delete", path: C, writes: true, run: (c, r) => c.deleteCollection(collectionName(r)) },
  write("create_field_index", "put", `${C}/index`, "createPayloadIndex"),
  {
    id: "delete_field_index",
    method: "delete",
    path: `${C}/index/:field_name`,
    writes: true,
    run: (c, r) => c.deletePayloadIndex(collectionName(r), r.params.field_name ?? "", writeFlags(r.query)),
  },
  {
    id: "get_point",
    method: "get",
    path: `${C}/points/:id`,
    writes: false,
    run: async (c, r) => {
      const [point] = await c.retrieve(collectionName(r), { ids: [pathPointId(r.params.id ?? "")], with_payload: true, with_vector: true });
      if (!point) throw new PointNotFound(r.params.id ?? "");
      return point;
    },
  },
  read("get_points", "post", `${C}/points`, "retrieve"),
  write("upsert_points", "put", `${C}/points`, "upsert"),
  write("delete_points", "post", `${C}/points/delete`, "delete"),
  write("update_vectors", "put", `${C}/points/vectors`, "updateVectors"),
  write("delete_vectors", "post", `${C}/points/vectors/delete`, "deleteVectors"),
  write("set_payload", "post", `${C}/points/payload`, "setPayload"),
  write("overwrite_payload", "put", `${C}/points/payload`, "overwritePayload"),
  write("delete_payload", "post", `${C}/points/payload/delete`, "deletePayload"),
  write("clear_payload", "post", `${C}/points/payload/clear`, "clearPayload"),
  read("scroll_points", "post", `${C}/points/scroll`, "scroll"),
  read("count_points", "post", `${C}/points/count`, "count"),
  read("facet", "post", `${C}/facet`, "facet"),
  read("query_points", "post", `${C}/points/query`, "query"),
  read("query_batch_points", "post", `${C}/points/query/batch`, "queryBatch"),
  read("query_points_groups", "post", `${C}/points/query/groups`, "queryGroups"),
  { ...read("search_points", "post", `${C}/points/search`, "search"), legacy: true },
  { ...read("search_batch_points", "post", `${C}/points/search/batch`, "searchBatch"), legacy: true },
];

/** Qdrant's 404 for a point id that is not in the collection. */
export class PointNotFound extends Error {
  constructor(readonly id: string) {
    super(`No point with id ${id} found`);
  }
}

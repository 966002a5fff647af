/**
 * The Folio collection: named vectors `dense` (Jina, Cosine), `multivector` (late interaction,
 * re-scoring only) and the sparse `bm25` (IDF applied by Qdrant), payload `{content, metadata}`,
 * plus a small `<collection>_documents` collection holding one registry record per document.
 */
import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { MULTIVECTOR_SIZE, type FolioConfig, type QdrantClusterSettings } from "../config.js";
import type { MultimodalEmbeddings } from "../embeddings/types.js";
import { FolioError, StoreError } from "../errors.js";
import { errorDetail, errorStatus } from "./client.js";

export const DENSE_VECTOR = "dense";
export const MULTI_VECTOR = "multivector";
export const SPARSE_VECTOR = "bm25";

/** Payload fields with an index (filters stay fast on a server). */
export const PAYLOAD_INDEXES: ReadonlyArray<{ field: string; schema: Schemas["PayloadSchemaType"] }> = [
  { field: "metadata.docId", schema: "keyword" },
  { field: "metadata.kind", schema: "keyword" },
  { field: "metadata.page", schema: "integer" },
  { field: "metadata.year", schema: "integer" },
  // every search leaves references out by default: the filter reads this index, not the payloads
  { field: "metadata.references", schema: "bool" },
  // removing a document's images asks whether any other point still uses each one
  { field: "metadata.imageId", schema: "keyword" },
  { field: "metadata.lang", schema: "keyword" },
  // a paper filter also takes the figures stored as images of their own
  { field: "metadata.paperId", schema: "keyword" },
];

/** Which named vectors a collection has. */
export interface CollectionLayout {
  /** Dense size, or null when there are no dense embeddings (BM25 only). */
  dense: number | null;
  multivector: boolean;
}

/** The layout the current embedding setup needs. */
export function layoutFor(config: FolioConfig, embeddings: MultimodalEmbeddings | null): CollectionLayout {
  if (!embeddings) return { dense: null, multivector: false };
  const multivector = config.embeddings.mode === "jina" && config.embeddings.multivector && embeddings.supportsMultiVector;
  return { dense: embeddings.dimensions, multivector };
}

export function describeLayout(layout: CollectionLayout): string {
  const parts = [layout.dense === null ? null : `dense(${layout.dense})`, layout.multivector ? "multivector" : null, "bm25"];
  return parts.filter(Boolean).join(" + ");
}

export function documentsCollectionName(collection: string): string {
  return `${collection}_documents`;
}

/** Raised when a collection was made with another embedding setup: mixing would give wrong answers. */
export class VectorConfigMismatchError extends StoreError {
  readonly existing: CollectionLayout | null;
  readonly wanted: CollectionLayout;

  constructor(collection: string, existing: CollectionLayout | null, wanted: CollectionLayout, detail: string) {
    super(
      `The collection "${collection}" was created for ${existing ? describeLayout(existing) : "another vector setup"}, but the current embedding setup needs ${describeLayout(wanted)} (${detail}).`,
      `Re-ingest into a new collection (set FOLIO_COLLECTION=<new name>), or run \`folio reset\` to drop "${collection}" and ingest again; or restore the embedding settings it was built with.`,
    );
    this.existing = existing;
    this.wanted = wanted;
  }
}

/** Scalar int8 quantization kept in RAM; the float originals stay (on disk, with FOLIO_QDRANT_ON_DISK) for rescoring. */
export const INT8_QUANTIZATION: Schemas["QuantizationConfig"] = { scalar: { type: "int8", quantile: 0.99, always_ram: true } };

/** How a collection is laid out on a server's nodes: only for collections Folio creates on a server. */
export type ClusterLayout = Pick<QdrantClusterSettings, "shards" | "replicas" | "writeConsistency" | "onDisk" | "quantization">;

/** The parts of a create-collection request that place it on a cluster. */
export function clusterRequest(cluster: ClusterLayout): Pick<Schemas["CreateCollection"], "shard_number" | "replication_factor" | "write_consistency_factor" | "on_disk_payload" | "quantization_config"> {
  return {
    shard_number: cluster.shards,
    replication_factor: cluster.replicas,
    write_consistency_factor: cluster.writeConsistency,
    on_disk_payload: cluster.onDisk,
    ...(cluster.quantization === "int8" ? { quantization_config: INT8_QUANTIZATION } : {}),
  };
}

export function createCollectionRequest(layout: CollectionLayout, multivectorDatatype: Schemas["Datatype"] | null, cluster?: ClusterLayout): Schemas["CreateCollection"] {
  const vectors: Record<string, Schemas["VectorParams"]> = {};
  const onDisk = cluster?.onDisk ? { on_disk: true } : {};
  if (layout.dense !== null) vectors[DENSE_VECTOR] = { size: layout.dense, distance: "Cosine", ...onDisk };
  if (layout.multivector) {
    vectors[MULTI_VECTOR] = {
      size: MULTIVECTOR_SIZE,
      distance: "Cosine",
      multivector_config: { comparator: "max_sim" },
      // Only used to re-score candidates: no HNSW graph needed.
      hnsw_config: { m: 0 },
      ...(multivectorDatatype ? { datatype: multivectorDatatype } : {}),
      ...onDisk,
    };
  }
  const sparse: Schemas["SparseVectorParams"] = { modifier: "idf", ...(cluster?.onDisk ? { index: { on_disk: true } } : {}) };
  return { vectors, sparse_vectors: { [SPARSE_VECTOR]: sparse }, ...(cluster ? clusterRequest(cluster) : {}) };
}

/** Reads the layout of an existing collection; null when it is not a Folio collection (e.g. one unnamed vector). */
export function layoutOf(info: Schemas["CollectionInfo"]): { layout: CollectionLayout | null; problems: string[] } {
  const params = info.config.params;
  const problems: string[] = [];
  const vectors = params.vectors ?? {};
  if (typeof (vectors as { size?: unknown }).size === "number") {
    return { layout: null, problems: ["it has one unnamed vector, not Folio's named vectors"] };
  }
  const named = vectors as Record<string, Schemas["VectorParams"] | undefined>;
  const dense = named[DENSE_VECTOR];
  const multi = named[MULTI_VECTOR];
  const sparse = params.sparse_vectors?.[SPARSE_VECTOR];
  if (!sparse) problems.push(`it has no sparse "${SPARSE_VECTOR}" vector`);
  else if (sparse.modifier !== "idf") problems.push(`its "${SPARSE_VECTOR}" vector has no IDF modifier`);
  if (dense && dense.distance !== "Cosine") problems.push(`its dense vector uses ${dense.distance}, not Cosine`);
  if (multi && (multi.size !== MULTIVECTOR_SIZE || !multi.multivector_config)) problems.push("its multivector is not a 128-d max_sim multi-vector");
  return { layout: { dense: dense ? dense.size : null, multivector: Boolean(multi) }, problems };
}

/**
 * Checks an existing collection against the current setup. Dense present in the collection but
 * absent now is allowed for reading (BM25 still works); `forWrite` refuses it, since new points
 * would lack the dense vector.
 */
export function checkLayout(collection: string, info: Schemas["CollectionInfo"], wanted: CollectionLayout, forWrite: boolean): CollectionLayout {
  const { layout, problems } = layoutOf(info);
  if (!layout) throw new VectorConfigMismatchError(collection, null, wanted, problems.join("; "));
  if (problems.length) throw new VectorConfigMismatchError(collection, layout, wanted, problems.join("; "));
  if (wanted.dense !== null && layout.dense === null) {
    throw new VectorConfigMismatchError(collection, layout, wanted, "it was built with BM25 only and has no dense vectors");
  }
  if (wanted.dense !== null && layout.dense !== null && wanted.dense !== layout.dense) {
    throw new VectorConfigMismatchError(collection, layout, wanted, `its dense vectors have ${layout.dense} dimensions, the embeddings give ${wanted.dense}`);
  }
  if (wanted.multivector && !layout.multivector) {
    throw new VectorConfigMismatchError(collection, layout, wanted, "it has no multivector, and FOLIO_MULTIVECTOR is on");
  }
  if (forWrite && wanted.dense === null && layout.dense !== null) {
    throw new VectorConfigMismatchError(collection, layout, wanted, "it has dense vectors but no embeddings are configured (set JINA_API_KEY or JINA_BASE_URL as when it was built)");
  }
  return layout;
}

export async function collectionExists(client: QdrantClient, name: string): Promise<boolean> {
  return (await client.collectionExists(name)).exists;
}

/** Collection info, or null when it does not exist. */
export async function getCollectionInfo(client: QdrantClient, name: string): Promise<Schemas["CollectionInfo"] | null> {
  try {
    return await client.getCollection(name);
  } catch (error) {
    if (errorStatus(error) === 404) return null;
    throw error;
  }
}

async function createWithFallback(client: QdrantClient, name: string, layout: CollectionLayout, cluster: ClusterLayout | undefined): Promise<void> {
  if (layout.multivector) {
    try {
      // float16 halves the size of the (large) multi-vectors; some servers or the embedded store may refuse it.
      await client.createCollection(name, createCollectionRequest(layout, "float16", cluster));
      return;
    } catch (error) {
      const status = errorStatus(error);
      const unsupported = (error instanceof FolioError && error.code === "UNSUPPORTED") || status === 400 || status === 422;
      if (!unsupported || !/datatype|float16/i.test(errorDetail(error))) throw error;
    }
  }
  await client.createCollection(name, createCollectionRequest(layout, null, cluster));
}

/** Tolerates an existing collection (another process may have created it in between). */
async function createIfMissing(client: QdrantClient, name: string, create: () => Promise<void>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (await collectionExists(client, name)) return false;
    throw error;
  }
}

/**
 * Makes sure the points collection and the registry exist and fit `wanted`. Returns the layout in force.
 * The payload indexes are made right after the collection, before any point: Qdrant builds them
 * as points arrive instead of re-reading a bulk upload.
 */
export async function ensureFolioCollections(client: QdrantClient, name: string, wanted: CollectionLayout, cluster?: ClusterLayout): Promise<CollectionLayout> {
  let layout = wanted;
  let info = await getCollectionInfo(client, name);
  if (info) {
    layout = checkLayout(name, info, wanted, true);
  } else {
    const created = await createIfMissing(client, name, () => createWithFallback(client, name, wanted, cluster));
    info = created ? null : await getCollectionInfo(client, name);
    if (info) layout = checkLayout(name, info, wanted, true);
  }
  // Indexes added in later versions are created on older collections too.
  for (const index of PAYLOAD_INDEXES) {
    if (info?.payload_schema?.[index.field]) continue;
    try {
      await client.createPayloadIndex(name, { field_name: index.field, field_schema: index.schema, wait: true });
    } catch (error) {
      // An index only speeds filters up; a store that does not offer indexes filters all the same.
      if (!(error instanceof FolioError && error.code === "UNSUPPORTED")) throw error;
    }
  }
  const registry = documentsCollectionName(name);
  if (!(await collectionExists(client, registry))) {
    // A 1-d dummy vector: Qdrant needs one, the registry is only ever read by id or scrolled.
    await createIfMissing(client, registry, async () => {
      await client.createCollection(registry, { vectors: { size: 1, distance: "Dot" }, ...(cluster ? clusterRequest({ ...cluster, quantization: "none" }) : {}) });
    });
  }
  return layout;
}

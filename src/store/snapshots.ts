/**
 * Backups of Folio's collections. On a Qdrant server: Qdrant's own snapshots (its snapshot API,
 * restorable with Qdrant's recover API on any cluster), downloaded to a folder. Anywhere (the
 * embedded store included): a portable export, one gzipped JSON-lines file per collection (its
 * vector config, payload indexes, then every point with its vectors and payload) that
 * `restoreExport` loads into any store: how an embedded library moves to a cluster without
 * embedding anything again.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { z } from "zod";
import { InputError, StoreError } from "../errors.js";
import { errorStatus } from "./client-errors.js";
import { clusterRequest, type ClusterLayout } from "./collection.js";

export const EXPORT_FORMAT = "folio-collection-export";
const EXPORT_VERSION = 1;
/** Points per scroll page when exporting (fewer with multi-vectors, which run to megabytes a point). */
const PAGE = 256;
const MULTIVECTOR_PAGE = 8;
/** An upsert during a restore stays under this many bytes of JSON (Qdrant's default request limit is 32 MB). */
const RESTORE_BATCH_BYTES = 8 * 1024 * 1024;

const ExportHeaderSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  collection: z.string().min(1),
  /** Points when the export began (the closing line has the count written). */
  points: z.number().int().nonnegative(),
  vectors: z.record(z.string(), z.unknown()),
  sparse_vectors: z.record(z.string(), z.unknown()).nullable(),
  payload_indexes: z.array(z.object({ field: z.string(), schema: z.union([z.string(), z.record(z.string(), z.unknown())]) })),
});
const ExportEndSchema = z.object({ end: z.literal(true), points: z.number().int().nonnegative() });
const ExportPointSchema = z.object({ id: z.union([z.string(), z.number().int().nonnegative()]), vector: z.union([z.array(z.number()), z.record(z.string(), z.unknown())]), payload: z.record(z.string(), z.unknown()).nullable() });

export interface SnapshotFile {
  collection: string;
  file: string;
  bytes: number;
  points?: number;
}

/** Writes `collection` to `<dir>/<collection>.folio.jsonl.gz`; the file appears whole or not at all. */
export async function exportCollection(client: QdrantClient, collection: string, dir: string): Promise<SnapshotFile> {
  const info = await client.getCollection(collection);
  const params = info.config.params;
  const header = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    collection,
    points: (await client.count(collection, { exact: true })).count,
    vectors: (params.vectors ?? {}) as Record<string, unknown>,
    sparse_vectors: (params.sparse_vectors ?? null) as Record<string, unknown> | null,
    // The index's parameters when it has any (a text index's tokenizer), else its type.
    payload_indexes: Object.entries(info.payload_schema ?? {}).map(([field, s]) => ({ field, schema: s?.params ?? String(s?.data_type) })),
  };
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${collection}.folio.jsonl.gz`);
  const partial = `${file}.partial`;
  let points = 0;
  const pageSize = Object.values(header.vectors).some((v) => typeof v === "object" && v !== null && "multivector_config" in v) ? MULTIVECTOR_PAGE : PAGE;
  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    let offset: Schemas["ExtendedPointId"] | undefined;
    do {
      const page = await client.scroll(collection, { limit: pageSize, with_payload: true, with_vector: true, ...(offset !== undefined ? { offset } : {}) });
      for (const p of page.points) {
        points++;
        yield `${JSON.stringify({ id: p.id, vector: p.vector ?? {}, payload: p.payload ?? null })}\n`;
      }
      offset = (page.next_page_offset ?? undefined) as Schemas["ExtendedPointId"] | undefined;
    } while (offset !== undefined);
    // The last line says how many points came before it: a cut-short file is told from a whole one.
    yield `${JSON.stringify({ end: true, points })}\n`;
  }
  try {
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(partial));
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, file);
  return { collection, file, bytes: (await stat(file)).size, points };
}

/**
 * Loads an export into `client` under its collection name (or `as`). Refuses to load into a
 * collection that already holds points: a restore never mixes two libraries.
 */
export async function restoreExport(client: QdrantClient, file: string, options: { as?: string; cluster?: ClusterLayout } = {}): Promise<SnapshotFile> {
  try {
    await stat(file);
  } catch {
    throw new InputError(`No export at ${file}.`, "Give the <collection>.folio.jsonl.gz files `folio store snapshot` wrote.");
  }
  const gunzip = createGunzip();
  // pipeline() hands a read error to the gunzip stream, where the loop below sees it.
  pipeline(createReadStream(file), gunzip).catch((error: unknown) => gunzip.destroy(error instanceof Error ? error : new Error(String(error))));
  const input = createInterface({ input: gunzip, crlfDelay: Infinity });
  let header: z.infer<typeof ExportHeaderSchema> | undefined;
  let batch: Array<z.infer<typeof ExportPointSchema>> = [];
  let batchBytes = 0;
  let points = 0;
  let announced: number | undefined;
  let name = "";
  const flush = async () => {
    if (!batch.length) return;
    await client.upsert(name, { wait: true, points: batch as Schemas["PointStruct"][] });
    points += batch.length;
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const line of input) {
      if (!line.trim()) continue;
      const value: unknown = JSON.parse(line);
      if (!header) {
        const parsed = ExportHeaderSchema.safeParse(value);
        if (!parsed.success) throw new InputError(`${file} is not a Folio collection export (${parsed.error.issues[0]?.message ?? "bad header"}).`, "Give a file written by `folio store snapshot --portable` (<collection>.folio.jsonl.gz); restore Qdrant's own .snapshot files with Qdrant's recover API.");
        header = parsed.data;
        name = options.as ?? header.collection;
        await createForRestore(client, name, header, options.cluster);
        continue;
      }
      if (typeof value === "object" && value !== null && "end" in value) {
        announced = ExportEndSchema.parse(value).points;
        continue;
      }
      if (batchBytes + line.length > RESTORE_BATCH_BYTES) await flush();
      batch.push(ExportPointSchema.parse(value));
      batchBytes += line.length;
    }
    await flush();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof SyntaxError || error instanceof z.ZodError || code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") {
      throw new InputError(`${file} is damaged: ${error instanceof Error ? error.message : String(error)}. ${points} points were restored.`, "Restore from an intact copy of the export; drop the partly restored collection first (`folio reset` or Qdrant's delete collection).");
    }
    throw error;
  }
  if (!header) throw new InputError(`${file} is empty.`, "Give a file written by `folio store snapshot --portable`.");
  if (announced !== points) throw new InputError(`${file} was cut short: ${points} points restored, ${announced === undefined ? "and its closing line is missing" : `its closing line says ${announced}`}.`, "Restore from an intact copy, after dropping the partly restored collection (`folio reset --yes`).");
  return { collection: name, file, bytes: (await stat(file)).size, points };
}

async function createForRestore(client: QdrantClient, name: string, header: z.infer<typeof ExportHeaderSchema>, cluster: ClusterLayout | undefined): Promise<void> {
  if ((await client.collectionExists(name)).exists) {
    const count = (await client.count(name, { exact: true })).count;
    if (count > 0) throw new InputError(`The collection "${name}" already holds ${count} points: a restore would mix two libraries.`, "Restore into a new collection (FOLIO_COLLECTION=<new name>), or drop this one first (`folio reset --yes`).");
  } else {
    await client.createCollection(name, {
      vectors: header.vectors as Schemas["CreateCollection"]["vectors"],
      ...(header.sparse_vectors ? { sparse_vectors: header.sparse_vectors as Schemas["CreateCollection"]["sparse_vectors"] } : {}),
      ...(cluster ? clusterRequest(cluster) : {}),
    });
  }
  for (const index of header.payload_indexes) {
    await client.createPayloadIndex(name, { field_name: index.field, field_schema: index.schema as Schemas["PayloadFieldSchema"], wait: true });
  }
}

/**
 * Shards of `collection` that live on other nodes: a collection snapshot holds only the shards of
 * the node that takes it, so on a cluster it would miss them. Empty on a single node, and when the
 * server has no cluster API (404).
 */
async function remoteShards(client: QdrantClient, collection: string): Promise<number[]> {
  try {
    const info = await client.collectionClusterInfo(collection);
    const local = new Set(info.local_shards.map((s) => s.shard_id));
    return [...new Set(info.remote_shards.map((s) => s.shard_id).filter((id) => !local.has(id)))];
  } catch (error) {
    if (errorStatus(error) === 404) return [];
    throw error;
  }
}

/** Qdrant's own snapshot of `collection` on the server, downloaded to `dir`, checked against its checksum, then removed from the server. */
export async function downloadServerSnapshot(client: QdrantClient, server: { url: string; apiKey?: string }, collection: string, dir: string): Promise<SnapshotFile> {
  const missing = await remoteShards(client, collection);
  if (missing.length) {
    throw new InputError(`The node at ${server.url} holds only some of the shards of "${collection}" (shards ${missing.join(", ")} are on other nodes): its snapshot would miss them.`, "Run `folio store snapshot --portable` (it reads every shard through the cluster), or take a snapshot on every node with Qdrant's snapshot API.");
  }
  const made = (await client.createSnapshot(collection, { wait: true })) as Schemas["SnapshotDescription"] | null;
  if (!made) throw new StoreError(`The Qdrant server made no snapshot of "${collection}".`, "Check the server's logs and its free disk space, then try again.");
  const url = `${server.url.replace(/\/+$/, "")}/collections/${encodeURIComponent(collection)}/snapshots/${encodeURIComponent(made.name)}`;
  const response = await fetch(url, { headers: server.apiKey ? { "api-key": server.apiKey } : {} });
  if (!response.ok || !response.body) throw new StoreError(`Downloading the snapshot ${made.name} of "${collection}" failed: HTTP ${response.status}.`, "Check QDRANT_API_KEY and the server's free disk space; the snapshot stays on the server under its snapshots folder.");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, made.name);
  const partial = `${file}.partial`;
  const hash = createHash("sha256");
  let bytes = 0;
  const download = pipeline(
    Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(partial),
  );
  try {
    await download;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  const checksum = hash.digest("hex");
  if (made.checksum && made.checksum !== checksum) {
    await rm(partial, { force: true });
    throw new StoreError(`The snapshot ${made.name} of "${collection}" arrived damaged (sha256 ${checksum}, the server says ${made.checksum}).`, "Run `folio store snapshot` again.");
  }
  await rename(partial, file);
  // Downloaded and checked: the server's copy would only fill its disk, one more per backup.
  await client.deleteSnapshot(collection, made.name).catch(() => undefined);
  return { collection, file, bytes };
}

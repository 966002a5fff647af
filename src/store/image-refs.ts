/**
 * Which images the stored points use, so that deleting documents (prune, reset, a re-ingest that
 * drops a figure) also removes the images nothing uses any more. Images are content-addressed and
 * shared: one is removed only when no Folio collection on the client still names it.
 */
import type { QdrantClient } from "@qdrant/js-client-rest";
import { documentsCollectionName } from "./collection.js";
import type { QdrantFilter } from "./filters.js";
import type { ImageStoreApi } from "./types.js";

const IMAGE_KEY = "metadata.imageId";
const SCROLL_PAGE = 256;

/** The image ids of the points a filter selects in one collection. */
export async function imageIdsOf(client: QdrantClient, collection: string, filter: QdrantFilter | undefined): Promise<Set<string>> {
  const ids = new Set<string>();
  const withImage: QdrantFilter = { must: [...(filter ? [filter] : []), { must_not: [{ is_empty: { key: IMAGE_KEY } }] }] };
  let offset: string | number | undefined;
  do {
    const page = await client.scroll(collection, { filter: withImage, with_payload: { include: [IMAGE_KEY] }, with_vector: false, limit: SCROLL_PAGE, ...(offset !== undefined ? { offset } : {}) });
    for (const point of page.points) {
      const id = (point.payload as { metadata?: { imageId?: unknown } } | null)?.metadata?.imageId;
      if (typeof id === "string") ids.add(id);
    }
    const next = page.next_page_offset;
    offset = typeof next === "string" || typeof next === "number" ? next : undefined;
  } while (offset !== undefined);
  return ids;
}

/** Folio's point collections on this client: those with a registry beside them. */
async function folioCollections(client: QdrantClient): Promise<string[]> {
  const names = new Set((await client.getCollections()).collections.map((c) => c.name));
  return [...names].filter((name) => names.has(documentsCollectionName(name)));
}

/** Removes the images among `candidates` that no Folio collection uses; returns how many went. */
export async function removeUnusedImages(client: QdrantClient, images: ImageStoreApi, candidates: Set<string>): Promise<number> {
  if (candidates.size === 0) return 0;
  const collections = await folioCollections(client);
  const unused: string[] = [];
  for (const imageId of candidates) {
    let used = false;
    for (const collection of collections) {
      const { count } = await client.count(collection, { exact: true, filter: { must: [{ key: IMAGE_KEY, match: { value: imageId } }] } });
      if (count > 0) {
        used = true;
        break;
      }
    }
    if (!used) unused.push(imageId);
  }
  return images.remove(unused);
}

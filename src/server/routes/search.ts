/** POST /search: ranked chunks, pages and figures for a text and/or image query. */
import { Router } from "express";
import type { SearchHit, SearchRequest } from "../../store/types.js";
import type { ServerContext } from "../context.js";
import { imageUrlFor, requestImage } from "../context.js";
import { validateBody, validatedBody } from "../middleware/validate.js";
import { SearchBodySchema, toSearchFilters, type SearchBody } from "../schemas.js";

export function toHttpHit(hit: SearchHit) {
  const m = hit.metadata;
  const imageUrl = imageUrlFor(m.kind, m.imageId);
  return {
    id: hit.id,
    docId: m.docId,
    kind: m.kind,
    text: hit.text,
    title: m.title,
    ...(m.page !== undefined ? { page: m.page } : {}),
    ...(m.figureLabel !== undefined ? { figureLabel: m.figureLabel } : {}),
    ...(m.caption !== undefined ? { caption: m.caption } : {}),
    score: hit.score,
    ...(m.imageId ? { imageId: m.imageId } : {}),
    ...(imageUrl ? { imageUrl } : {}),
    ...(m.boxes?.length ? { boxes: m.boxes } : m.bbox ? { boxes: [m.bbox] } : {}),
  };
}

export function searchRouter(ctx: ServerContext): Router {
  const router = Router();
  router.post("/search", validateBody(SearchBodySchema), async (_req, res) => {
    const body = validatedBody<SearchBody>(res.locals);
    const request: SearchRequest = { text: body.query, k: body.k, mode: body.mode, filters: toSearchFilters(body.filters) };
    if (body.image !== undefined) request.image = await requestImage(ctx, body.image);
    const hits = await ctx.store.search(request);
    res.json({ hits: hits.map(toHttpHit) });
  });
  return router;
}

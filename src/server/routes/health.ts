/** GET /health: liveness plus what the server runs on (store counts, which parts are embedded). Open without a token. */
import { Router } from "express";
import { redact } from "../../util/redact.js";
import type { ServerContext } from "../context.js";
import { errorMessage } from "../../errors.js";
import { papersOf } from "../../chat/library.js";

export function healthRouter(ctx: ServerContext): Router {
  const router = Router();
  router.get("/health", async (_req, res) => {
    const { config, store } = ctx;
    const embedded: string[] = [];
    if (config.qdrant.mode === "embedded") embedded.push("store");
    if (config.embeddings.mode === "none") embedded.push("embeddings (BM25)");
    if (config.llm.mode === "extractive") embedded.push("answerer (extractive)");
    const counts = { documents: null as number | null, points: null as number | null, text: null as number | null, pages: null as number | null, figures: null as number | null };
    let storeError: string | undefined;
    try {
      const [documents, points, text, pages, figures] = await Promise.all([
        store.listDocuments().then((d) => papersOf(d).length),
        store.count(),
        store.count({ kinds: ["text"], includeReferences: true }),
        store.count({ kinds: ["page"] }),
        store.count({ kinds: ["figure"] }),
      ]);
      Object.assign(counts, { documents, points, text, pages, figures });
    } catch (error) {
      storeError = redact(errorMessage(error), config.secrets);
    }
    res.setHeader("Cache-Control", "no-store");
    res.json({
      status: storeError ? "degraded" : "ok",
      store: { mode: config.qdrant.mode, collection: store.collection, ...counts, ...(storeError ? { error: storeError } : {}) },
      embeddings: { mode: config.embeddings.mode, images: ctx.imageSearchAvailable },
      llm: config.llm.mode === "openai" ? { mode: "openai", model: config.llm.model } : { mode: "extractive" },
      embedded,
      imageSearch: ctx.imageSearchAvailable,
      auth: Boolean(config.server.apiToken),
    });
  });
  return router;
}

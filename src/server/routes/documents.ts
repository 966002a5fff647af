/**
 * The library over HTTP: GET /documents (optionally ?q= over titles and authors), GET
 * /documents/{id} (metadata, abstract, sections, figures, BibTeX), GET /documents/{id}/pdf (the
 * stored document's PDF, found from its registry record: served by id, never by a path the client
 * names), DELETE /documents/{id} (points, record, images only it used, and its uploaded file), and
 * POST /documents (multipart PDF upload: 202 with an ingest job to follow at GET /ingest/{job}).
 */
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { Router, type Request } from "express";
import { bibtexFor } from "../../chat/bibtex.js";
import { figureCount, papersOf, type LibraryPaper } from "../../chat/library.js";
import { hasPdfHeader, localCopyOf } from "../../ingest/index.js";
import type { DocumentRecord } from "../../store/types.js";
import type { ServerContext } from "../context.js";
import { imageUrlFor, shownSource } from "../context.js";
import { HttpError } from "../http-errors.js";
import { DocumentIdSchema, LibraryQuerySchema } from "../document-schemas.js";
import type { IngestJobs } from "../jobs.js";
import { describeZodError } from "../schemas.js";
import { acceptUploads, head, receiveUploads, type UploadLimits } from "../uploads.js";

/** Set on GET /documents/{id}/pdf when the file changed after it was ingested. */
export const CHANGED_HEADER = "X-Folio-Source-Changed";
/** Most figures one paper's gallery lists. */
const MAX_FIGURES = 1_000;

export function documentSummary(record: DocumentRecord, figureImages: DocumentRecord[] = []) {
  return {
    docId: record.docId,
    title: record.title,
    authors: record.authors,
    ...(record.year !== undefined ? { year: record.year } : {}),
    ...(record.doi ? { doi: record.doi } : {}),
    ...(record.arxivId ? { arxivId: record.arxivId } : {}),
    ...(record.citationKey ? { citationKey: record.citationKey } : {}),
    ...(record.lang ? { lang: record.lang } : {}),
    pages: record.pages,
    figures: figureCount({ record, figureImages }),
    chunks: record.chunks,
    ingestedAt: record.ingestedAt,
    fileName: path.basename(shownSource(record.source).replace(/[?#].*$/, "")),
    pdfUrl: `/documents/${encodeURIComponent(record.docId)}/pdf`,
  };
}

/** Every word of the query in the title or the authors, case and accents ignored. */
export function matchesQuery(record: DocumentRecord, query: string): boolean {
  const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  const haystack = fold(`${record.title} ${record.authors.join(" ")} ${record.year ?? ""}`);
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

function docIdParam(req: Request): string {
  const parsed = DocumentIdSchema.safeParse(req.params.id);
  if (!parsed.success) throw new HttpError(400, "INPUT", "Not a document id.", "Use a docId from GET /documents (percent-encode it in the path).");
  return parsed.data;
}

async function recordOf(ctx: ServerContext, req: Request): Promise<DocumentRecord> {
  const id = docIdParam(req);
  const record = await ctx.store.getDocument(id);
  if (!record) throw new HttpError(404, "NOT_FOUND", `No document ${JSON.stringify(id.slice(0, 80))} in the library.`, "GET /documents lists the stored documents and their ids.");
  return record;
}

/** The paper a request names, with its figure images stored on their own. */
async function paperOf(ctx: ServerContext, req: Request): Promise<LibraryPaper> {
  const record = await recordOf(ctx, req);
  const records = await ctx.store.listDocuments();
  return { record, figureImages: papersOf(records).find((p) => p.record.docId === record.docId)?.figureImages ?? [] };
}

/** The file's modification time when it is a PDF, else undefined. */
async function pdfFileTime(file: string): Promise<Date | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  return hasPdfHeader(await head(file)) ? info.mtime : undefined;
}

export function documentsRouter(ctx: ServerContext, jobs: IngestJobs): Router {
  const router = Router();
  const { config } = ctx;
  const downloadsDir = config.ingest.downloadsDir ?? path.join(config.home, "downloads");
  const uploadsDir = path.resolve(config.server.uploadsDir);
  const limits: UploadLimits = { uploadsDir, maxUploadBytes: config.server.maxUploadBytes, maxUploadFiles: config.server.maxUploadFiles, maxPages: config.ingest.maxPages };

  router.get("/documents", async (req, res) => {
    const query = LibraryQuerySchema.safeParse(req.query);
    if (!query.success) throw new HttpError(400, "INPUT", `Invalid query: ${describeZodError(query.error, "query")}.`, "Send ?q=<words of a title or author> (at most 500 characters).");
    const q = query.data.q ?? "";
    const papers = papersOf(await ctx.store.listDocuments())
      .filter(({ record }) => !q || matchesQuery(record, q))
      .sort((a, b) => b.record.ingestedAt.localeCompare(a.record.ingestedAt) || a.record.title.localeCompare(b.record.title));
    res.json({ documents: papers.map(({ record, figureImages }) => documentSummary(record, figureImages)) });
  });

  router.get("/documents/:id", async (req, res) => {
    const { record, figureImages } = await paperOf(ctx, req);
    const figures = (await ctx.store.find({ docIds: [record.docId], kinds: ["figure"] }, MAX_FIGURES)).map((hit) => {
      const m = hit.metadata;
      const imageUrl = imageUrlFor("figure", m.imageId);
      return { id: hit.id, label: m.figureLabel ?? "", ...(m.page !== undefined ? { page: m.page } : {}), caption: m.caption ?? hit.text, ...(m.bbox ? { bbox: m.bbox } : {}), ...(imageUrl ? { imageUrl } : {}) };
    });
    // In reading order: by page, then figures before tables as the labels number them.
    figures.sort((a, b) => (a.page ?? 0) - (b.page ?? 0) || a.label.localeCompare(b.label, undefined, { numeric: true }));
    res.json({
      ...documentSummary(record, figureImages),
      ...(record.profile?.abstract ? { abstract: record.profile.abstract } : {}),
      sections: record.profile?.headings ?? [],
      figureList: figures,
      bibtex: bibtexFor(record),
    });
  });

  router.get("/documents/:id/pdf", async (req, res) => {
    const record = await recordOf(ctx, req);
    const file = localCopyOf(record.source, downloadsDir);
    const modified = await pdfFileTime(file);
    if (modified === undefined) {
      throw new HttpError(404, "NOT_FOUND", `The PDF of ${JSON.stringify(record.title.slice(0, 80))} is not on this server.`, "Only PDFs ingested from files or downloads kept on this machine can be opened; re-ingest the file if it moved.");
    }
    res.setHeader("Content-Disposition", `inline; filename="${path.basename(file).replace(/[^\w.-]/g, "_")}"`);
    res.setHeader("Cache-Control", "private, no-cache");
    // Changed since it was ingested: the page says highlights may be off until it is ingested again.
    if (modified.getTime() > Date.parse(record.ingestedAt)) res.setHeader(CHANGED_HEADER, "true");
    res.sendFile(file, { dotfiles: "allow", headers: { "Content-Type": "application/pdf" } });
  });

  router.delete("/documents/:id", async (req, res) => {
    const { record, figureImages } = await paperOf(ctx, req);
    const release = await ctx.store.lockForWriting("delete a document");
    try {
      // Its figure images go with it: they are shown as part of the paper.
      for (const doc of [record, ...figureImages]) await ctx.store.deleteDocument(doc.docId);
    } finally {
      release();
    }
    // Only an uploaded copy is the server's to delete; the user's own files stay where they are.
    const file = path.resolve(record.source);
    if (path.dirname(file) === uploadsDir) await rm(file, { force: true });
    res.json({ deleted: record.docId, title: record.title });
  });

  router.post("/documents", receiveUploads(limits), async (req, res) => {
    const files = Array.isArray(req.files) ? req.files : [];
    if (files.length === 0) throw new HttpError(400, "INPUT", "The upload holds no file.", `Send one or more PDFs in the "files" field (curl -F files=@paper.pdf).`);
    const { accepted, rejected } = await acceptUploads(files, limits);
    if (accepted.length === 0) {
      const first = rejected[0]!;
      throw new HttpError(first.status, first.code, rejected.length > 1 ? `No file was accepted. ${first.message} (and ${rejected.length - 1} more)` : first.message, first.hint);
    }
    const job = jobs.submit(accepted);
    res
      .status(202)
      .location(`/ingest/${job.id}`)
      .json({ job: job.id, jobUrl: `/ingest/${job.id}`, accepted: accepted.map(({ name, bytes, pages }) => ({ name, bytes, pages })), rejected });
  });

  return router;
}

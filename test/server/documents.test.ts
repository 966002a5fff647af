/**
 * The library API on `folio serve`'s app with the real store, the real ingest and real PDFs (the
 * demo corpus in data/papers, and generated papers for uploads): listing, details with BibTeX, the
 * PDF by id (never by path), uploads through multipart with live progress over SSE, delete, and every
 * refusal with its status: traversal, not a PDF, encrypted, over the limit, no token.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { createCanvas } from "@napi-rs/canvas";
import path from "node:path";
import { PDFDocument } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest, ingestOptionsFromConfig } from "../../src/ingest/index.js";
import { DeletedSchema, DocumentDetailSchema, DocumentListSchema, IngestJobSchema, UploadResponseSchema } from "../../src/server/document-schemas.js";
import { packagePath } from "../../src/util/paths.js";
import { makeImageOnlyPdf, makeRc4Rev3EncryptedPdf, makeTwoColumnPaper, PAPER } from "../fixtures/make-pdfs.js";
import { postJson, readSse, removeDir, startTestServer, tempHome, type TestServer } from "./helpers.js";

const enc = encodeURIComponent;

function form(files: Array<{ name: string; data: Uint8Array; type?: string }>, field = "files"): FormData {
  const body = new FormData();
  for (const f of files) body.append(field, new Blob([new Uint8Array(f.data)], { type: f.type ?? "application/pdf" }), f.name);
  return body;
}

async function upload(t: TestServer, files: Array<{ name: string; data: Uint8Array; type?: string }>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.url}/documents`, { method: "POST", body: form(files), headers });
}

async function errorOf(res: Response): Promise<{ code: string; message: string; hint: string }> {
  return ((await res.json()) as { error: { code: string; message: string; hint: string } }).error;
}

async function ingestDemo(t: TestServer): Promise<void> {
  const summary = await ingest(t.store, [packagePath("data", "papers")], ingestOptionsFromConfig(t.config));
  expect(summary.ingested).toBe(4);
}

describe("library API: documents, PDFs, uploads and ingest jobs", () => {
  let home: string;
  let t: TestServer;
  let paper: Uint8Array;
  /** The generated paper's page count, as pdf-lib (another reader) counts it. */
  let paperPages: number;

  beforeAll(async () => {
    home = await tempHome("documents");
    t = await startTestServer({ home, fill: false, server: { maxUploadBytes: 2 * 1024 * 1024 } });
    await ingestDemo(t);
    paper = await makeTwoColumnPaper();
    paperPages = (await PDFDocument.load(paper)).getPageCount();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  const list = async (q = "") => DocumentListSchema.parse(await (await fetch(`${t.url}/documents${q ? `?q=${enc(q)}` : ""}`)).json()).documents;

  it("GET /documents lists the papers with pages and figures; ?q= matches every word of title or authors", async () => {
    const docs = await list();
    expect(docs).toHaveLength(4);
    const hybrid = docs.find((d) => d.title === "Dense, Sparse and Hybrid Retrieval");
    expect(hybrid).toMatchObject({ pages: 2, fileName: "dense-sparse-hybrid-retrieval.pdf" });
    expect(hybrid!.figures).toBeGreaterThanOrEqual(2);
    // Never a server path.
    expect(JSON.stringify(docs)).not.toContain(home);
    expect((await list("hybrid retrieval")).map((d) => d.title)).toEqual(["Dense, Sparse and Hybrid Retrieval"]);
    expect(await list("hybrid nDCG")).toEqual([]);
    expect((await list("MATRYOSHKA")).map((d) => d.title)).toEqual(["Matryoshka Embeddings and Late Chunking"]);
  });

  it("GET /documents/{id} gives the abstract, sections, figures in page order and BibTeX", async () => {
    const doc = (await list("Late Interaction"))[0]!;
    const res = await fetch(`${t.url}/documents/${enc(doc.docId)}`);
    expect(res.status).toBe(200);
    const detail = DocumentDetailSchema.parse(await res.json());
    expect(detail.abstract?.length).toBeGreaterThan(100);
    expect(detail.sections.length).toBeGreaterThan(2);
    expect(detail.figureList.map((f) => f.label)).toEqual(expect.arrayContaining(["Figure 1", "Figure 2", "Table 1"]));
    const pages = detail.figureList.map((f) => f.page ?? 0);
    expect(pages).toEqual([...pages].sort((a, b) => a - b));
    expect(detail.figureList.every((f) => f.imageUrl?.startsWith("/figures/") && f.bbox?.length === 4)).toBe(true);
    expect(detail.bibtex).toMatch(/^@misc\{\w+2025\w*,\n {2}title = \{\{Late Interaction and Multi-Vector Retrieval\}\},/);
    expect(detail.bibtex).toContain("year = {2025}");
  });

  it("a figure image stored on its own is listed in its paper's gallery, not as a paper", async () => {
    // A folder named like the paper's file holds a figure of it (hybrid.pdf and hybrid/fig.png).
    const folder = path.join(home, "figures", "dense-sparse-hybrid-retrieval");
    await mkdir(folder, { recursive: true });
    const canvas = createCanvas(240, 160);
    const g = canvas.getContext("2d");
    g.fillStyle = "#2a6";
    g.fillRect(10, 10, 200, 120);
    await writeFile(path.join(folder, "recall-curve.png"), canvas.toBuffer("image/png"));
    await writeFile(path.join(folder, "recall-curve.txt"), "Figure 9: Recall at 100 of dense, sparse and hybrid retrieval.");
    const summary = await ingest(t.store, [path.join(home, "figures")], ingestOptionsFromConfig(t.config));
    expect(summary.ingested).toBe(1);
    try {
      const docs = await list();
      expect(docs).toHaveLength(4);
      const hybrid = docs.find((d) => d.title === "Dense, Sparse and Hybrid Retrieval")!;
      const detail = DocumentDetailSchema.parse(await (await fetch(`${t.url}/documents/${enc(hybrid.docId)}`)).json());
      expect(detail.figureList.map((f) => f.label)).toContain("Figure 9");
      expect(detail.figures).toBe(hybrid.figures);
      const health = (await (await fetch(`${t.url}/health`)).json()) as { store: { documents: number } };
      expect(health.store.documents).toBe(4);
    } finally {
      const image = (await t.store.listDocuments()).find((d) => d.paperId);
      if (image) await t.store.deleteDocument(image.docId);
    }
  });

  it("GET /documents/{id}/pdf serves the PDF by id, with range requests", async () => {
    const doc = (await list("Evaluating"))[0]!;
    const res = await fetch(`${t.url}${doc.pdfUrl}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    const partial = await fetch(`${t.url}${doc.pdfUrl}`, { headers: { Range: "bytes=0-99" } });
    expect(partial.status).toBe(206);
    expect((await partial.arrayBuffer()).byteLength).toBe(100);
  });

  it("ids that try to name a path are unknown documents, never files", async () => {
    for (const id of ["../../../../etc/passwd", "..%2F..%2Fpackage.json", "/etc/passwd", "file:../../README.md", "data/papers/evaluating-retrieval.pdf"]) {
      const res = await fetch(`${t.url}/documents/${enc(id)}/pdf`);
      expect(res.status, id).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      expect((await errorOf(res)).hint).toMatch(/GET \/documents/);
    }
    // Raw dot segments are resolved by the URL itself: they reach another route, or none.
    const raw = await fetch(`${t.url}/documents/%2e%2e/pdf`);
    expect([400, 404]).toContain(raw.status);
    const control = await fetch(`${t.url}/documents/${enc("a\u0001b")}`);
    expect(control.status).toBe(400);
    const long = await fetch(`${t.url}/documents/${"x".repeat(400)}`);
    expect(long.status).toBe(400);
  });

  it("a PDF changed after it was ingested is served with a header that says so", async () => {
    const { readFile, utimes } = await import("node:fs/promises");
    const copy = path.join(home, "changed.pdf");
    // Other bytes than the stored paper's (a comment after %%EOF), so it is a document of its own, not a copy.
    await writeFile(copy, Buffer.concat([await readFile(packagePath("data", "papers", "evaluating-retrieval.pdf")), Buffer.from("\n% a copy\n")]));
    await ingest(t.store, [copy], ingestOptionsFromConfig(t.config));
    const doc = (await list()).find((d) => d.fileName === "changed.pdf")!;
    expect((await fetch(`${t.url}${doc.pdfUrl}`)).headers.get("x-folio-source-changed")).toBeNull();
    const later = new Date(Date.parse(doc.ingestedAt) + 60_000);
    await utimes(copy, later, later);
    expect((await fetch(`${t.url}${doc.pdfUrl}`)).headers.get("x-folio-source-changed")).toBe("true");
    expect((await fetch(`${t.url}/documents/${enc(doc.docId)}`, { method: "DELETE" })).status).toBe(200);
  });

  it("a record whose file is gone or is not a PDF answers 404 with what to do", async () => {
    const markdownHome = path.join(home, "notes.md");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(markdownHome, "# A note\n\nSome text about retrieval evaluation and recall at k.\n");
    await ingest(t.store, [markdownHome], ingestOptionsFromConfig(t.config));
    const note = (await list("A note"))[0]!;
    const res = await fetch(`${t.url}${note.pdfUrl}`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toMatch(/not on this server/);
    expect((await fetch(`${t.url}/documents/${enc(note.docId)}`, { method: "DELETE" })).status).toBe(200);
  });

  it("POST /documents ingests an upload with live progress; it is listed and searchable, and DELETE removes it everywhere", async () => {
    const images = async () => (await readdir(t.config.ingest.imagesDir, { recursive: true })).filter((f) => f.endsWith(".png")).length;
    const imagesBefore = await images();
    const name = "Über-Straße 論文.pdf";
    const res = await upload(t, [{ name, data: paper }]);
    expect(res.status).toBe(202);
    const accepted = UploadResponseSchema.parse(await res.json());
    expect(res.headers.get("location")).toBe(accepted.jobUrl);
    expect(accepted.accepted).toEqual([{ name, bytes: paper.length, pages: paperPages }]);

    const stream = await fetch(`${t.url}${accepted.jobUrl}`, { headers: { Accept: "text/event-stream" } });
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readSse(stream);
    expect(events[0]?.event).toBe("job");
    // The job's states as they change (the snapshot holds the state the job had when the stream opened).
    const states = [(events[0]!.data as { state: string }).state, ...events.filter((e) => e.event === "state").map((e) => (e.data as { state: string }).state)];
    expect(states[states.length - 1]).toBe("done");
    expect(states.every((st, i) => i === 0 || ["queued", "running", "done"].indexOf(st) >= ["queued", "running", "done"].indexOf(states[i - 1]!))).toBe(true);
    const last = events[events.length - 1]!;
    expect(last.event).toBe("done");
    const summary = (last.data as { summary: { ingested: number; pages: number } }).summary;
    expect(summary).toMatchObject({ ingested: 1, pages: paperPages });
    // Progress arrives while the job runs, unless the job was done before the stream opened.
    const job = IngestJobSchema.parse(await (await fetch(`${t.url}${accepted.jobUrl}`)).json());
    expect(job.state).toBe("done");
    expect(job.results).toEqual([expect.objectContaining({ type: "done", name, title: PAPER.title, pages: paperPages })]);
    expect(JSON.stringify(job)).not.toContain(home);

    const stored = (await list(PAPER.title))[0]!;
    expect(stored).toMatchObject({ title: PAPER.title, pages: paperPages });
    const search = async () => ((await (await postJson(`${t.url}/search`, { query: "robust widgets noisy gadgets", k: 50 })).json()) as { hits: Array<{ docId: string }> }).hits.filter((h) => h.docId === stored.docId);
    expect((await search()).length).toBeGreaterThan(0);
    const uploads = path.join(t.config.server.uploadsDir);
    expect((await readdir(uploads)).filter((f) => f.endsWith(".pdf"))).toHaveLength(1);
    expect(await images()).toBeGreaterThan(imagesBefore);

    // The same bytes again are the same document: nothing new.
    const again = UploadResponseSchema.parse(await (await upload(t, [{ name: "copy.pdf", data: paper }])).json());
    await t.server.app.locals.jobs.idle();
    const second = IngestJobSchema.parse(await (await fetch(`${t.url}${again.jobUrl}`)).json());
    expect(second.results.map((r) => r.type)).toEqual(["unchanged"]);
    expect(await list(PAPER.title)).toHaveLength(1);

    const del = await fetch(`${t.url}/documents/${enc(stored.docId)}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(DeletedSchema.parse(await del.json())).toEqual({ deleted: stored.docId, title: PAPER.title });
    expect(await list(PAPER.title)).toEqual([]);
    expect(await search()).toEqual([]);
    expect((await readdir(uploads)).filter((f) => f.endsWith(".pdf"))).toEqual([]);
    // Its figure crops went with it.
    expect(await images()).toBe(imagesBefore);
    expect((await fetch(`${t.url}/documents/${enc(stored.docId)}`)).status).toBe(404);
    expect((await fetch(`${t.url}/documents/${enc(stored.docId)}`, { method: "DELETE" })).status).toBe(404);
  }, 60_000);

  it("refuses what ingest cannot read, by content, with the parser's hint", async () => {
    const html = new TextEncoder().encode("<!doctype html><html><body>Not a paper</body></html>");
    const notPdf = await upload(t, [{ name: "paper.pdf", data: html }]);
    expect(notPdf.status).toBe(415);
    expect((await errorOf(notPdf)).message).toMatch(/paper\.pdf is not a PDF/);

    const encrypted = await upload(t, [{ name: "locked.pdf", data: makeRc4Rev3EncryptedPdf() }]);
    expect(encrypted.status).toBe(422);
    const error = await errorOf(encrypted);
    expect(error.message).toMatch(/locked\.pdf: .*password-protected/);
    expect(error.hint).toMatch(/qpdf --decrypt/);

    // One good file among bad ones: the good one is queued, the bad one reported.
    const mixed = await upload(t, [
      { name: "fake.pdf", data: html },
      { name: "good.pdf", data: paper },
    ]);
    expect(mixed.status).toBe(202);
    const body = UploadResponseSchema.parse(await mixed.json());
    expect(body.accepted.map((f) => f.name)).toEqual(["good.pdf"]);
    expect(body.rejected).toEqual([expect.objectContaining({ name: "fake.pdf", status: 415 })]);
    await t.server.app.locals.jobs.idle();
    const stored = (await list(PAPER.title))[0]!;
    await fetch(`${t.url}/documents/${enc(stored.docId)}`, { method: "DELETE" });
    // Nothing is left in the temporary folder.
    expect(await readdir(path.join(t.config.server.uploadsDir, "tmp"))).toEqual([]);
  }, 60_000);

  it("a PDF that opens but has no text is skipped by the job with the reason, and its copy is not kept", async () => {
    const res = await upload(t, [{ name: "scan.pdf", data: await makeImageOnlyPdf() }]);
    expect(res.status).toBe(202);
    const { jobUrl } = UploadResponseSchema.parse(await res.json());
    const events = await readSse(await fetch(`${t.url}${jobUrl}`, { headers: { Accept: "text/event-stream" } }));
    await t.server.app.locals.jobs.idle();
    const job = IngestJobSchema.parse(await (await fetch(`${t.url}${jobUrl}`)).json());
    expect(job.state).toBe("done");
    expect(job.results).toEqual([expect.objectContaining({ type: "skipped", name: "scan.pdf", reason: "empty" })]);
    expect(job.summary?.skipped[0]?.path).toBe("scan.pdf");
    expect(events.some((e) => e.event === "file" || e.event === "job")).toBe(true);
    expect((await readdir(t.config.server.uploadsDir)).filter((f) => f.endsWith(".pdf"))).toEqual([]);
  });

  it("malformed uploads: not multipart, no file, another field, over the size limit", async () => {
    const json = await postJson(`${t.url}/documents`, { files: [] });
    expect(json.status).toBe(415);
    expect((await errorOf(json)).hint).toMatch(/multipart\/form-data/);

    const empty = new FormData();
    empty.append("note", "no files here");
    const none = await fetch(`${t.url}/documents`, { method: "POST", body: empty });
    expect(none.status).toBe(400);

    const wrongField = await fetch(`${t.url}/documents`, { method: "POST", body: form([{ name: "a.pdf", data: paper }], "pdf") });
    expect(wrongField.status).toBe(400);
    expect((await errorOf(wrongField)).hint).toMatch(/"files" field/);

    const big = new Uint8Array(3 * 1024 * 1024);
    big.set(new TextEncoder().encode("%PDF-1.7\n"));
    const tooLarge = await upload(t, [{ name: "big.pdf", data: big }]);
    expect(tooLarge.status).toBe(413);
    expect((await errorOf(tooLarge)).message).toMatch(/upload limit of 2 MB/);
    expect(await readdir(path.join(t.config.server.uploadsDir, "tmp"))).toEqual([]);
  });

  it("an upload while another writer holds the store waits, and the job says so", async () => {
    const release = await t.store.lockForWriting("a test writer");
    let released = false;
    try {
      const { jobUrl } = UploadResponseSchema.parse(await (await upload(t, [{ name: "waiting.pdf", data: paper }])).json());
      const stream = await fetch(`${t.url}${jobUrl}`, { headers: { Accept: "text/event-stream" } });
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      // Read until the notice arrives, then let the job go on and read to the end.
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (!released && /waiting for the a test writer in pid \d+, since [^"]+ to finish writing to FOLIO_HOME/.test(text)) {
          release();
          released = true;
        }
      }
      expect(released).toBe(true);
      expect(text).toMatch(/event: done\n/);
      expect(text).not.toContain(home);
    } finally {
      if (!released) release();
    }
    await t.server.app.locals.jobs.idle();
    const stored = (await list(PAPER.title))[0]!;
    await fetch(`${t.url}/documents/${enc(stored.docId)}`, { method: "DELETE" });
  }, 60_000);

  it("GET /ingest/{job}: 400 for a malformed id, 404 for an unknown one", async () => {
    expect((await fetch(`${t.url}/ingest/not-a-job`)).status).toBe(400);
    const unknown = await fetch(`${t.url}/ingest/00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).hint).toMatch(/upload again/);
  });
});

describe("library API with FOLIO_API_TOKEN", () => {
  let home: string;
  let t: TestServer;
  const token = "library-test-token-0123456789";

  beforeAll(async () => {
    home = await tempHome("documents-token");
    t = await startTestServer({ home, fill: false, env: { FOLIO_API_TOKEN: token } });
    await ingestDemo(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await removeDir(home);
  });

  it("every library route needs the bearer token; with it they work", async () => {
    const doc = DocumentListSchema.parse(await (await fetch(`${t.url}/documents`, { headers: { Authorization: `Bearer ${token}` } })).json()).documents[0]!;
    const routes: Array<[string, string]> = [
      ["GET", "/documents"],
      ["GET", `/documents/${enc(doc.docId)}`],
      ["GET", doc.pdfUrl],
      ["DELETE", `/documents/${enc(doc.docId)}`],
      ["GET", "/ingest/00000000-0000-4000-8000-000000000000"],
    ];
    for (const [method, route] of routes) expect((await fetch(`${t.url}${route}`, { method })).status, `${method} ${route}`).toBe(401);
    const paper = await makeTwoColumnPaper();
    expect((await upload(t, [{ name: "p.pdf", data: paper }])).status).toBe(401);
    expect(await readdir(t.config.server.uploadsDir).catch(() => [])).not.toContain("p.pdf");
    expect((await fetch(`${t.url}${doc.pdfUrl}`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(existsSync(path.join(t.config.server.uploadsDir, "tmp")) ? await readdir(path.join(t.config.server.uploadsDir, "tmp")) : []).toEqual([]);
  });
});

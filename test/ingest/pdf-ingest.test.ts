import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { PDFDocument, rgb } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FolioConfig } from "../../src/config.js";
import { ingest, type FileEvent } from "../../src/ingest/index.js";
import type { FolioStoreApi, SearchHit } from "../../src/store/types.js";
import { listenLocal } from "../servers/listen.js";
import { PAPERS, hasCorpus, openStore, optionsFor, removeDir, tempDir, testConfig, withTempStore } from "./helpers.js";
import { makePaperPdf, makeRc4Rev2EncryptedPdf } from "./pdf-fixtures.js";

const filler = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `This sentence ${i} explains ${topic} with enough words to form a real paragraph of running text.`).join(" ");

async function paper(): Promise<Uint8Array> {
  return makePaperPdf("Dense Retrieval for Testing", [
    { heading: "1 Introduction", paragraphs: [`Open-domain question answering needs alphaword retrieval. ${filler("retrieval", 6)}`, filler("motivation", 5)] },
    {
      heading: "2 Method",
      paragraphs: [`As shown in Figure 1, the betaword encoder maps questions and passages to vectors. ${filler("the encoder", 4)}`],
      figureCaption: "Figure 1: The retrieval pipeline with a dual encoder.",
    },
    { heading: "References", paragraphs: ["[1] V. Karpukhin et al. Dense passage retrieval for open-domain question answering. EMNLP 2020.", "[2] K. Lee et al. Latent retrieval for weakly supervised open domain question answering. ACL 2019."] },
  ]);
}

async function textlessPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([300, 300]).drawRectangle({ x: 20, y: 20, width: 200, height: 200, color: rgb(0.5, 0.5, 0.5) });
  return doc.save();
}

async function allHits(store: FolioStoreApi, docId: string, query: string): Promise<SearchHit[]> {
  return store.search({ text: query, mode: "sparse", k: 100, filters: { docIds: [docId], includeReferences: true } });
}

let root: string;
let config: FolioConfig;
let store: FolioStoreApi;

beforeAll(async () => {
  root = await tempDir("ingest-pdf");
  config = testConfig(path.join(root, "home"));
  store = await openStore(config);
});
afterAll(async () => {
  await store?.close();
  await removeDir(root);
});

describe("PDF ingest", () => {
  it("stores text chunks with page and section, references flagged, and a cropped figure with its mention", async () => {
    const dir = path.join(root, "papers");
    await mkdir(dir);
    await writeFile(path.join(dir, "dense.pdf"), await paper());
    const done: FileEvent[] = [];
    const summary = await ingest(store, [dir], optionsFor(config), { onFile: (e) => done.push(e) });
    expect(summary.skipped).toEqual([]);
    expect(summary).toMatchObject({ ingested: 1, pages: 3 });
    const event = done.find((e) => e.type === "done");
    if (event?.type !== "done") throw new Error("no done event");
    expect(event.figureLabels).toContain("Figure 1");
    const docId = event.docId;
    expect(docId).toMatch(/^file:/);

    const alpha = (await allHits(store, docId, "alphaword"))[0];
    expect(alpha?.metadata).toMatchObject({ kind: "text", page: 1, references: false });
    expect(alpha?.metadata.section).toMatch(/Introduction/);
    const beta = (await allHits(store, docId, "betaword")).find((h) => h.metadata.kind === "text");
    expect(beta?.metadata.page).toBe(2);
    const refs = (await allHits(store, docId, "Karpukhin passage")).filter((h) => h.metadata.kind === "text");
    expect(refs[0]?.metadata).toMatchObject({ page: 3, references: true });

    const figure = (await store.search({ text: "retrieval pipeline dual encoder", mode: "sparse", k: 5, filters: { kinds: ["figure"], docIds: [docId] } }))[0];
    expect(figure?.metadata).toMatchObject({ kind: "figure", figureLabel: "Figure 1", page: 2 });
    expect(figure?.metadata.caption).toContain("The retrieval pipeline with a dual encoder");
    expect(figure?.text).toContain("betaword encoder");
    expect(figure?.metadata.imageId).toBeTruthy();
    expect(existsSync(path.join(config.ingest.imagesDir, `${figure?.metadata.imageId}.png`))).toBe(true);
    // No page renders without image embeddings ("auto").
    expect(await store.count({ kinds: ["page"], docIds: [docId] })).toBe(0);
  });

  it("reports encrypted, broken, truncated, text-less and over-long PDFs with their reasons", async () => {
    const dir = path.join(root, "bad-pdfs");
    await mkdir(dir);
    const good = await paper();
    await writeFile(path.join(dir, "locked.pdf"), await makeRc4Rev2EncryptedPdf());
    await writeFile(path.join(dir, "garbage.pdf"), "%PDF-1.7\n1 0 obj << /Type /Catalog >> nonsense nonsense\n");
    await writeFile(path.join(dir, "cut.pdf"), good.subarray(0, Math.floor(good.length * 0.6)));
    await writeFile(path.join(dir, "scan.pdf"), await textlessPdf());
    // Not byte-identical to the paper stored above (that would be a copy of it, not a document).
    await writeFile(path.join(dir, "long.pdf"), Buffer.concat([good, Buffer.from("\n% another file\n")]));
    const summary = await ingest(store, [dir], optionsFor(config, { maxPages: 2, strict: true, pdfWorkers: 0 }));
    const reasons = Object.fromEntries(summary.skipped.map((s) => [path.basename(s.path), s.reason]));
    expect(reasons).toEqual({ "locked.pdf": "encrypted", "garbage.pdf": "broken", "cut.pdf": "broken", "scan.pdf": "empty", "long.pdf": "too-many-pages" });
    expect(summary.skipped.find((s) => s.reason === "encrypted")?.hint).toMatch(/password|decrypt/i);
    expect(summary.ok).toBe(false);
    expect(summary.ingested).toBe(0);
  });

  it("fetches arXiv ids from the configured base URL into the download cache", async () => {
    const body = Buffer.from(await paper());
    const server = http.createServer((req, res) => {
      if (req.url === "/pdf/2401.00001") {
        res.writeHead(200, { "content-type": "application/pdf", "content-length": body.length });
        res.end(body);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    const listener = await listenLocal(server);
    const base = `${listener.origin}/pdf/`;
    try {
      const summary = await ingest(store, ["arxiv:2401.00001v2", "arxiv:2401.99999"], optionsFor(config, { arxivBaseUrl: base }));
      expect(summary.ingested).toBe(1);
      expect(summary.skipped).toMatchObject([{ path: `${base}2401.99999`, reason: "fetch-failed" }]);
      const record = await store.getDocument("arxiv:2401.00001");
      expect(record).toMatchObject({ source: `${base}2401.00001`, pages: 3 });
      const hit = (await allHits(store, "arxiv:2401.00001", "alphaword"))[0];
      expect(hit?.metadata).toMatchObject({ arxivId: "2401.00001", page: 1 });
      expect(existsSync(path.join(config.home, "downloads"))).toBe(true);
    } finally {
      await listener.close();
    }
  });
});

describe.skipIf(!hasCorpus)("real papers (../shared/corpus/papers)", () => {
  it("ingests a real paper with exact page citations and page renders when asked", async () => {
    const file = path.join(PAPERS, "2007.01282.pdf");
    const summary = await ingest(store, [file], optionsFor(config, { renderPages: "always" }));
    expect(summary.skipped).toEqual([]);
    expect(summary.pages).toBe(6);
    const docId = "arxiv:2007.01282";
    const record = await store.getDocument(docId);
    expect(record?.source).toBe(file);
    expect(record?.figures).toBeGreaterThanOrEqual(2);
    const pages = await store.search({ text: "passages retrieval reader", mode: "sparse", k: 20, filters: { kinds: ["page"], docIds: [docId] } });
    expect(new Set(pages.map((p) => p.metadata.page)).size).toBeGreaterThan(3);
    for (const page of pages) expect(existsSync(path.join(config.ingest.imagesDir, `${page.metadata.imageId}.png`))).toBe(true);
    const pageText = new Map(pages.map((p) => [p.metadata.page, p.text.replace(/\s+/g, " ")]));
    const chunks = await store.search({ text: "passages retrieval reader model question", mode: "sparse", k: 60, filters: { kinds: ["text"], docIds: [docId], includeReferences: true } });
    expect(chunks.length).toBeGreaterThan(10);
    let checked = 0;
    let contained = 0;
    for (const chunk of chunks) {
      const text = pageText.get(chunk.metadata.page);
      if (!text) continue;
      checked++;
      // The chunk's first and last words come from its own page.
      const words = chunk.text.replace(/\s+/g, " ").split(" ");
      const head = words.slice(0, 4).join(" ");
      const tail = words.slice(-4).join(" ");
      if (text.includes(head) && text.includes(tail)) contained++;
    }
    expect(checked).toBeGreaterThan(5);
    expect(contained / checked).toBeGreaterThan(0.9);
  });

  it("gives the same chunks with concurrent files in the main thread as one file at a time", async () => {
    const files = ["1810.04805.pdf", "1502.03167.pdf"].map((f) => path.join(PAPERS, f));
    const counts = (concurrency: number) =>
      withTempStore(`ingest-concurrency-${concurrency}`, async ({ config: cfg, store: s }) => {
        const done: Record<string, number> = {};
        await ingest(s, files, optionsFor(cfg, { concurrency, pdfWorkers: 0, cropFigures: false }), {
          onFile: (e) => {
            if (e.type === "done") done[path.basename(e.path)] = e.chunks;
          },
        });
        return done;
      });
    const one = await counts(1);
    expect(Object.keys(one)).toHaveLength(2);
    expect(await counts(2)).toEqual(one);
  });
});

describe("PDF worker threads", () => {
  it("parse in a worker exactly as in the main thread", async () => {
    const dir = path.join(root, "workers");
    await mkdir(dir);
    await writeFile(path.join(dir, "w.pdf"), await paper());
    const inThread = testConfig(path.join(root, "home-thread"));
    const inWorker = testConfig(path.join(root, "home-worker"));
    const a = await openStore(inThread);
    const b = await openStore(inWorker);
    try {
      const sa = await ingest(a, [dir], optionsFor(inThread, { pdfWorkers: 0 }));
      const sb = await ingest(b, [dir], optionsFor(inWorker, { pdfWorkers: 1 }));
      expect(sb.warnings.filter((w) => w.includes("worker"))).toEqual([]);
      expect(sb).toMatchObject({ ingested: 1, pages: sa.pages, chunks: sa.chunks, figures: sa.figures });
      expect(await b.count()).toBe(await a.count());
      // the worker's crops reach the pipeline's image sink: the same images, by content
      const pngs = async (cfg: typeof inThread) => (await readdir(cfg.ingest.imagesDir)).filter((f) => f.endsWith(".png")).sort();
      expect((await pngs(inWorker)).length).toBeGreaterThan(0);
      expect(await pngs(inWorker)).toEqual(await pngs(inThread));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest, IngestSummarySchema, type FileEvent, type PhaseProgress } from "../../src/ingest/index.js";
import type { FolioConfig } from "../../src/config.js";
import type { FolioStoreApi } from "../../src/store/types.js";
import { listenLocal, type LocalListener } from "../servers/listen.js";
import { FIGURES, countWrites, hasFigures, openStore, optionsFor, removeDir, tempDir, testConfig, withTempStore } from "./helpers.js";

function png(width: number, height: number): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#aa3355";
  ctx.fillRect(2, 2, width - 4, height - 4);
  return canvas.encodeSync("png");
}

/** A PNG header claiming a huge size (the limit must be enforced before decoding). */
function hugePngHeader(): Buffer {
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write("IHDR", 12, "latin1");
  header.writeUInt32BE(20_000, 16);
  header.writeUInt32BE(20_000, 20);
  return header;
}

const ATTENTION_MD = `# Attention Notes

## 1 Model

The encoder maps an input sequence to a sequence of continuous representations zebrafish. As Figure 1 shows, the encoder stacks six identical layers.

![Figure 1: The Transformer - model architecture.](arch.png)

## 2 Training

We trained on WMT 2014 English-German with byte-pair encoding.

## References

- Vaswani et al. Attention is all you need. 2017.
`;

let root: string;
let home: string;
let config: FolioConfig;
let store: FolioStoreApi;
let corpus: string;

beforeAll(async () => {
  root = await tempDir("ingest-pipeline");
  home = path.join(root, "home");
  corpus = path.join(root, "corpus");
  await mkdir(path.join(corpus, "notes"), { recursive: true });
  await mkdir(path.join(corpus, "figures"), { recursive: true });
  await writeFile(path.join(corpus, "notes", "attention.md"), ATTENTION_MD);
  await writeFile(path.join(corpus, "notes", "arch.png"), png(64, 48));
  await writeFile(path.join(corpus, "notes", "plain.txt"), "Plain Notes\n\nBatch normalization reduces internal covariate shift in deep networks.\n\nIt allows higher learning rates.");
  if (hasFigures) {
    await copyFile(path.join(FIGURES, "transformer-architecture.png"), path.join(corpus, "figures", "transformer-architecture.png"));
    await writeFile(path.join(corpus, "figures", "transformer-architecture.txt"), "Figure 1: The Transformer - model architecture.");
    await copyFile(path.join(FIGURES, "multi-head-attention.png"), path.join(corpus, "figures", "multi-head-attention.png"));
  } else {
    await writeFile(path.join(corpus, "figures", "transformer-architecture.png"), png(100, 80));
    await writeFile(path.join(corpus, "figures", "transformer-architecture.txt"), "Figure 1: The Transformer - model architecture.");
    await writeFile(path.join(corpus, "figures", "multi-head-attention.png"), png(90, 70));
  }
  config = testConfig(home);
  store = await openStore(config);
});

afterAll(async () => {
  await store?.close();
  await removeDir(root);
});

describe("ingest of Markdown, text and images into the real embedded store", () => {
  let firstPoints = 0;

  it("ingests every document with section, kind, figure and image metadata", async () => {
    const progress: PhaseProgress[] = [];
    const files: FileEvent[] = [];
    const summary = await ingest(store, [corpus], optionsFor(config), { onProgress: (p) => progress.push(p), onFile: (f) => files.push(f) });
    IngestSummarySchema.parse(summary);
    // arch.png is linked from attention.md: a figure of that document, not a document of its own.
    expect(summary).toMatchObject({ ok: true, filesSeen: 4, ingested: 4, unchanged: 0, replaced: 0, skipped: [] });
    expect(summary.figures).toBe(3);
    firstPoints = await store.count();
    expect(firstPoints).toBe(summary.chunks);
    expect(files.filter((f) => f.type === "done")).toHaveLength(4);
    expect(files.some((f) => f.path.endsWith("arch.png"))).toBe(false);
    expect(progress.some((p) => p.phase === "parse" && p.done === 4 && p.total === 4)).toBe(true);
    expect(progress.some((p) => p.phase === "store" && p.done === summary.chunks)).toBe(true);

    const hits = await store.search({ text: "zebrafish encoder", mode: "sparse", k: 3 });
    expect(hits[0]?.metadata).toMatchObject({ kind: "text", section: "1 Model", title: "Attention Notes", references: false });
    const refs = await store.search({ text: "Vaswani attention need", mode: "sparse", k: 5, filters: { includeReferences: true } });
    expect(refs.find((h) => h.metadata.references)?.metadata.section).toBe("References");

    expect(await store.count({ kinds: ["figure"] })).toBe(3);
    const figures = [
      ...(await store.search({ text: "Transformer model architecture", mode: "sparse", k: 10, filters: { kinds: ["figure"] } })),
      ...(await store.search({ text: "multi head attention", mode: "sparse", k: 10, filters: { kinds: ["figure"] } })),
    ];
    const fromMarkdown = figures.find((h) => h.metadata.source.endsWith("attention.md"));
    expect(fromMarkdown?.metadata).toMatchObject({ figureLabel: "Figure 1", caption: "Figure 1: The Transformer - model architecture." });
    expect(fromMarkdown?.text).toContain("the encoder stacks six identical layers");
    const standalone = figures.find((h) => h.metadata.source.endsWith("transformer-architecture.png"));
    expect(standalone?.metadata).toMatchObject({ figureLabel: "Figure 1", caption: "Figure 1: The Transformer - model architecture." });
    const image = await readFile(path.join(config.ingest.imagesDir, `${standalone?.metadata.imageId}.png`));
    expect(image.subarray(1, 4).toString("latin1")).toBe("PNG");
    const fileNamed = figures.find((h) => h.metadata.source.endsWith("multi-head-attention.png"));
    expect(fileNamed?.metadata.caption).toBe("multi head attention");
    expect(fileNamed?.metadata.figureLabel).toBeUndefined();
    // The sidecar caption is not a document of its own.
    expect((await store.listDocuments()).some((d) => d.source.endsWith(".txt") && d.source.includes("figures"))).toBe(false);
  });

  it("skips everything on a second run without writing to the store", async () => {
    const { store: counted, writes } = countWrites(store);
    const files: FileEvent[] = [];
    const summary = await ingest(counted, [corpus], optionsFor(config), { onFile: (f) => files.push(f) });
    expect(summary).toMatchObject({ ok: true, filesSeen: 4, ingested: 0, unchanged: 4, chunks: 0 });
    expect(writes).toEqual({ put: 0, delete: 0 });
    expect(files.every((f) => f.type === "unchanged")).toBe(true);
    expect(await store.count()).toBe(firstPoints);

    const forced = await ingest(counted, [corpus], optionsFor(config, { force: true }));
    expect(forced).toMatchObject({ ingested: 4, replaced: 4, unchanged: 0 });
    expect(writes.put).toBe(4);
    expect(await store.count()).toBe(firstPoints);
  });

  it("replaces a changed file (old chunks gone) and re-ingests an image whose sidecar caption changed", async () => {
    await writeFile(path.join(corpus, "notes", "attention.md"), ATTENTION_MD.replace("zebrafish", "platypus"));
    await writeFile(path.join(corpus, "figures", "transformer-architecture.txt"), "Figure 1: The Transformer, encoder and decoder stacks.");
    const { store: counted, writes } = countWrites(store);
    const summary = await ingest(counted, [corpus], optionsFor(config));
    expect(summary).toMatchObject({ ingested: 2, replaced: 2, unchanged: 2 });
    expect(writes.put).toBe(2);
    const old = await store.search({ text: "zebrafish", mode: "sparse", k: 5 });
    expect(old).toHaveLength(0);
    const fresh = await store.search({ text: "platypus", mode: "sparse", k: 5 });
    expect(fresh[0]?.metadata.source).toMatch(/attention\.md$/);
    expect(await store.count()).toBe(firstPoints);
    // A changed image linked from the Markdown file re-ingests that document.
    await writeFile(path.join(corpus, "notes", "arch.png"), png(80, 60));
    const relinked = await ingest(store, [corpus], optionsFor(config));
    expect(relinked).toMatchObject({ ingested: 1, replaced: 1 });
  });

  it("prunes documents whose files are gone, only under the given folders", async () => {
    const elsewhere = path.join(root, "elsewhere");
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, "keep.txt"), "Keep Me\n\nA note outside the corpus folder that must survive pruning.");
    expect((await ingest(store, [elsewhere], optionsFor(config))).ingested).toBe(1);
    const plain = (await store.listDocuments()).find((d) => d.source.endsWith("plain.txt"));
    expect(plain).toBeDefined();
    await rm(path.join(corpus, "notes", "plain.txt"));

    const without = await ingest(store, [corpus], optionsFor(config));
    expect(without.pruned).toBe(0);
    expect(await store.getDocument(plain!.docId)).not.toBeNull();

    const files: FileEvent[] = [];
    const summary = await ingest(store, [corpus], optionsFor(config, { prune: true }), { onFile: (f) => files.push(f) });
    expect(summary.pruned).toBe(1);
    expect(files.find((f) => f.type === "pruned")).toMatchObject({ docId: plain!.docId });
    expect(await store.getDocument(plain!.docId)).toBeNull();
    expect(await store.count({ docIds: [plain!.docId] })).toBe(0);
    expect((await store.listDocuments()).some((d) => d.source.endsWith("keep.txt"))).toBe(true);
  });
});

describe("document ids across runs", () => {
  it("adds nothing when a subfolder of an ingested folder is ingested, and keeps same-named folders apart", async () => {
    await withTempStore("ingest-ids", async ({ dir: base, config: idsConfig, store: idsStore }) => {
      const first = path.join(base, "a", "papers");
      const second = path.join(base, "b", "papers");
      await mkdir(path.join(first, "sub"), { recursive: true });
      await mkdir(second, { recursive: true });
      await writeFile(path.join(first, "sub", "notes.txt"), "Group notes\n\nThe okapi weighting saturates term frequency.");
      await writeFile(path.join(first, "top.txt"), "Top notes\n\nReciprocal rank fusion merges ranked lists.");
      const whole = await ingest(idsStore, [first], optionsFor(idsConfig));
      expect(whole.ingested).toBe(2);
      const points = await idsStore.count();

      // The same file reached through its subfolder is the same document.
      const sub = await ingest(idsStore, [path.join(first, "sub")], optionsFor(idsConfig));
      expect(sub).toMatchObject({ ingested: 0, unchanged: 1 });
      expect(await idsStore.count()).toBe(points);
      expect(await idsStore.listDocuments()).toHaveLength(2);

      // Another folder called "papers" with a file of the same relative path: a document of its own.
      await mkdir(path.join(second, "sub"), { recursive: true });
      await writeFile(path.join(second, "sub", "notes.txt"), "Other notes\n\nColBERT scores with late interaction and MaxSim.");
      const other = await ingest(idsStore, [second], optionsFor(idsConfig));
      expect(other).toMatchObject({ ingested: 1, replaced: 0 });
      const docs = await idsStore.listDocuments();
      expect(docs.map((d) => d.source).sort()).toEqual([path.join(first, "sub", "notes.txt"), path.join(first, "top.txt"), path.join(second, "sub", "notes.txt")].sort());
      expect(new Set(docs.map((d) => d.docId)).size).toBe(3);
      expect((await idsStore.search({ text: "okapi saturates", mode: "sparse", k: 1 }))[0]?.text).toMatch(/okapi/);
      expect((await idsStore.search({ text: "MaxSim late interaction", mode: "sparse", k: 1 }))[0]?.text).toMatch(/MaxSim/);
    });
  });
});

describe("bad files", () => {
  it("reports each bad file with its reason, carries on, and strict makes the result a failure", async () => {
    const dir = path.join(root, "bad");
    await mkdir(dir);
    await writeFile(path.join(dir, "landing-page.pdf"), "<!DOCTYPE html><html><body>Download</body></html>");
    await writeFile(path.join(dir, "empty.md"), "");
    await writeFile(path.join(dir, "blank.txt"), "   \n\n  ");
    await writeFile(path.join(dir, "big.txt"), "word ".repeat(30_000));
    await writeFile(path.join(dir, "huge.png"), hugePngHeader());
    await writeFile(path.join(dir, "photo.jpg"), "not really a jpeg");
    await writeFile(path.join(dir, "good.md"), "# Good\n\nA perfectly fine note about retrieval.");
    await withTempStore("ingest-bad-home", async ({ config: cfg, store: badStore }) => {
      const options = optionsFor(cfg, { maxFileBytes: 100_000, maxImagePixels: 20_000_000 });
      const summary = await ingest(badStore, [dir, path.join(dir, "missing.pdf"), path.join(dir, "..", "bad", "good.md")], options);
      const reasons = Object.fromEntries(summary.skipped.map((s) => [path.basename(s.path), s.reason]));
      expect(reasons).toEqual({
        "landing-page.pdf": "mislabelled",
        "empty.md": "empty",
        "blank.txt": "empty",
        "big.txt": "too-large",
        "huge.png": "image-too-large",
        "photo.jpg": "mislabelled",
        "missing.pdf": "not-found",
      });
      expect(summary.skipped.find((s) => s.reason === "mislabelled" && s.path.endsWith(".pdf"))?.detail).toContain("HTML");
      for (const s of summary.skipped) expect(s.hint.length).toBeGreaterThan(10);
      expect(summary.ingested).toBe(1);
      expect(summary.ok).toBe(true);
      const strict = await ingest(badStore, [dir], { ...options, strict: true });
      expect(strict.ok).toBe(false);
      expect(strict.unchanged).toBe(1);
    });
  });
});

describe("manifest and downloads", () => {
  let server: LocalListener;
  let base: string;
  let requests: string[] = [];

  beforeAll(async () => {
    const handler = http.createServer((req, res) => {
      requests.push(req.url ?? "");
      if (req.url === "/notes/rag.md") {
        res.writeHead(200, { "content-type": "text/markdown" });
        res.end("# Retrieval-Augmented Generation\n\nRAG combines parametric memory with a dense vector index of Wikipedia.");
      } else if (req.url === "/pdf/2005.11401") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!DOCTYPE html><html>captcha</html>");
      } else {
        res.writeHead(404);
        res.end("not found");
      }
    });
    server = await listenLocal(handler);
    base = server.origin;
  });
  afterAll(async () => {
    await server.close();
  });

  it("applies manifest metadata, fetches URLs into the cache, and skips failing URLs with a reason", async () => {
    const dir = path.join(root, "manifested");
    await mkdir(dir);
    await writeFile(path.join(dir, "paper.md"), "# draft title\n\nDense passage retrieval uses a dual encoder.");
    const manifest = path.join(root, "manifest.jsonl");
    const closedPort = `http://127.0.0.1:9/unreachable.pdf`;
    await writeFile(
      manifest,
      [
        JSON.stringify({ path: "manifested/paper.md", title: "Dense Passage Retrieval", authors: ["Vladimir Karpukhin", "Barlas Oguz"], year: 2020, doi: "10.18653/v1/2020.emnlp-main.550", arxiv: "2004.04906" }),
        JSON.stringify({ url: `${base}/notes/rag.md`, title: "RAG notes", year: 2020 }),
        JSON.stringify({ url: `${base}/missing.pdf` }),
        JSON.stringify({ url: closedPort }),
        JSON.stringify({ arxiv: "2005.11401" }),
      ].join("\n"),
    );
    await withTempStore("ingest-manifest-home", async ({ config: cfg, store: mstore }) => {
      const options = optionsFor(cfg, { manifest, arxivBaseUrl: `${base}/pdf/`, fetchTimeoutMs: 5_000 });
      const summary = await ingest(mstore, [dir], options);
      expect(summary.ingested).toBe(2);
      const reasons = Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason]));
      expect(reasons).toEqual({ [`${base}/missing.pdf`]: "fetch-failed", [closedPort]: "fetch-failed", [`${base}/pdf/2005.11401`]: "mislabelled" });
      expect(summary.skipped.find((s) => s.path.endsWith("missing.pdf"))?.detail).toContain("404");

      const record = await mstore.getDocument("arxiv:2004.04906");
      expect(record).toMatchObject({ title: "Dense Passage Retrieval", authors: ["Vladimir Karpukhin", "Barlas Oguz"], year: 2020 });
      const hits = await mstore.search({ text: "dual encoder", mode: "sparse", k: 1 });
      expect(hits[0]?.metadata).toMatchObject({ docId: "arxiv:2004.04906", doi: "10.18653/v1/2020.emnlp-main.550", arxivId: "2004.04906", year: 2020 });
      const rag = await mstore.search({ text: "parametric memory Wikipedia", mode: "sparse", k: 1 });
      expect(rag[0]?.metadata).toMatchObject({ title: "RAG notes", source: `${base}/notes/rag.md`, year: 2020 });

      // Second run: the download comes from the cache, nothing is re-ingested.
      requests = [];
      const again = await ingest(mstore, [dir], options);
      expect(again.unchanged).toBe(2);
      expect(requests).not.toContain("/notes/rag.md");
    });
  });
});

describe("abort", () => {
  it("stops early with aborted=true and ok=false", async () => {
    const dir = path.join(root, "many");
    await mkdir(dir);
    for (let i = 0; i < 12; i++) await writeFile(path.join(dir, `n${i}.md`), `# Note ${i}\n\nText number ${i} about sparse retrieval.`);
    await withTempStore("ingest-abort-home", async ({ config: cfg, store: astore }) => {
      const controller = new AbortController();
      const summary = await ingest(astore, [dir], optionsFor(cfg, { signal: controller.signal }), {
        onFile: (f) => {
          if (f.type === "done") controller.abort();
        },
      });
      expect(summary.aborted).toBe(true);
      expect(summary.ok).toBe(false);
      expect(summary.ingested).toBeLessThan(12);
      const resumed = await ingest(astore, [dir], optionsFor(cfg));
      expect(resumed.ingested + resumed.unchanged).toBe(12);
      expect((await astore.listDocuments()).length).toBe(12);
    });
  });
});

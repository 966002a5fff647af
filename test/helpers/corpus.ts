/**
 * The test corpus of the chat, CLI, server and web tests: two small handwritten papers (text
 * chunks, a figure and a page with real PNGs under FOLIO_HOME/images, embedded as images when the
 * store can), a references chunk, written to the real embedded store.
 */
import path from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { afterAll, beforeAll } from "vitest";
import type { FolioConfig } from "../../src/config.js";
import { createEmbeddings, type JinaEmbeddingsOptions } from "../../src/embeddings/index.js";
import { openFolioStore } from "../../src/store/index.js";
import { saveImage } from "../../src/store/images.js";
import type { ChunkInput, ChunkMetadata, FolioStoreApi } from "../../src/store/types.js";
import { testConfig } from "./config.js";
import { removeDir, tempDir } from "./tmp.js";

/** The image ids of the corpus's figure and page. */
export interface Corpus {
  figureImageId: string;
  pageImageId: string;
}

export interface ChatFixture extends Corpus {
  home: string;
  config: FolioConfig;
  store: FolioStoreApi;
  close(): Promise<void>;
}

export async function savePng(imagesDir: string, label: string, width = 320, height = 200): Promise<string> {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, width, height);
  g.fillStyle = "#1f7a5a";
  g.fillRect(20, 60, 80, 120);
  g.fillStyle = "#000000";
  g.font = "16px sans-serif";
  g.fillText(label, 10, 30);
  // Saved exactly as ingest saves images, so ids have the real format.
  return saveImage(imagesDir, canvas.toBuffer("image/png"));
}

function meta(base: Pick<ChunkMetadata, "docId" | "title" | "authors" | "year" | "source">, kind: ChunkMetadata["kind"], chunkIndex: number, extra: Partial<ChunkMetadata> = {}): ChunkMetadata {
  return { ...base, kind, chunkIndex, references: false, ...extra };
}

export async function fillCorpus(store: FolioStoreApi, config: FolioConfig): Promise<Corpus> {
  const figureImageId = await savePng(config.ingest.imagesDir, "Figure 1: Transformer architecture");
  const pageImageId = await savePng(config.ingest.imagesDir, "Page 3", 200, 280);
  const attention = { docId: "attention-2017", title: "Attention Is All You Need", authors: ["Ashish Vaswani"], year: 2017, source: "papers/attention.pdf" };
  const texts = [
    "The Transformer is a model architecture eschewing recurrence and instead relying entirely on an attention mechanism to draw global dependencies between input and output.",
    "The encoder is composed of a stack of N = 6 identical layers. Each encoder layer has two sub-layers: multi-head self-attention and a position-wise feed-forward network.",
    "Multi-head attention allows the model to jointly attend to information from different representation subspaces at different positions. We employ h = 8 parallel attention heads.",
    "On the WMT 2014 English-to-German translation task, the big Transformer model achieves a BLEU score of 28.4, outperforming the best previously reported models.",
  ];
  const chunks: ChunkInput[] = texts.map((text, i) => ({ text, metadata: meta(attention, "text", i, { page: i + 2, section: "Model Architecture" }) }));
  chunks.push({
    text: "Figure 1: The Transformer - model architecture. The encoder and decoder stacks are shown side by side.",
    metadata: meta(attention, "figure", 0, { page: 3, figureLabel: "Figure 1", caption: "The Transformer - model architecture.", imageId: figureImageId }),
    image: path.join(config.ingest.imagesDir, `${figureImageId}.png`),
  });
  chunks.push({
    text: "3 Model Architecture. Most competitive neural sequence transduction models have an encoder-decoder structure.",
    metadata: meta(attention, "page", 0, { page: 3, imageId: pageImageId }),
    image: path.join(config.ingest.imagesDir, `${pageImageId}.png`),
  });
  chunks.push({
    text: "[12] Sepp Hochreiter and Jürgen Schmidhuber. Long short-term memory. Neural computation, 1997. Transformer encoder attention.",
    metadata: meta(attention, "text", 10, { page: 11, references: true, section: "References" }),
  });
  await store.putDocument({ ...attention, contentHash: "a".repeat(64), pages: 11, chunks: chunks.length, figures: 1 }, chunks);

  const resnet = { docId: "resnet-2015", title: "Deep Residual Learning for Image Recognition", authors: ["Kaiming He"], year: 2015, source: "papers/resnet.pdf" };
  const resnetTexts = [
    "We present a residual learning framework to ease the training of networks that are substantially deeper than those used previously.",
    "Residual connections reformulate the layers as learning residual functions with reference to the layer inputs, instead of learning unreferenced functions.",
    "On the ImageNet dataset we evaluate residual nets with a depth of up to 152 layers, 8 times deeper than VGG nets but still having lower complexity.",
  ];
  const resnetChunks: ChunkInput[] = resnetTexts.map((text, i) => ({ text, metadata: meta(resnet, "text", i, { page: i + 1 }) }));
  await store.putDocument({ ...resnet, contentHash: "b".repeat(64), pages: 12, chunks: resnetChunks.length, figures: 0 }, resnetChunks);
  return { figureImageId, pageImageId };
}

/**
 * A temp FOLIO_HOME with the real embedded store filled with the corpus. The store embeds with
 * createEmbeddings(config, options.embeddings): Jina when `env` names an endpoint, else BM25 only.
 */
export async function openChatFixture(env: Record<string, string | number | boolean> = {}, options: { fill?: boolean; embeddings?: Partial<JinaEmbeddingsOptions> } = {}): Promise<ChatFixture> {
  const home = await tempDir("chat");
  const config = testConfig(home, env);
  const store = await openFolioStore(config, createEmbeddings(config, options.embeddings));
  const ids = options.fill === false ? { figureImageId: "", pageImageId: "" } : await fillCorpus(store, config);
  return {
    home,
    config,
    store,
    ...ids,
    async close() {
      await store.close();
      await removeDir(home);
    },
  };
}

/** openChatFixture() for the file's tests (opened in beforeAll, closed in afterAll); call the result for the fixture. */
export function useChatFixture(): () => ChatFixture {
  let fx: ChatFixture | undefined;
  beforeAll(async () => {
    fx = await openChatFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });
  return () => {
    if (!fx) throw new Error("the chat fixture is not open (used outside the tests?)");
    return fx;
  };
}

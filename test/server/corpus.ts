/**
 * The test corpus for the server tests and the web test: two small papers (text, a figure and a
 * page with real PNGs) written to the real store, in a temp FOLIO_HOME.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { saveImage } from "../../src/ingest/images-store.js";
import { loadConfig, type FolioConfig } from "../../src/config.js";
import type { ChunkInput, ChunkMetadata, FolioStoreApi } from "../../src/store/types.js";

export async function tempHome(prefix = "server"): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `folio-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A config from an empty environment (embedded store, BM25, extractive) plus overrides. */
export function testConfig(home: string, env: Record<string, string | number> = {}, server: Partial<FolioConfig["server"]> = {}): FolioConfig {
  const base = loadConfig({ FOLIO_HOME: home, ...env }, {}, home);
  return { ...base, server: { ...base.server, host: "127.0.0.1", port: 0, ...server } };
}

/** A small PNG with a visible drawing, saved as ingest saves images (content-addressed, 16-hex id). */
export async function savePng(imagesDir: string, label: string, width = 480, height = 300): Promise<string> {
  const canvas = createCanvas(width, height);
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, width, height);
  g.strokeStyle = "#2354a6";
  g.lineWidth = 3;
  g.strokeRect(8, 8, width - 16, height - 16);
  const bars = [0.35, 0.6, 0.8, 0.5, 0.9];
  bars.forEach((h, i) => {
    g.fillStyle = i % 2 ? "#7a3e9d" : "#1f7a5a";
    g.fillRect(40 + i * 80, height - 50 - h * (height - 120), 50, h * (height - 120));
  });
  g.fillStyle = "#1f2328";
  g.font = "20px sans-serif";
  g.fillText(label, 30, 40);
  const png = canvas.toBuffer("image/png");
  return saveImage(imagesDir, png);
}

export interface Corpus {
  figureImageId: string;
  pageImageId: string;
}

function meta(base: Omit<ChunkMetadata, "kind" | "chunkIndex" | "references">, kind: ChunkMetadata["kind"], chunkIndex: number, extra: Partial<ChunkMetadata> = {}): ChunkMetadata {
  return { ...base, kind, chunkIndex, references: false, ...extra };
}

/** Two small papers: the Transformer (text, a figure, a page) and ResNet (text). */
export async function fillStore(store: FolioStoreApi, config: FolioConfig): Promise<Corpus> {
  const figureImageId = await savePng(config.ingest.imagesDir, "Figure 1: The Transformer - model architecture");
  const pageImageId = await savePng(config.ingest.imagesDir, "Page 3 of Attention Is All You Need", 420, 560);
  const attention = { docId: "attention-2017", title: "Attention Is All You Need", authors: ["Ashish Vaswani"], year: 2017, source: "papers/1706.03762.pdf" };
  const attentionTexts = [
    "The Transformer is a model architecture eschewing recurrence and instead relying entirely on an attention mechanism to draw global dependencies between input and output.",
    "Multi-head attention allows the model to jointly attend to information from different representation subspaces at different positions. We employ h = 8 parallel attention layers, or heads.",
    "Scaled dot-product attention computes the dot products of the query with all keys, divides each by the square root of the key dimension, and applies a softmax function to obtain the weights on the values.",
    "Self-attention layers connect all positions with a constant number of sequentially executed operations, whereas a recurrent layer requires a linear number of sequential operations.",
  ];
  const attentionChunks: ChunkInput[] = attentionTexts.map((text, i) => ({ text, metadata: meta(attention, "text", i, { page: i + 2, section: "Model Architecture" }) }));
  attentionChunks.push({
    text: "Figure 1: The Transformer - model architecture. The encoder and decoder stacks use multi-head self-attention and point-wise fully connected layers.",
    metadata: meta(attention, "figure", 0, { page: 3, figureLabel: "Figure 1", caption: "The Transformer - model architecture.", imageId: figureImageId }),
    image: path.join(config.ingest.imagesDir, `${figureImageId}.png`),
  });
  attentionChunks.push({
    text: "3 Model Architecture. Most competitive neural sequence transduction models have an encoder-decoder structure. The Transformer follows this overall architecture using stacked self-attention.",
    metadata: meta(attention, "page", 0, { page: 3, imageId: pageImageId }),
    image: path.join(config.ingest.imagesDir, `${pageImageId}.png`),
  });
  await store.putDocument({ ...attention, contentHash: "a".repeat(64), pages: 15, chunks: attentionChunks.length, figures: 1 }, attentionChunks);

  const resnet = { docId: "resnet-2015", title: "Deep Residual Learning for Image Recognition", authors: ["Kaiming He"], year: 2015, source: "papers/1512.03385.pdf" };
  const resnetTexts = [
    "We present a residual learning framework to ease the training of networks that are substantially deeper than those used previously.",
    "Residual connections reformulate the layers as learning residual functions with reference to the layer inputs, instead of learning unreferenced functions.",
    "On the ImageNet dataset we evaluate residual nets with a depth of up to 152 layers, 8 times deeper than VGG nets but still having lower complexity.",
  ];
  const resnetChunks: ChunkInput[] = resnetTexts.map((text, i) => ({ text, metadata: meta(resnet, "text", i, { page: i + 1 }) }));
  await store.putDocument({ ...resnet, contentHash: "b".repeat(64), pages: 12, chunks: resnetChunks.length, figures: 0 }, resnetChunks);
  return { figureImageId, pageImageId };
}


/** Test fixtures for the store: a config, a client (embedded in memory, or QDRANT_URL's server) and a tiny corpus. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { loadConfig, type FolioConfig, type RawEnv } from "../../../src/config.js";
import { createQdrantClient } from "../../../src/store/client.js";
import { documentsCollectionName } from "../../../src/store/collection.js";
import { LocalQdrantClient } from "../../../src/store/local/index.js";
import type { ChunkInput, ChunkKind, ChunkMetadata, DocumentInput } from "../../../src/store/types.js";

export const SERVER_URL = process.env.QDRANT_URL;

type Overrides = Partial<Record<keyof RawEnv, string | number | boolean | undefined>>;

/** A config isolated from the developer's environment; a server only when QDRANT_URL is set. */
export function testConfig(overrides: Overrides = {}): FolioConfig {
  const home = mkdtempSync(path.join(os.tmpdir(), "folio-store-test-"));
  tempDirs.push(home);
  const env: NodeJS.ProcessEnv = SERVER_URL ? { QDRANT_URL: SERVER_URL, QDRANT_API_KEY: process.env.QDRANT_API_KEY } : {};
  return loadConfig({ FOLIO_HOME: home, FOLIO_COLLECTION: `t_${randomUUID().slice(0, 8)}`, ...overrides }, env);
}

const tempDirs: string[] = [];
const opened: Array<{ client: QdrantClient; collection: string }> = [];

/** The embedded store in memory, or the server; collections are dropped by `cleanup()`. */
export function testClient(config: FolioConfig): QdrantClient {
  const client = SERVER_URL ? createQdrantClient(config) : new LocalQdrantClient({ path: ":memory:" });
  opened.push({ client, collection: config.collection });
  return client;
}

export async function cleanup(): Promise<void> {
  for (const { client, collection } of opened.splice(0)) {
    if (SERVER_URL) {
      for (const name of [collection, documentsCollectionName(collection)]) await client.deleteCollection(name).catch(() => undefined);
    }
    const closable = client as unknown as { close?: () => unknown };
    if (typeof closable.close === "function") await Promise.resolve(closable.close()).catch(() => undefined);
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function meta(docId: string, kind: ChunkKind, chunkIndex: number, extra: Partial<ChunkMetadata> = {}): ChunkMetadata {
  const paper = PAPERS[docId];
  return {
    docId,
    title: paper?.title ?? docId,
    authors: [],
    year: paper?.year,
    source: `${docId}.pdf`,
    kind,
    chunkIndex,
    references: false,
    ...extra,
  };
}

export function docInput(docId: string, chunks: ChunkInput[]): DocumentInput {
  const paper = PAPERS[docId];
  return {
    docId,
    source: `${docId}.pdf`,
    contentHash: `hash-${docId}-${chunks.length}`,
    title: paper?.title ?? docId,
    authors: [],
    year: paper?.year,
    pages: 3,
    chunks: chunks.filter((c) => c.metadata.kind === "text").length,
    figures: chunks.filter((c) => c.metadata.kind === "figure").length,
  };
}

const PAPERS: Record<string, { title: string; year: number }> = {
  transformer: { title: "Attention Is All You Need", year: 2017 },
  resnet: { title: "Deep Residual Learning for Image Recognition", year: 2015 },
  bert: { title: "BERT: Pre-training of Deep Bidirectional Transformers", year: 2019 },
};

/** Three small papers with text chunks, a figure each and a references chunk. */
export type PaperId = "transformer" | "resnet" | "bert";

export function corpus(): Record<PaperId, ChunkInput[]> {
  return {
    transformer: [
      { text: "The Transformer relies entirely on self-attention to compute representations of its input and output without recurrence.", metadata: meta("transformer", "text", 0, { page: 1 }) },
      { text: "Multi-head attention lets the model jointly attend to information from different representation subspaces.", metadata: meta("transformer", "text", 1, { page: 2 }) },
      { text: "Positional encodings use sine and cosine functions of different frequencies, added to the input embeddings.", metadata: meta("transformer", "text", 2, { page: 2 }) },
      { text: "Figure 1: The Transformer model architecture with encoder and decoder stacks.", metadata: meta("transformer", "figure", 3, { page: 3, figureLabel: "Figure 1", caption: "The Transformer model architecture" }) },
      { text: "References: Bahdanau et al. Neural machine translation by jointly learning to align and translate. Positional encodings survey.", metadata: meta("transformer", "text", 4, { page: 3, references: true, section: "References" }) },
    ],
    resnet: [
      { text: "Residual learning reformulates layers as learning residual functions with reference to the layer inputs.", metadata: meta("resnet", "text", 0, { page: 1 }) },
      { text: "Shortcut connections perform identity mapping and their outputs are added to the outputs of the stacked layers.", metadata: meta("resnet", "text", 1, { page: 2 }) },
      { text: "On ImageNet our 152-layer residual net has lower complexity than VGG nets and wins ILSVRC 2015 classification.", metadata: meta("resnet", "text", 2, { page: 2 }) },
      { text: "Figure 2: Residual learning: a building block with a shortcut connection.", metadata: meta("resnet", "figure", 3, { page: 2, figureLabel: "Figure 2", caption: "Residual learning: a building block" }) },
    ],
    bert: [
      { text: "BERT pre-trains deep bidirectional representations from unlabeled text by jointly conditioning on left and right context.", metadata: meta("bert", "text", 0, { page: 1 }) },
      { text: "The masked language model randomly masks some of the tokens from the input, and the objective is to predict the masked word.", metadata: meta("bert", "text", 1, { page: 2 }) },
      { text: "BERT-base has 12 layers, hidden size 768 and 110M parameters; BERT-large has 24 layers.", metadata: meta("bert", "text", 2, { page: 3 }) },
      { text: "Figure 3: Overall pre-training and fine-tuning procedures for BERT.", metadata: meta("bert", "figure", 3, { page: 3, figureLabel: "Figure 3", caption: "Pre-training and fine-tuning" }) },
    ],
  };
}

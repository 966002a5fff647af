import { describe, expect, it } from "vitest";
import path from "node:path";
import { describeConfig, loadConfig } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

describe("loadConfig", () => {
  it("runs every part embedded when no key or URL is set", () => {
    const config = loadConfig({}, {}, "/work/x");
    expect(config.home).toBe(path.resolve("/work/x", ".folio"));
    expect(config.qdrant).toMatchObject({ mode: "embedded", path: path.resolve("/work/x", ".folio", "qdrant"), writerWaitMs: 600_000 });
    expect(config.qdrant.cluster).toEqual({ shards: 1, replicas: 1, writeConsistency: 1, onDisk: false, quantization: "none", bulkDocuments: 50, readRetries: 3, indexingThreshold: 10_000 });
    expect(config.embeddings.mode).toBe("none");
    expect(config.llm.mode).toBe("extractive");
    expect(config.collection).toBe("folio");
    expect(config.secrets).toEqual([]);
  });

  it("switches each part to its service by key or URL alone", () => {
    const config = loadConfig({}, { QDRANT_URL: "http://localhost:6333", QDRANT_API_KEY: "qk-123456", JINA_API_KEY: "jina_abcdefghijklmnop", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }, "/tmp");
    expect(config.qdrant).toMatchObject({ mode: "server", url: "http://localhost:6333", apiKey: "qk-123456" });
    expect(config.embeddings.mode === "jina" && config.embeddings.endpoint).toBe("api");
    expect(config.embeddings.mode === "jina" && config.embeddings.dimensions).toBe(1024);
    expect(config.llm.mode === "openai" && config.llm.baseUrl).toBe("http://127.0.0.1:9/v1");
    expect(config.secrets.sort()).toEqual(["jina_abcdefghijklmnop", "qk-123456"].sort());
  });

  it("treats a JINA_BASE_URL of our own as a self-hosted endpoint that needs no key", () => {
    const config = loadConfig({}, { JINA_BASE_URL: "http://127.0.0.1:8080/v1/", JINA_FORMAT: "openai" });
    expect(config.embeddings).toMatchObject({ mode: "jina", endpoint: "self-hosted", baseUrl: "http://127.0.0.1:8080/v1", format: "openai" });
  });

  it("lets overrides (CLI flags) win over the environment, and ignores empty values", () => {
    const config = loadConfig({ FOLIO_HOME: "/data/folio", FOLIO_COLLECTION: "papers" }, { FOLIO_HOME: "/elsewhere", FOLIO_COLLECTION: "x", QDRANT_URL: "" }, "/");
    expect(config.home).toBe("/data/folio");
    expect(config.collection).toBe("papers");
    expect(config.qdrant.mode).toBe("embedded");
  });

  it("parses numbers and booleans from strings", () => {
    const config = loadConfig({}, { FOLIO_TOP_K: "12", JINA_API_KEY: "k".repeat(20), FOLIO_MULTIVECTOR: "yes", JINA_DIMENSIONS: "256", FOLIO_MAX_FILE_MB: "1.5" });
    expect(config.search.topK).toBe(12);
    expect(config.embeddings.mode === "jina" && config.embeddings.multivector).toBe(true);
    expect(config.embeddings.mode === "jina" && config.embeddings.dimensions).toBe(256);
    expect(config.ingest.maxFileBytes).toBe(Math.round(1.5 * 1024 * 1024));
  });

  it("picks the PDF text engine: PDFium by default, pdf.js on request, nothing else", () => {
    expect(loadConfig({}, {}).ingest.pdfTextEngine).toBe("pdfium");
    expect(loadConfig({}, { FOLIO_PDF_TEXT_ENGINE: "pdfjs" }).ingest.pdfTextEngine).toBe("pdfjs");
    expect(() => loadConfig({}, { FOLIO_PDF_TEXT_ENGINE: "poppler" })).toThrow(/FOLIO_PDF_TEXT_ENGINE/);
  });

  it("picks the PDF render engine the same way, independently of the text engine", () => {
    expect(loadConfig({}, {}).ingest.pdfRenderEngine).toBe("pdfium");
    const pdfjs = loadConfig({}, { FOLIO_PDF_RENDER_ENGINE: "pdfjs" }).ingest;
    expect([pdfjs.pdfRenderEngine, pdfjs.pdfTextEngine]).toEqual(["pdfjs", "pdfium"]);
    expect(() => loadConfig({}, { FOLIO_PDF_RENDER_ENGINE: "mupdf" })).toThrow(/FOLIO_PDF_RENDER_ENGINE/);
  });

  it("rejects a dimension that is not a Matryoshka size, naming the variable and the accepted values", () => {
    expect(() => loadConfig({}, { JINA_DIMENSIONS: "300" })).toThrow(ConfigError);
    expect(() => loadConfig({}, { JINA_DIMENSIONS: "300" })).toThrow(/JINA_DIMENSIONS: must be one of 128, 256, 512, 1024, 2048/);
  });

  it("rejects malformed values with a hint", () => {
    let error: unknown;
    try {
      loadConfig({}, { QDRANT_URL: "not a url", FOLIO_TOP_K: "zero", FOLIO_COLLECTION: "bad name!" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/QDRANT_URL/);
    expect(message).toMatch(/FOLIO_TOP_K/);
    expect(message).toMatch(/FOLIO_COLLECTION/);
    expect((error as ConfigError).hint).toMatch(/folio config/);
  });

  it("requires a key for Jina's own API", () => {
    expect(() => loadConfig({}, { JINA_BASE_URL: "https://api.jina.ai/v1" })).toThrow(/JINA_API_KEY/);
  });
});

describe("describeConfig", () => {
  it("masks every secret and says which parts run embedded", () => {
    const secrets = { JINA_API_KEY: "jina_secretsecretsecret1234", OPENAI_API_KEY: "sk-secretsecretsecret5678", QDRANT_API_KEY: "qdrant-secret-xyz", FOLIO_API_TOKEN: "tok-abcdefghijklmnopqrst" };
    const text = JSON.stringify(describeConfig(loadConfig({}, secrets)));
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    expect(text).toContain("***1234");
    const embedded = describeConfig(loadConfig({}, {})) as Record<string, { mode: string }>;
    expect(embedded.store?.mode).toBe("embedded");
    expect(embedded.embeddings?.mode).toBe("none");
    expect(embedded.llm?.mode).toBe("extractive");
  });
});

describe("Qdrant cluster settings", () => {
  it("reads shards, replicas, consistency, on-disk and quantization, and refuses a consistency no write could meet", () => {
    const config = loadConfig({ QDRANT_URL: "http://q:6333", FOLIO_QDRANT_SHARDS: "6", FOLIO_QDRANT_REPLICAS: "3", FOLIO_QDRANT_WRITE_CONSISTENCY: "2", FOLIO_QDRANT_ON_DISK: "true", FOLIO_QDRANT_QUANTIZATION: "int8" }, {});
    expect(config.qdrant.cluster).toMatchObject({ shards: 6, replicas: 3, writeConsistency: 2, onDisk: true, quantization: "int8" });
    expect(() => loadConfig({ FOLIO_QDRANT_REPLICAS: "2", FOLIO_QDRANT_WRITE_CONSISTENCY: "3" }, {})).toThrow(/FOLIO_QDRANT_WRITE_CONSISTENCY/);
    expect(() => loadConfig({ FOLIO_QDRANT_QUANTIZATION: "binary" }, {})).toThrow(/FOLIO_QDRANT_QUANTIZATION/);
  });
});

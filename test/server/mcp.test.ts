/**
 * Folio's MCP server through the official MCP SDK client: over Streamable HTTP (`/mcp` on the real
 * app) and over stdio (`folio mcp` as a child process, as Claude Desktop starts it), on the demo
 * PDFs: list the tools, call each one, read the image content and the paper resources, and get MCP
 * errors (never a crash) for an unknown tool, missing arguments, k out of range, an empty question.
 */
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest, ingestOptionsFromConfig } from "../../src/ingest/index.js";
import { packagePath } from "../../src/util/paths.js";
import { removeDir, startTestServer, tempHome, type TestServer } from "./helpers.js";

const TOOLS = ["ask", "get_figure", "get_page", "get_paper", "list_papers", "search"];
const PNG_MAGIC = "iVBORw0KGgo";

type Content = CallToolResult["content"][number];
const texts = (result: CallToolResult) =>
  result.content
    .filter((c): c is Extract<Content, { type: "text" }> => c.type === "text")
    .map((c) => c.text)
    .join("\n");

/** A tool call's failure as the client sees it: a tool error result, or a JSON-RPC error thrown. */
async function toolFailure(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  try {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError).toBe(true);
    return texts(result);
  } catch (error) {
    return (error as Error).message;
  }
}

describe("MCP server", () => {
  let home: string;
  let t: TestServer;
  let client: Client;
  let hybridId: string;
  let lateId: string;

  beforeAll(async () => {
    home = await tempHome("mcp");
    t = await startTestServer({ home, fill: false });
    await ingest(t.store, [packagePath("data", "papers")], ingestOptionsFromConfig(t.config));
    const records = await t.store.listDocuments();
    hybridId = records.find((r) => r.title.startsWith("Dense, Sparse"))!.docId;
    lateId = records.find((r) => r.title.startsWith("Late Interaction"))!.docId;
    client = new Client({ name: "folio-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`)));
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await t?.close();
    await removeDir(home);
  });

  it("lists its tools, each with a description and a JSON schema", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe("object");
    }
    const search = tools.find((tool) => tool.name === "search")!;
    expect(search.inputSchema.required).toEqual(["query"]);
  });

  it("search returns ranked passages with paper, page and a citation string", async () => {
    const result = (await client.callTool({ name: "search", arguments: { query: "reciprocal rank fusion", k: 3 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const hits = (result.structuredContent as { hits: Array<{ docId: string; page?: number; citation: string }> }).hits;
    expect(hits).toHaveLength(3);
    expect(hits[0]!.docId).toBe(hybridId);
    expect(hits[0]!.citation).toMatch(/^\[1\] Dense, Sparse and Hybrid Retrieval, p\. \d/);
    expect(texts(result)).toContain(hits[0]!.citation);
    const figures = (await client.callTool({ name: "search", arguments: { query: "MaxSim", kind: "figure", paper: lateId } })) as CallToolResult;
    const figureHits = (figures.structuredContent as { hits: Array<{ kind: string; docId: string }> }).hits;
    expect(figureHits.length).toBeGreaterThan(0);
    expect(figureHits.every((h) => h.kind === "figure" && h.docId === lateId)).toBe(true);
  });

  it("ask answers with [n] markers and page references", async () => {
    const result = (await client.callTool({ name: "ask", arguments: { question: "What does MaxSim compute?" } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(texts(result)).toMatch(/\[1\][\s\S]*\n\nReferences\n\[1\] Late Interaction and Multi-Vector Retrieval, p\. \d/);
    const citations = (result.structuredContent as { citations: Array<{ docId: string; page?: number }> }).citations;
    expect(citations[0]).toMatchObject({ docId: lateId });
  });

  it("list_papers, get_paper and the paper resources read the library", async () => {
    const list = (await client.callTool({ name: "list_papers", arguments: {} })) as CallToolResult;
    expect((list.structuredContent as { papers: unknown[] }).papers).toHaveLength(4);
    const some = (await client.callTool({ name: "list_papers", arguments: { query: "hybrid" } })) as CallToolResult;
    expect(texts(some)).toMatch(new RegExp(`^${hybridId}: Dense, Sparse and Hybrid Retrieval \\(2025\\)`));

    const paper = texts((await client.callTool({ name: "get_paper", arguments: { paper: lateId } })) as CallToolResult);
    expect(paper).toMatch(/^# Late Interaction and Multi-Vector Retrieval/);
    expect(paper).toMatch(/## Abstract\n\n\S/);
    expect(paper).toMatch(/- Figure 1 \(p\. \d\): /);
    expect(paper).toMatch(/```bibtex\n@misc\{/);

    const { resources } = await client.listResources();
    expect(resources).toHaveLength(4);
    const uri = resources.find((r) => r.name.startsWith("Late Interaction"))!.uri;
    expect(uri).toBe(`folio://paper/${encodeURIComponent(lateId)}`);
    const read = await client.readResource({ uri });
    expect((read.contents[0] as { text: string }).text).toBe(paper);
  });

  it("get_figure returns the crop as image content with its caption; get_page the page's text", async () => {
    const figure = (await client.callTool({ name: "get_figure", arguments: { paper: lateId, label: "Fig. 1" } })) as CallToolResult;
    expect(figure.isError).toBeFalsy();
    const image = figure.content.find((c): c is Extract<Content, { type: "image" }> => c.type === "image")!;
    expect(image.mimeType).toBe("image/png");
    expect(image.data.startsWith(PNG_MAGIC)).toBe(true);
    expect(Buffer.from(image.data, "base64").length).toBeGreaterThan(1_000);
    expect(texts(figure)).toMatch(/^Figure 1, page \d of "Late Interaction and Multi-Vector Retrieval"[\s\S]*Figure 1: /);

    const missing = await toolFailure(client, "get_figure", { paper: lateId, label: "Figure 9" });
    expect(missing).toMatch(/has no Figure 9\.\nhint: Its figures and tables: (Figure \d|Table \d)(, (Figure|Table) \d)+\./);

    const page = (await client.callTool({ name: "get_page", arguments: { paper: hybridId, page: 1 } })) as CallToolResult;
    expect(texts(page)).toMatch(/^Dense, Sparse and Hybrid Retrieval, page 1\n\n[\s\S]*reciprocal rank fusion/i);
    const beyond = await toolFailure(client, "get_page", { paper: hybridId, page: 40 });
    expect(beyond).toMatch(/has 2 pages, not 40/);
  });

  it("bad calls are MCP errors with what to do, and the server keeps serving", async () => {
    expect(await toolFailure(client, "no_such_tool", {})).toMatch(/no_such_tool/);
    expect(await toolFailure(client, "search", {})).toMatch(/query/);
    expect(await toolFailure(client, "search", { query: "bm25", k: 500 })).toMatch(/k/);
    expect(await toolFailure(client, "ask", { question: "   " })).toMatch(/question/);
    expect(await toolFailure(client, "get_paper", { paper: "file:0000" })).toMatch(/No paper "file:0000"[\s\S]*hint: Call list_papers/);
    const after = (await client.callTool({ name: "list_papers", arguments: {} })) as CallToolResult;
    expect(after.isError).toBeFalsy();
  });

  it("`folio mcp` over stdio speaks only protocol on stdout", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", "tsx", path.join(packagePath("src"), "cli", "main.ts"), "mcp"],
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? home, FOLIO_HOME: home },
      stderr: "pipe",
      // tsx is resolved from the project; the store is the one FOLIO_HOME names.
      cwd: packagePath(),
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const errors: string[] = [];
    const stdio = new Client({ name: "folio-stdio-test", version: "1.0.0" });
    stdio.onerror = (error) => errors.push(error.message);
    try {
      await stdio.connect(transport);
      expect((await stdio.listTools()).tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
      const answer = (await stdio.callTool({ name: "ask", arguments: { question: "What is reciprocal rank fusion?" } })) as CallToolResult;
      expect(texts(answer)).toMatch(/References\n\[1\] Dense, Sparse and Hybrid Retrieval, p\. \d/);
      expect(errors).toEqual([]);
      expect(stderr).toMatch(/Folio MCP server on stdio: 4 papers/);
    } finally {
      await stdio.close();
    }
  }, 60_000);
});

describe("MCP over HTTP with FOLIO_API_TOKEN", () => {
  it("needs the bearer token", async () => {
    const home = await tempHome("mcp-token");
    const token = "mcp-token-0123456789";
    const t = await startTestServer({ home, env: { FOLIO_API_TOKEN: token } });
    try {
      const refused = new Client({ name: "t", version: "1" });
      await expect(refused.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`)))).rejects.toThrow(/401|token/i);
      const allowed = new Client({ name: "t", version: "1" });
      await allowed.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      expect((await allowed.listTools()).tools).toHaveLength(TOOLS.length);
      await allowed.close();
      expect((await fetch(`${t.url}/mcp`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(405);
    } finally {
      await t.close();
      await removeDir(home);
    }
  });
});

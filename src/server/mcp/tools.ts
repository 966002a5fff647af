/**
 * Folio as a Model Context Protocol server (the official TypeScript SDK): tools an assistant calls
 * to search the library, ask a cited question, list and read papers, and look at a figure or a page;
 * resources `folio://paper/{id}`. The same server runs over stdio (`folio mcp`) and Streamable
 * HTTP (`/mcp` on `folio serve`). Tool failures come back as MCP tool errors with Folio's hint.
 */
import { readFile } from "node:fs/promises";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { contentWithReferences, locationOf } from "../../chat/context.js";
import { figureCount, papersOf } from "../../chat/library.js";
import type { Answerer } from "../../chat/types.js";
import type { FolioConfig } from "../../config.js";
import { errorMessage, isFolioError, NotFoundError } from "../../errors.js";
import type { DocumentRecord, FolioStoreApi, SearchFilters, SearchHit } from "../../store/types.js";
import { redact } from "../../util/redact.js";
import { paperDetail, pageText } from "./reading.js";

export interface McpDeps {
  config: FolioConfig;
  store: FolioStoreApi;
  answerer: Answerer;
  version: string;
}

const Paper = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(50)]).describe("Paper id(s) as list_papers gives them (docId)");

const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

/**
 * Runs a tool; a failure is a tool error (isError) with what to do, never a stack trace. Only
 * Folio's own errors are shown as they are: others (a file system error naming a server path) are
 * logged on stderr and reported in general terms.
 */
async function safely(config: FolioConfig, run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    if (isFolioError(error)) return { isError: true, content: [{ type: "text", text: redact(`${error.message}\nhint: ${error.hint}`, config.secrets) }] };
    process.stderr.write(`${redact(`folio mcp: ${errorMessage(error)}`, config.secrets)}\n`);
    return { isError: true, content: [{ type: "text", text: "The tool failed on the server.\nhint: Try again; if it keeps failing, the server's log (stderr) says why." }] };
  }
}

function filtersOf(args: { paper?: string | string[]; kind?: "text" | "page" | "figure"; year?: number }): SearchFilters {
  return {
    ...(args.paper ? { docIds: Array.isArray(args.paper) ? args.paper : [args.paper] } : {}),
    ...(args.kind ? { kinds: [args.kind] } : {}),
    ...(args.year ? { year: { gte: args.year, lte: args.year } } : {}),
  };
}

/** "[1] Attention Is All You Need, p. 3, Figure 1 (paper arxiv:1706.03762)" */
function citationLine(n: number, hit: SearchHit): string {
  const m = hit.metadata;
  return `[${n}] ${locationOf({ title: m.title, page: m.page, figureLabel: m.figureLabel })} (paper ${m.docId})`;
}

async function recordOrThrow(store: FolioStoreApi, docId: string): Promise<DocumentRecord> {
  const record = await store.getDocument(docId);
  if (!record) throw new NotFoundError(`No paper "${docId}" in the library.`, "Call list_papers for the ids.");
  return record;
}

function registerSearchTools(server: McpServer, deps: McpDeps): void {
  const { config, store, answerer } = deps;
  server.registerTool(
    "search",
    {
      title: "Search the papers",
      description:
        "Search the research papers in the user's Folio library for passages, figures, tables and pages that match a query. Returns ranked hits, each with its paper, page, figure or table label and a short citation string to quote. Use it to find evidence; use `ask` for a written, cited answer.",
      inputSchema: {
        query: z.string().trim().min(1).describe("What to look for, in words"),
        k: z.number().int().min(1).max(50).optional().describe("How many hits (default 8)"),
        paper: Paper.optional(),
        kind: z.enum(["text", "page", "figure"]).optional().describe("Only passages (text), page images (page) or figures and tables (figure)"),
        year: z.number().int().min(1000).max(3000).optional().describe("Only papers of this year"),
      },
    },
    (args) =>
      safely(config, async () => {
        // (search is one query; ask below honours a cancelled call)
        const hits = await store.search({ text: args.query, k: args.k ?? config.search.topK, filters: filtersOf(args) });
        const lines = hits.map((h, i) => `${citationLine(i + 1, h)}\n${h.text.replace(/\s+/g, " ").slice(0, 600)}`);
        const structured = hits.map((h, i) => ({ n: i + 1, docId: h.metadata.docId, title: h.metadata.title, kind: h.metadata.kind, page: h.metadata.page, figureLabel: h.metadata.figureLabel, citation: citationLine(i + 1, h), text: h.text, score: h.score }));
        return { ...text(lines.length ? lines.join("\n\n") : "No matching passages."), structuredContent: { hits: structured } };
      }),
  );
  server.registerTool(
    "ask",
    {
      title: "Ask the papers",
      description:
        "Answer a question from the papers in the user's Folio library. The answer cites its sources with [n] markers and ends with a References list (paper, page, figure). Say in your reply which sources support what.",
      inputSchema: { question: z.string().trim().min(1).describe("The question"), paper: Paper.optional(), k: z.number().int().min(1).max(50).optional().describe("How many sources to read (default 8)") },
    },
    (args, extra) =>
      safely(config, async () => {
        // A cancelled call (notifications/cancelled, a closed HTTP request) stops retrieval and the LLM.
        const answer = await answerer.answer({ question: args.question, ...(args.k ? { k: args.k } : {}), filters: filtersOf(args), signal: extra.signal });
        const citations = answer.citations.map((c) => ({ n: c.n, docId: c.docId, title: c.title, page: c.page, figureLabel: c.figureLabel, snippet: c.snippet }));
        return { ...text(contentWithReferences(answer)), structuredContent: { answer: answer.answer, citations, unanswered: answer.unanswered } };
      }),
  );
}

function registerReadingTools(server: McpServer, deps: McpDeps): void {
  const { config, store } = deps;
  server.registerTool(
    "list_papers",
    {
      title: "List the papers",
      description: "List the papers in the user's Folio library: id, title, authors, year, pages and figures. Optionally only those whose title or authors contain every word of `query`.",
      inputSchema: { query: z.string().optional().describe("Words of a title or author") },
    },
    (args) =>
      safely(config, async () => {
        const words = (args.query ?? "").toLowerCase().split(/\s+/).filter(Boolean);
        // Figure images stored on their own are listed as figures of their paper, not as papers.
        const records = papersOf(await store.listDocuments()).map((p) => ({ ...p.record, figures: figureCount(p) })).filter((r) => words.every((w) => `${r.title} ${r.authors.join(" ")}`.toLowerCase().includes(w)));
        const lines = records.map((r) => `${r.docId}: ${r.title}${r.year ? ` (${r.year})` : ""}, ${r.authors.slice(0, 3).join(", ")}${r.authors.length > 3 ? " et al." : ""}; ${r.pages} pages, ${r.figures} figures and tables`);
        const papers = records.map((r) => ({ docId: r.docId, title: r.title, authors: r.authors, year: r.year, pages: r.pages, figures: r.figures }));
        return { ...text(lines.length ? lines.join("\n") : "The library has no such papers."), structuredContent: { papers } };
      }),
  );
  server.registerTool(
    "get_paper",
    {
      title: "Read a paper's record",
      description: "A paper's metadata, abstract, section headings, figure and table list and BibTeX.",
      inputSchema: { paper: z.string().min(1).describe("The paper's id (docId)") },
    },
    (args) => safely(config, async () => text(await paperDetail(store, await recordOrThrow(store, args.paper)))),
  );
  server.registerTool(
    "get_figure",
    {
      title: "Look at a figure or table",
      description: 'The image of a figure or table (as cropped from its page) with its caption. Give the paper id and the label as the paper prints it ("Figure 3", "Table 2").',
      inputSchema: { paper: z.string().min(1).describe("The paper's id (docId)"), label: z.string().min(1).describe('"Figure 3", "Fig. 3", "Table 2"') },
    },
    (args) => safely(config, async () => figureResult(deps, await recordOrThrow(store, args.paper), args.label)),
  );
  server.registerTool(
    "get_page",
    {
      title: "Read a page",
      description: "The text of one page of a paper, and the page's image when the library keeps page images.",
      inputSchema: { paper: z.string().min(1).describe("The paper's id (docId)"), page: z.number().int().min(1).describe("1-based page number") },
    },
    (args) =>
      safely(config, async () => {
        const record = await recordOrThrow(store, args.paper);
        if (args.page > record.pages) throw new NotFoundError(`"${record.title}" has ${record.pages} pages, not ${args.page}.`, `Ask for a page from 1 to ${record.pages}.`);
        const page = await pageText(store, record.docId, args.page);
        const content: CallToolResult["content"] = [{ type: "text", text: `${record.title}, page ${args.page}\n\n${page.text || "(no text on this page)"}` }];
        if (page.imageId) content.push({ type: "image", data: (await readFile(store.images.pathOf(page.imageId))).toString("base64"), mimeType: "image/png" });
        return { content };
      }),
  );
}

const normaliseLabel = (label: string) =>
  label
    .trim()
    .replace(/^fig(?:ure)?\.?\s*/i, "Figure ")
    .replace(/^tab(?:le)?\.?\s*/i, "Table ")
    .replace(/\s+/g, " ")
    .toLowerCase();

async function figureResult(deps: McpDeps, record: DocumentRecord, label: string): Promise<CallToolResult> {
  const figures = await deps.store.find({ docIds: [record.docId], kinds: ["figure"] }, 1_000);
  const wanted = normaliseLabel(label);
  const hit = figures.find((f) => normaliseLabel(f.metadata.figureLabel ?? "") === wanted);
  if (!hit) {
    const known = [...figures]
      .sort((a, b) => (a.metadata.page ?? 0) - (b.metadata.page ?? 0))
      .map((f) => f.metadata.figureLabel)
      .filter(Boolean)
      .join(", ");
    throw new NotFoundError(`"${record.title}" has no ${label}.`, known ? `Its figures and tables: ${known}.` : "It has no figures or tables on record.");
  }
  const m = hit.metadata;
  const content: CallToolResult["content"] = [{ type: "text", text: `${m.figureLabel ?? label}, page ${m.page ?? "?"} of "${record.title}" (paper ${record.docId})\n\n${m.caption ?? hit.text}` }];
  if (m.imageId) content.push({ type: "image", data: (await readFile(deps.store.images.pathOf(m.imageId))).toString("base64"), mimeType: "image/png" });
  else content.push({ type: "text", text: "(No image was cropped for it: the library was ingested without figure images.)" });
  return { content };
}

/** An MCP server over the library; connect it to a transport (stdio or Streamable HTTP). */
export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer({ name: "folio", version: deps.version }, { instructions: "Folio is the user's library of research papers. Search it, ask it cited questions, and read papers, figures and pages. Cite what you use with the paper, page and figure the tools give." });
  registerSearchTools(server, deps);
  registerReadingTools(server, deps);
  server.registerResource(
    "paper",
    new ResourceTemplate("folio://paper/{id}", {
      list: async () => ({ resources: (await deps.store.listDocuments()).map((r) => ({ uri: `folio://paper/${encodeURIComponent(r.docId)}`, name: r.title, mimeType: "text/markdown" })) }),
    }),
    { title: "A paper in the library", description: "A paper's record: metadata, abstract, sections, figures, BibTeX", mimeType: "text/markdown" },
    async (uri, variables) => {
      const id = decodeURIComponent(String(variables.id ?? ""));
      const record = await recordOrThrow(deps.store, id);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: await paperDetail(deps.store, record) }] };
    },
  );
  return server;
}

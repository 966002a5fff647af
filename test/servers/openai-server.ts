/**
 * THE local OpenAI-compatible chat server for Folio's tests and benchmarks: a real HTTP server
 * (node:http on 127.0.0.1, port 0) speaking the Chat Completions wire format.
 *
 * - `POST /v1/chat/completions`: validates the body (model, messages with string content or
 *   content-part arrays of text and image_url, stream, temperature ...). `stream: true` answers as
 *   server-sent events (`data: {chat.completion.chunk}` lines, then `data: [DONE]`), else one JSON
 *   `chat.completion`. Invalid bodies get 400 with an OpenAI-style `{"error": {...}}`.
 * - `GET /v1/models`: the models list.
 *
 * Replies are deterministic and useful:
 * - a condense prompt (it asks for a "standalone question") is answered with the follow-up question
 *   plus the previous user question: "<follow-up> (following up on: <previous question>)";
 * - an answer prompt with numbered sources ("[1] <header>" then the source text, Folio's layout) is
 *   answered by quoting the first sentence of source [1] and citing it: "<sentence> [1]";
 * - anything else: "The corpus does not answer this."
 *
 * Usage:
 * ```ts
 * const server = await startOpenAITestServer({ apiKey: "sk-test" });
 * loadConfig({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-test" });   // server.url ends with /v1
 * server.requests;   // every request: path, headers, parsed body, status, kind, text of the prompt, images
 * await server.close();
 * ```
 *
 * Options (all optional):
 * - `reply`: a function from the request to the reply text (or undefined for the default reply).
 * - `apiKey`: requests need `Authorization: Bearer <apiKey>`, else 401.
 * - `models`: accepted model names (default: any); others -> 404 model_not_found.
 * - `faults`: scripted answers consumed one per chat request in arrival order: "ok", "reset",
 *   { status, body?, retryAfter? } (e.g. { status: 429 }), or { delayMs }.
 * - `chunkDelayMs`: pause between streamed chunks (for cancellation tests).
 * - `wordsPerChunk`: words per streamed chunk (default 1).
 */
import http from "node:http";
import { z } from "zod";
import { listenLocal, readBody } from "./listen.js";

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() }).passthrough();
const ImagePartSchema = z
  .object({
    type: z.literal("image_url"),
    image_url: z.object({
      url: z.string().refine((u) => /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(u) || /^https?:\/\//.test(u), "image_url.url must be an http(s) URL or a base64 data:image/... URI"),
      detail: z.enum(["auto", "low", "high"]).optional(),
    }),
  })
  .passthrough();
const ContentSchema = z.union([z.string(), z.array(z.union([TextPartSchema, ImagePartSchema])).min(1)]);
const MessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: ContentSchema, name: z.string().optional() }).passthrough(),
  z.object({ role: z.literal("developer"), content: ContentSchema }).passthrough(),
  z.object({ role: z.literal("user"), content: ContentSchema, name: z.string().optional() }).passthrough(),
  z.object({ role: z.literal("assistant"), content: ContentSchema.nullable().optional() }).passthrough(),
  z.object({ role: z.literal("tool"), content: ContentSchema, tool_call_id: z.string() }).passthrough(),
]);
export const ChatCompletionRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(MessageSchema).min(1),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    n: z.literal(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    stop: z.union([z.string(), z.array(z.string())]).optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().optional(),
  })
  .passthrough();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export type OpenAIServerFault = "ok" | "reset" | { status: number; body?: unknown; retryAfter?: string } | { delayMs: number };

export interface RecordedChatRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body?: ChatCompletionRequest;
  status: number;
  stream: boolean;
  /** What the prompt asks for, as the default replier sees it. */
  kind: "condense" | "answer" | "other";
  /** The text of all messages, joined (for assertions). */
  text: string;
  /** The image_url URLs in the messages. */
  images: string[];
  /** The reply text sent (for 200 answers). */
  reply?: string;
  /** Streamed answers: content chunks written, and whether the client hung up before the end. */
  chunksSent?: number;
  clientClosed?: boolean;
}

export interface OpenAITestServerOptions {
  reply?: (request: RecordedChatRequest) => string | undefined | Promise<string | undefined>;
  apiKey?: string;
  models?: string[];
  faults?: OpenAIServerFault[];
  chunkDelayMs?: number;
  wordsPerChunk?: number;
}

export interface OpenAITestServer {
  /** Base URL ending with /v1, as OPENAI_BASE_URL takes it. */
  url: string;
  requests: RecordedChatRequest[];
  /** Chat requests only. */
  readonly chatRequests: RecordedChatRequest[];
  close(): Promise<void>;
}

function partText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p: { type?: string; text?: string }) => (p.type === "text" ? (p.text ?? "") : "")).join("\n");
  return "";
}

function partImages(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return content.filter((p: { type?: string }) => p.type === "image_url").map((p: { image_url: { url: string } }) => p.image_url.url);
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const match = /^.*?[.!?](?=\s+[A-Z0-9"(]|$)/.exec(flat);
  return (match ? match[0] : flat).trim();
}

/** The default reply (see the module comment). */
export function defaultReply(request: Pick<RecordedChatRequest, "kind" | "text">): string {
  if (request.kind === "condense") {
    const followUp = /Follow-up question:\s*(.+)/.exec(request.text)?.[1]?.trim() ?? "";
    const previous = [...request.text.matchAll(/^User:\s*(.+)$/gm)].at(-1)?.[1]?.trim();
    return previous ? `${followUp} (following up on: ${previous})` : followUp;
  }
  if (request.kind === "answer") {
    const lines = request.text.split(/\r?\n/);
    const header = lines.findIndex((l) => /^\[1\] /.test(l));
    const body: string[] = [];
    for (const line of lines.slice(header + 1)) {
      if (!line.trim() || /^\[\d+\] /.test(line)) break;
      body.push(line);
    }
    const sentence = firstSentence(body.join(" "));
    if (sentence) return `${sentence.replace(/[.!?]$/, "")} [1].`;
  }
  return "The corpus does not answer this.";
}

function classify(text: string): RecordedChatRequest["kind"] {
  if (/standalone question/i.test(text)) return "condense";
  if (/^\[1\] /m.test(text)) return "answer";
  return "other";
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startOpenAITestServer(options: OpenAITestServerOptions = {}): Promise<OpenAITestServer> {
  const requests: RecordedChatRequest[] = [];
  const faults = [...(options.faults ?? [])];
  let counter = 0;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    const record: RecordedChatRequest = { method: req.method ?? "GET", path: url.pathname, headers: req.headers, status: 200, stream: false, kind: "other", text: "", images: [] };
    requests.push(record);
    const fail = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, body, headers);
    };

    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return fail(401, openAiError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      const models = options.models ?? ["gpt-4o-mini"];
      return sendJson(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "folio-test" })) });
    }
    if (url.pathname !== "/v1/chat/completions") return fail(404, openAiError(`Unknown path ${url.pathname}`, "invalid_request_error", "not_found"));
    if (req.method !== "POST") return fail(405, openAiError("Use POST.", "invalid_request_error", "method_not_allowed"));

    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return fail(400, openAiError("The body is not valid JSON.", "invalid_request_error", "invalid_json"));
    }
    const parsed = ChatCompletionRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(400, openAiError(`Invalid request: ${issue?.path.join(".")}: ${issue?.message}`, "invalid_request_error", "invalid_value", issue?.path.join(".") ?? null));
    }
    const body = parsed.data;
    record.body = body;
    record.stream = body.stream === true;
    record.text = body.messages.map((m) => partText(m.content)).join("\n\n");
    record.images = body.messages.flatMap((m) => partImages(m.content));
    record.kind = classify(record.text);
    if (options.models && !options.models.includes(body.model)) {
      return fail(404, openAiError(`The model \`${body.model}\` does not exist.`, "invalid_request_error", "model_not_found", "model"));
    }

    const fault = faults.shift();
    if (fault === "reset") {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault && fault !== "ok") {
      if ("delayMs" in fault) await sleep(fault.delayMs);
      else {
        const headers: Record<string, string> = fault.retryAfter ? { "retry-after": fault.retryAfter } : {};
        return fail(fault.status, fault.body ?? openAiError(fault.status === 429 ? "Rate limit reached." : "The server had an error.", fault.status === 429 ? "requests" : "server_error", null), headers);
      }
    }

    const text = (await options.reply?.(record)) ?? defaultReply(record);
    record.reply = text;
    const id = `chatcmpl-${++counter}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: Math.ceil(record.text.length / 4), completion_tokens: Math.ceil(text.length / 4), total_tokens: Math.ceil((record.text.length + text.length) / 4) };
    if (!record.stream) {
      return sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
        usage,
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    const base = { id, object: "chat.completion.chunk", created, model: body.model };
    send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    const words = text.match(/\s*\S+\s*/g) ?? [];
    const per = Math.max(1, options.wordsPerChunk ?? 1);
    record.chunksSent = 0;
    for (let i = 0; i < words.length; i += per) {
      if (options.chunkDelayMs) await sleep(options.chunkDelayMs);
      if (res.destroyed || req.socket.destroyed) {
        record.clientClosed = true;
        return;
      }
      send({ ...base, choices: [{ index: 0, delta: { content: words.slice(i, i + per).join("") }, finish_reason: null }] });
      record.chunksSent++;
    }
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
    if (body.stream_options?.include_usage) send({ ...base, choices: [], usage });
    res.write("data: [DONE]\n\n");
    res.end();
  });
  const listener = await listenLocal(server);
  return {
    url: `${listener.origin}/v1`,
    requests,
    get chatRequests() {
      return requests.filter((r) => r.path === "/v1/chat/completions");
    },
    close: listener.close,
  };
}

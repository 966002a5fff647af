/**
 * An OpenAI-compatible chat API, so any OpenAI client or chat front end (the openai npm and Python
 * clients, Open WebUI, LibreChat) can use Folio as a model named `folio`:
 * - GET /v1/models lists it;
 * - POST /v1/chat/completions answers the last user message, with the earlier messages as the
 *   conversation, streamed (`stream: true`, OpenAI's chunk format ending in `data: [DONE]`) or not.
 * The answer keeps its [n] markers and ends with a references section; the structured sources go in
 * an extra `folio` field that clients ignore. Errors use OpenAI's shape (middleware/errors.ts).
 */
import { randomUUID } from "node:crypto";
import { Router, type Response } from "express";
import { contentWithReferences } from "../../chat/context.js";
import type { Answer, AnswerRequest, ChatTurn } from "../../chat/types.js";
import { estimateTokens } from "../../ingest/index.js";
import type { ServerContext } from "../context.js";
import { requestImage, toHttpCitation } from "../context.js";
import { HttpError, toErrorResponse } from "../http-errors.js";
import { validateBody, validatedBody } from "../middleware/validate.js";
import { ChatCompletionBodySchema, FOLIO_MODEL, messageParts, ModelOptionsSchema, parseModelName, type ChatCompletionBody } from "../openai-schemas.js";
import { describeZodError } from "../schemas.js";
import { abortOnDisconnect } from "../disconnect.js";
import { SseWriter } from "../sse.js";

interface Question {
  request: Omit<AnswerRequest, "signal">;
  model: string;
}

/** The last user message is the question; the user and assistant messages before it, the conversation. */
async function questionOf(ctx: ServerContext, body: ChatCompletionBody, signal: AbortSignal): Promise<Question> {
  const parsedName = parseModelName(body.model);
  if (!parsedName) throw new HttpError(404, "NOT_FOUND", `The model "${body.model.slice(0, 80)}" does not exist.`, `This server has one model, "${FOLIO_MODEL}" (options as a suffix: ${FOLIO_MODEL}@k=8,paper=<docId>). GET /v1/models lists it.`, "model");
  const suffix = ModelOptionsSchema.safeParse(parsedName.options);
  if (!suffix.success) throw new HttpError(400, "INPUT", `Invalid model options: ${describeZodError(suffix.error, "model")}.`, `Use ${FOLIO_MODEL}@k=<1..50>,paper=<docId>.`, "model");
  const lastUser = body.messages.map((m) => m.role).lastIndexOf("user");
  if (lastUser === -1) throw new HttpError(400, "INPUT", "There is no user message to answer.", 'Send messages ending with {"role": "user", "content": "your question"}.', "messages");
  const { text, image } = messageParts(body.messages[lastUser]!);
  if (!text.trim() && !image) throw new HttpError(400, "INPUT", "The last user message is empty.", "Ask a question in the last user message.", "messages");
  const history: ChatTurn[] = body.messages
    .slice(0, lastUser)
    .filter((m): m is typeof m & { role: "user" | "assistant" } => m.role === "user" || m.role === "assistant")
    // Folio's own References section is not part of what was said.
    .map((m) => ({ role: m.role, content: m.role === "assistant" ? messageParts(m).text.replace(/\n\nReferences\n\[1\][\s\S]*$/, "") : messageParts(m).text }));
  const k = body.k ?? suffix.data.k;
  const papers = body.paper ?? suffix.data.paper;
  const docIds = papers === undefined ? undefined : Array.isArray(papers) ? papers : [papers];
  return {
    model: body.model,
    request: {
      question: text.trim(),
      history,
      ...(image ? { image: await requestImage(ctx, image, signal) } : {}),
      ...(k !== undefined ? { k } : {}),
      ...(docIds ? { filters: { docIds } } : {}),
    },
  };
}

function folioField(answer: Answer) {
  return {
    citations: answer.citations.map(toHttpCitation),
    sources: answer.sources.map(toHttpCitation),
    standaloneQuestion: answer.standaloneQuestion,
    mode: answer.mode,
    unanswered: answer.unanswered,
  };
}

/** Token counts as Folio estimates them (the answer is not made by a tokenizing model when extractive). */
function usageOf(request: Question["request"], content: string) {
  const prompt = estimateTokens([request.question, ...(request.history ?? []).map((t) => t.content)].join("\n"));
  const completion = estimateTokens(content);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function openAiRouter(ctx: ServerContext): Router {
  const router = Router();
  const created = Math.floor(Date.now() / 1000);

  router.get("/v1/models", (_req, res) => {
    res.json({ object: "list", data: [{ id: FOLIO_MODEL, object: "model", created, owned_by: "folio" }] });
  });

  router.post("/v1/chat/completions", validateBody(ChatCompletionBodySchema), async (_req, res) => {
    const body = validatedBody<ChatCompletionBody>(res.locals);
    const controller = abortOnDisconnect(res);
    const question = await questionOf(ctx, body, controller.signal);
    const request: AnswerRequest = { ...question.request, signal: controller.signal };
    const id = `chatcmpl-${randomUUID()}`;
    const stamp = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      const answer = await ctx.answerer.answer(request);
      if (controller.signal.aborted) return;
      const content = contentWithReferences(answer);
      res.json({
        id,
        object: "chat.completion",
        created: stamp,
        model: question.model,
        choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
        usage: usageOf(question.request, content),
        folio: folioField(answer),
      });
      return;
    }
    await streamCompletion(ctx, res, request, { id, stamp, model: question.model, includeUsage: Boolean(body.stream_options?.include_usage) });
  });

  return router;
}

interface StreamInfo {
  id: string;
  stamp: number;
  model: string;
  includeUsage: boolean;
}

/** OpenAI's streaming format: chat.completion.chunk objects as `data:` lines, then `data: [DONE]`. */
async function streamCompletion(ctx: ServerContext, res: Response, request: AnswerRequest, info: StreamInfo): Promise<void> {
  const events = ctx.answerer.stream(request)[Symbol.asyncIterator]();
  // Retrieval happens before the first event: errors found up front still get their HTTP status.
  let next = await events.next();
  const sse = new SseWriter(res);
  sse.open();
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
    id: info.id,
    object: "chat.completion.chunk",
    created: info.stamp,
    model: info.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...extra,
  });
  let content = "";
  try {
    await sse.data(chunk({ role: "assistant", content: "" }));
    while (!next.done && !sse.isClosed) {
      const event = next.value;
      if (event.type === "token") {
        content += event.text;
        await sse.data(chunk({ content: event.text }));
      } else if (event.type === "done") {
        const references = contentWithReferences(event.answer).slice(event.answer.answer.trimEnd().length);
        // The streamed text may differ from the final one (markers renumbered); the references follow either.
        if (references) await sse.data(chunk({ content: references }));
        content += references;
        await sse.data(chunk({}, "stop", { folio: folioField(event.answer) }));
        if (info.includeUsage) await sse.data({ id: info.id, object: "chat.completion.chunk", created: info.stamp, model: info.model, choices: [], usage: usageOf(request, content) });
      }
      next = await events.next();
    }
    // The client went away: let the answer's generator clean up (its finally blocks, the LLM call).
    if (sse.isClosed && !next.done) await events.return?.();
  } catch (error) {
    if (!sse.isClosed) {
      const { status, body } = toErrorResponse(error, ctx.config.secrets, ctx.config.server.maxBodyBytes);
      if (status >= 500) ctx.log(`POST /v1/chat/completions stream -> ${status}: ${body.error.message}`);
      await sse.data({ error: { message: `${body.error.message} ${body.error.hint}`.trim(), type: status >= 500 ? "server_error" : "invalid_request_error", param: null, code: body.error.code } });
    }
  }
  await sse.data("[DONE]");
  sse.end();
}

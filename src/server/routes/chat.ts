/**
 * POST /chat: one answer as JSON, or streamed as server-sent events (stream: true or
 * Accept: text/event-stream): query, sources, token..., citation..., then done (or error).
 * A client that disconnects aborts the chain.
 */
import { Router, type Request } from "express";
import type { Answer, AnswerEvent, AnswerRequest } from "../../chat/types.js";
import type { ServerContext } from "../context.js";
import { requestImage, toHttpCitation } from "../context.js";
import { toErrorResponse } from "../http-errors.js";
import { validateBody, validatedBody } from "../middleware/validate.js";
import { ChatBodySchema, toSearchFilters, type ChatBody } from "../schemas.js";
import { abortOnDisconnect } from "../disconnect.js";
import { SseWriter } from "../sse.js";

export function chatResponse(answer: Answer, sessionId: string) {
  return {
    answer: answer.answer,
    citations: answer.citations.map(toHttpCitation),
    sources: answer.sources.map(toHttpCitation),
    sessionId,
    standaloneQuestion: answer.standaloneQuestion,
    mode: answer.mode,
    model: answer.model,
    unanswered: answer.unanswered,
  };
}

function wantsStream(req: Request, body: ChatBody): boolean {
  if (body.stream !== undefined) return body.stream;
  return (req.get("accept") ?? "").toLowerCase().includes("text/event-stream");
}

export function chatRouter(ctx: ServerContext): Router {
  const router = Router();
  const { config } = ctx;

  router.post("/chat", validateBody(ChatBodySchema), async (req, res) => {
    const body = validatedBody<ChatBody>(res.locals);
    const controller = abortOnDisconnect(res);
    let image: AnswerRequest["image"];
    if (body.image !== undefined) image = await requestImage(ctx, body.image, controller.signal);
    const history = body.sessionId ? ctx.sessions.history(body.sessionId) : undefined;
    // An unknown or expired session starts a new conversation under a new id, stored with its first turn.
    const sessionId = history && body.sessionId ? body.sessionId : ctx.sessions.newId();
    const request: AnswerRequest = {
      question: body.message,
      history: history ?? [],
      image,
      filters: toSearchFilters(body.filters),
      k: body.k,
      signal: controller.signal,
    };

    if (!wantsStream(req, body)) {
      const answer = await ctx.answerer.answer(request);
      if (controller.signal.aborted) return;
      ctx.sessions.append(sessionId, body.message, answer.answer);
      res.json(chatResponse(answer, sessionId));
      return;
    }

    const events = ctx.answerer.stream(request)[Symbol.asyncIterator]();
    // The first event (query) comes once retrieval is done: it is awaited before the stream opens, so
    // errors found up front (an empty store, a bad filter) still get their HTTP status, not an event on a 200 stream.
    let next: IteratorResult<AnswerEvent> = await events.next();
    const sse = new SseWriter(res);
    sse.open();
    await sse.send("session", { sessionId });
    try {
      while (!next.done) {
        if (sse.isClosed) {
          await events.return?.();
          return;
        }
        const event = next.value;
        switch (event.type) {
          case "query":
            await sse.send("query", { standaloneQuestion: event.standaloneQuestion });
            break;
          case "sources":
            await sse.send("sources", { sources: event.sources.map(toHttpCitation) });
            break;
          case "token":
            await sse.send("token", { text: event.text });
            break;
          case "citation":
            await sse.send("citation", toHttpCitation(event.citation));
            break;
          case "done":
            ctx.sessions.append(sessionId, body.message, event.answer.answer);
            await sse.send("done", chatResponse(event.answer, sessionId));
            break;
        }
        next = await events.next();
      }
    } catch (error) {
      if (!sse.isClosed && !controller.signal.aborted) {
        const { status, body: errorBody } = toErrorResponse(error, config.secrets, config.server.maxBodyBytes);
        if (status >= 500) ctx.log(`POST /chat stream -> ${status}: ${errorBody.error.message}`);
        await sse.send("error", errorBody.error);
      }
    }
    sse.end();
  });

  return router;
}

/** Server-sent events over an Express response, honouring back-pressure and client disconnects. */
import type { Response } from "express";

export class SseWriter {
  private closed = false;
  private corked = false;

  constructor(private readonly res: Response) {
    res.on("close", () => {
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed || this.res.destroyed || this.res.writableEnded;
  }

  open(): void {
    this.res.status(200);
    this.res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    this.res.setHeader("Cache-Control", "no-cache, no-transform");
    this.res.setHeader("Connection", "keep-alive");
    // Proxies such as nginx would otherwise buffer the whole answer.
    this.res.setHeader("X-Accel-Buffering", "no");
    this.res.flushHeaders();
  }

  /** Writes one event; resolves when the socket can take more (or the client is gone). */
  async send(event: string, data: unknown): Promise<void> {
    if (this.isClosed) return;
    // Events produced in the same turn of the event loop (an extractive answer's tokens) go out in
    // one write instead of one syscall and one chunk each; a streaming LLM's tokens still leave at once.
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      setImmediate(() => {
        this.corked = false;
        this.res.uncork();
      });
    }
    const ok = this.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (!ok) await this.drained();
  }

  /** Resolves when the socket takes more, or the client is gone. */
  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  /** A `data:` line alone (OpenAI's stream format: no event names; "[DONE]" is sent as it is). */
  async data(payload: unknown): Promise<void> {
    if (this.isClosed) return;
    const ok = this.res.write(`data: ${payload === "[DONE]" ? payload : JSON.stringify(payload)}\n\n`);
    if (!ok) await this.drained();
  }

  /** A comment line: keeps a quiet stream open through proxies that close idle connections. */
  keepAlive(): void {
    if (!this.isClosed) this.res.write(": keep-alive\n\n");
  }

  end(): void {
    if (!this.isClosed) this.res.end();
  }
}

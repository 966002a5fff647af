/**
 * A recording HTTP proxy put between Folio and an upstream test server (the OpenAI test server):
 * for each request it notes when it started and ended, seen from the upstream side, and whether
 * the client (Folio) hung up before the answer was complete. Used to prove that a disconnect
 * aborts the LLM call, and by bench/chat.ts to subtract the time spent inside the LLM.
 */
import http from "node:http";
import { listenLocal } from "../servers/listen.js";

export interface ProxiedRequest {
  path: string;
  startedAt: number;
  endedAt?: number;
  /** The client closed the connection before the full answer was sent. */
  aborted: boolean;
}

export interface TimingProxy {
  /** The proxy's base URL with the upstream's path (e.g. http://127.0.0.1:1234/v1). */
  url: string;
  requests: ProxiedRequest[];
  /** Milliseconds spent in upstream requests that started at or after `since` (ms, performance.now()). */
  upstreamMsSince(since: number): number;
  close(): Promise<void>;
}

export async function startTimingProxy(upstreamUrl: string): Promise<TimingProxy> {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    const record: ProxiedRequest = { path: req.url ?? "", startedAt: performance.now(), aborted: false };
    requests.push(record);
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on("end", () => {
          record.endedAt ??= performance.now();
        });
      },
    );
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => {
      if (!res.writableFinished) {
        record.aborted = true;
        record.endedAt ??= performance.now();
        forward.destroy();
      }
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 30_000;
  const listener = await listenLocal(server);
  return {
    url: `${listener.origin}${upstream.pathname.replace(/\/+$/, "")}`,
    requests,
    upstreamMsSince(since: number): number {
      return requests.filter((r) => r.startedAt >= since).reduce((sum, r) => sum + ((r.endedAt ?? performance.now()) - r.startedAt), 0);
    },
    close: () => {
      agent.destroy();
      return listener.close();
    },
  };
}

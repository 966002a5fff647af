/**
 * /chat latency benchmark: the time Folio itself adds to an answer (retrieval, prompt assembly,
 * HTTP, JSON/SSE), with the LLM stubbed by the OpenAI test server.
 *
 *   npx tsx bench/chat.ts [--papers <dir>] [--requests 200] [--seconds 10] [--connections 50] [--timeout 30]
 *
 * 1. Ingests ../shared/corpus/papers (BM25 only) into a temp embedded store.
 * 2. Starts `folio serve`'s app with the LLM answerer pointed at the OpenAI test server through a
 *    recording proxy, which times every LLM call from the LLM's side.
 * 3. Latency: sequential /chat requests (JSON, then streamed SSE); Folio's overhead per request is
 *    total minus the time spent inside the LLM (measured at the proxy). Baseline in the same run:
 *    the same LLM request bodies replayed directly to the LLM server, so "total minus the direct
 *    call" is reported too.
 * 4. Throughput: autocannon, 50 concurrent clients on /chat (rate limit raised), zero errors required.
 * Target: Folio's overhead p95 < 50 ms.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { createAnswerer } from "../src/chat/index.js";
import { loadConfig } from "../src/config.js";
import { ingest, ingestOptionsFromConfig } from "../src/ingest/index.js";
import { startServer } from "../src/server/index.js";
import { openFolioStore } from "../src/store/index.js";
import { listenLocal } from "../test/servers/listen.js";
import { startOpenAITestServer } from "../test/servers/openai-server.js";
import { startTimingProxy } from "../test/server/timing-proxy.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_P95_MS = 50;

const QUESTIONS = [
  "How does Adam compute its bias-corrected moment estimates?",
  "Why does batch normalization speed up training?",
  "What problem do residual connections solve in very deep networks?",
  "What is multi-head attention and why use several heads?",
  "How is BERT pre-trained with masked language modeling?",
  "How does REALM use a retriever during pre-training?",
  "How does dense passage retrieval train its encoders?",
  "How does retrieval-augmented generation combine a retriever and a generator?",
  "What is Fusion-in-Decoder and how does it use many passages?",
  "How does the Vision Transformer split an image into patches?",
];

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function stats(values: number[]): { p50: number; p95: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length) };
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

const now = () => performance.timeOrigin + performance.now();

interface Breakdown {
  points: number;
  documents: number;
  ingestSeconds: number;
  search: { p50: number; p95: number };
  chainOverhead: { p50: number; p95: number };
}

/** What the server process prints when it is ready. */
interface ReadyMessage {
  url: string;
  statsUrl: string;
  llmUrl: string;
  breakdown: Breakdown;
}

/**
 * The server side, in its own process so the load generator does not share its event loop:
 * ingest, the LLM stub behind the timing proxy, Folio's app, and a stats endpoint that tells the
 * client how long LLM calls that started after a given time took.
 */
async function serve(papers: string, samples: number): Promise<void> {
  const home = await mkdtemp(path.join(os.tmpdir(), "folio-bench-chat-"));
  const llm = await startOpenAITestServer({ apiKey: "sk-bench-0000000000" });
  const proxy = await startTimingProxy(llm.url);
  const config = loadConfig(
    { FOLIO_HOME: home, OPENAI_BASE_URL: proxy.url, OPENAI_API_KEY: "sk-bench-0000000000", OPENAI_MODEL: "gpt-bench", FOLIO_RATE_LIMIT_PER_MINUTE: 1_000_000 },
    {},
    home,
  );
  const store = await openFolioStore(config, null);
  const ingestStarted = performance.now();
  await ingest(store, [papers], ingestOptionsFromConfig(config, { cropFigures: false }));
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  const answerer = createAnswerer(config, store);

  // Breakdown without HTTP: retrieval alone, and the chain's own time (answer() minus the LLM).
  for (let i = 0; i < 10; i++) await answerer.answer({ question: QUESTIONS[i % QUESTIONS.length]! });
  const searchTimes: number[] = [];
  const chainTimes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const question = QUESTIONS[i % QUESTIONS.length]!;
    let started = performance.now();
    await store.search({ text: question, k: config.search.topK });
    searchTimes.push(performance.now() - started);
    started = performance.now();
    await answerer.answer({ question });
    chainTimes.push(performance.now() - started - proxy.upstreamMsSince(started));
  }
  const breakdown: Breakdown = {
    points: await store.count(),
    documents: (await store.listDocuments()).length,
    ingestSeconds,
    search: stats(searchTimes),
    chainOverhead: stats(chainTimes),
  };

  const server = await startServer({ config: { ...config, server: { ...config.server, port: 0, host: "127.0.0.1" } }, store, answerer, imageSearchAvailable: false, log: () => undefined });
  // proxy.requests use performance.now() of this process; the client sends absolute times.
  const statsServer = http.createServer((req, res) => {
    const since = Number(new URL(req.url ?? "/", "http://x").searchParams.get("since")) - performance.timeOrigin;
    // LLM calls this request made (the LLM server's own count runs from the process start).
    const calls = proxy.requests.filter((r) => r.startedAt >= since).length;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ llmMs: proxy.upstreamMsSince(since), calls, bodies: req.url?.includes("bodies") ? llm.chatRequests.slice(-samples).map((r) => r.body) : undefined }));
  });
  const statsListener = await listenLocal(statsServer);
  const ready: ReadyMessage = { url: server.url, statsUrl: statsListener.origin, llmUrl: llm.url, breakdown };
  process.stdout.write(`${JSON.stringify({ type: "ready", ...ready })}\n`);

  await new Promise<void>((resolve) => process.stdin.on("close", resolve).resume());
  await statsListener.close();
  await server.close();
  await store.close();
  await proxy.close();
  await llm.close();
  await rm(home, { recursive: true, force: true });
}

async function startChild(papers: string, samples: number): Promise<{ ready: ReadyMessage; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", "--papers", papers, "--requests", String(samples)], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    let buffer = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split("\n").slice(0, -1)) {
        if (line.startsWith("{")) resolve(JSON.parse(line) as ReadyMessage);
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    });
    child.on("exit", (code) => reject(new Error(`the server process exited with ${code} before it was ready`)));
  });
  return {
    ready,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      papers: { type: "string", default: path.resolve(REPO_ROOT, "../shared/corpus/papers") },
      requests: { type: "string", default: "200" },
      seconds: { type: "string", default: "10" },
      connections: { type: "string", default: "50" },
      timeout: { type: "string", default: "30" },
      child: { type: "boolean", default: false },
    },
  });
  const papers = path.resolve(values.papers!);
  const requestCount = Number(values.requests);
  if (values.child) return serve(papers, requestCount);
  if (!existsSync(papers)) {
    console.log(`bench/chat.ts skipped: the corpus folder ${papers} is missing (expected ../shared/corpus/papers next to the repository).`);
    return;
  }
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);

  console.log(`Ingesting ${papers} and starting the server in a child process...`);
  const { ready, stop } = await startChild(papers, requestCount);
  const { breakdown } = ready;
  console.log(`Ingested ${breakdown.documents} documents, ${breakdown.points} points in ${breakdown.ingestSeconds.toFixed(1)} s.`);
  try {
    const llmMsSince = async (since: number): Promise<{ llmMs: number; calls: number }> => (await (await fetch(`${ready.statsUrl}/?since=${since}`)).json()) as { llmMs: number; calls: number };
    const chat = async (message: string, stream: boolean): Promise<void> => {
      const res = await fetch(`${ready.url}/chat`, { method: "POST", headers: { "content-type": "application/json", ...(stream ? { accept: "text/event-stream" } : {}) }, body: JSON.stringify({ message }) });
      const text = await res.text();
      if (res.status !== 200 || (stream && !text.includes("event: done"))) throw new Error(`/chat answered ${res.status}: ${text.slice(0, 300)}`);
    };

    // Warm-up: JIT, the store's caches, keep-alive sockets.
    for (let i = 0; i < 20; i++) await chat(QUESTIONS[i % QUESTIONS.length]!, i % 2 === 0);

    const measure = async (stream: boolean) => {
      const totals: number[] = [];
      const overheads: number[] = [];
      const llmTimes: number[] = [];
      for (let i = 0; i < requestCount; i++) {
        const started = now();
        await chat(QUESTIONS[i % QUESTIONS.length]!, stream);
        const total = now() - started;
        const { llmMs, calls } = await llmMsSince(started);
        if (!calls) throw new Error("the answer did not call the LLM");
        totals.push(total);
        llmTimes.push(llmMs);
        overheads.push(total - llmMs);
      }
      return { totals: stats(totals), overhead: stats(overheads), llm: stats(llmTimes) };
    };
    const json = await measure(false);
    const sse = await measure(true);

    // Baseline: the LLM requests Folio made, replayed straight to the LLM server.
    const recorded = ((await (await fetch(`${ready.statsUrl}/bodies?since=0`)).json()) as { bodies: unknown[] }).bodies.filter(Boolean);
    const direct: number[] = [];
    for (const body of recorded) {
      const started = performance.now();
      const res = await fetch(`${ready.llmUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sk-bench-0000000000" }, body: JSON.stringify(body) });
      await res.text();
      direct.push(performance.now() - started);
    }
    const directStats = stats(direct);

    // Throughput: concurrent clients, each asking the questions in turn.
    let next = 0;
    const result = await autocannon({
      url: `${ready.url}/chat`,
      connections,
      duration: seconds,
      // Seconds before autocannon counts a request as an error; 50 clients queue behind a CPU-bound chain.
      timeout: Number(values.timeout),
      method: "POST",
      headers: { "content-type": "application/json" },
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ message: QUESTIONS[next++ % QUESTIONS.length] }) }) }],
    });
    const errors = result.errors + result.timeouts + result.non2xx;

    const rows: Array<[string, string, string, string]> = [
      ["JSON /chat total p50 / p95", `${ms(json.totals.p50)} / ${ms(json.totals.p95)}`, "", ""],
      ["  time inside the LLM p50 / p95 (proxy)", `${ms(json.llm.p50)} / ${ms(json.llm.p95)}`, "", ""],
      ["  Folio overhead p50", ms(json.overhead.p50), "", ""],
      ["  Folio overhead p95", ms(json.overhead.p95), `< ${TARGET_P95_MS} ms`, json.overhead.p95 < TARGET_P95_MS ? "PASS" : "FAIL"],
      ["SSE /chat total p50 / p95 (until done)", `${ms(sse.totals.p50)} / ${ms(sse.totals.p95)}`, "", ""],
      ["  Folio overhead p50", ms(sse.overhead.p50), "", ""],
      ["  Folio overhead p95", ms(sse.overhead.p95), `< ${TARGET_P95_MS} ms`, sse.overhead.p95 < TARGET_P95_MS ? "PASS" : "FAIL"],
      ["Breakdown (no HTTP): store.search p50 / p95", `${ms(breakdown.search.p50)} / ${ms(breakdown.search.p95)}`, "", ""],
      ["  chain answer() minus LLM p50 / p95", `${ms(breakdown.chainOverhead.p50)} / ${ms(breakdown.chainOverhead.p95)}`, "", ""],
      ["  HTTP layer (JSON overhead - chain) p50", ms(json.overhead.p50 - breakdown.chainOverhead.p50), "", ""],
      ["Baseline: direct LLM call p50 / p95", `${ms(directStats.p50)} / ${ms(directStats.p95)}`, "", ""],
      ["  JSON total minus direct call, p50 / p95", `${ms(json.totals.p50 - directStats.p50)} / ${ms(json.totals.p95 - directStats.p95)}`, "", ""],
      [`Throughput, ${connections} clients, ${seconds} s`, `${result.requests.average.toFixed(1)} req/s (${result.requests.total} requests)`, "", ""],
      ["  latency under load p50 / p97.5", `${result.latency.p50} ms / ${result.latency.p97_5} ms`, "", ""],
      ["  errors (socket, timeouts, non-2xx)", String(errors), "0", errors === 0 ? "PASS" : "FAIL"],
    ];
    const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ["metric", "value", "target", "result"][c]!.length));
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ");
    console.log(`\n/chat benchmark: ${requestCount} sequential requests per mode, LLM stubbed (OpenAI test server), BM25 retrieval over ${breakdown.points} points`);
    console.log(`Machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} (1/5/15 min): figures are only comparable on a quiet machine.\n`);
    console.log(line(["metric", "value", "target", "result"]));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const r of rows) console.log(line(r));
    const failed = rows.some((r) => r[3] === "FAIL");
    console.log(`\n${failed ? "FAIL" : "PASS"}: Folio's own overhead p95 ${ms(Math.max(json.overhead.p95, sse.overhead.p95))} (target < ${TARGET_P95_MS} ms), ${errors} errors under ${connections} concurrent clients.`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await stop();
  }
}

await main();

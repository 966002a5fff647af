/**
 * The REPL driven through streams over the real store and the real answerer: piped stdin (lines,
 * exits at EOF) and a pseudo-TTY stream pair (readline in terminal mode: Ctrl-C handling).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnswerer } from "../../src/chat/index.js";
import { parseFilterArgs, runRepl } from "../../src/cli/repl.js";
import { startOpenAITestServer, type OpenAITestServer } from "../servers/openai-server.js";
import { testConfig } from "../helpers/config.js";
import { openChatFixture, useChatFixture } from "../helpers/corpus.js";

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g; // eslint-disable-line no-control-regex

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buffer = "";
  stream.on("data", (chunk: Buffer) => (buffer += chunk.toString("utf8")));
  return { stream, text: () => buffer.replace(ANSI, "") };
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting for the REPL");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fx = useChatFixture();

describe("REPL over piped stdin", () => {
  it("answers with citations, and runs /help, /sources, /open, /filter, /reset, /exit", async () => {
    const input = new PassThrough();
    const out = sink();
    const opened: string[] = [];
    const done = runRepl({ answerer: createAnswerer(fx().config, fx().store), store: fx().store, config: fx().config, input, output: out.stream, openImage: (f) => (opened.push(f), false) });
    input.write(
      [
        "/help",
        "What do residual connections learn?",
        "/sources",
        "/filter kind=figure,page paper=attention-2017",
        "/filter",
        "Show the Transformer model architecture",
        "/open 1",
        "/open 9",
        "/filter year>=2020 bogus",
        "/filter clear",
        "/reset",
        "/nope",
        "/exit",
        "What is never asked?",
        "",
      ].join("\n"),
    );
    await done;
    const text = out.text();
    expect(text).toContain("/sources");
    expect(text).toContain("/filter");
    expect(text).toMatch(/Extractive answer \(no LLM configured\)[\s\S]*"Residual connections reformulate the layers[^"]*" \[1\]/);
    expect(text).toMatch(/Sources:\n {2}\[1\] Deep Residual Learning for Image Recognition, p\. \d — papers\/resnet\.pdf/);
    expect(text).toMatch(/\[1\]\* Deep Residual Learning for Image Recognition, p\. \d \(text, score/);
    expect(text).toContain("(* cited in the answer)");
    expect(text).toContain("Filters: paper=attention-2017 kind=figure,page");
    expect(text).toMatch(/figure image: .*images\/[0-9a-f]{16}\.png {3}\(\/open 1\)/);
    expect(opened).toHaveLength(1);
    expect(text).toContain(`${fx().figureImageId}.png`);
    expect(text).toContain("There is no source [9]");
    expect(text).toContain('Error: Cannot read "bogus"');
    expect(text).toContain("Filters: none");
    expect(text).toContain("Conversation cleared.");
    expect(text).toContain("Unknown command /nope");
    expect(text).not.toContain("never asked");
  });

  it("exits at EOF, keeps the conversation for follow-ups, and /reset forgets it", async () => {
    const input = new PassThrough();
    const out = sink();
    const done = runRepl({ answerer: createAnswerer(fx().config, fx().store), store: fx().store, config: fx().config, input, output: out.stream });
    input.end(["How does the Transformer work?", "what about its encoder?", "/reset", "what about its encoder?"].join("\n"));
    await done;
    const text = out.text();
    expect(text.match(/\(searching for: what about the Transformer encoder\?\)/g)).toHaveLength(1);
    expect(text).toMatch(/"The encoder is composed of a stack of N = 6 identical layers\." \[\d\]/);
  });

  it("prints typed errors with their hint and carries on", async () => {
    const empty = await openChatFixture({}, { fill: false });
    try {
      const input = new PassThrough();
      const out = sink();
      const done = runRepl({ answerer: createAnswerer(empty.config, empty.store), store: empty.store, config: empty.config, input, output: out.stream });
      input.end("What is attention?\n/image does-not-exist.png what is this?\n/help\n");
      await done;
      const text = out.text();
      expect(text).toMatch(/Error: The collection "folio" is empty[\s\S]*hint: Ingest a corpus first/);
      expect(text).toMatch(/Error: no such image file: .*does-not-exist\.png/);
      expect(text).toContain("/exit");
    } finally {
      await empty.close();
    }
  });
});

describe("REPL on a terminal (readline in terminal mode)", () => {
  let server: OpenAITestServer;
  beforeAll(async () => {
    server = await startOpenAITestServer({ chunkDelayMs: 40, reply: (r) => (r.kind === "answer" ? "Residual nets learn residual functions, as the first source explains in some detail [1]." : undefined) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("Ctrl-C cancels the answer in progress without quitting; a second Ctrl-C at an empty prompt quits", async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const out = sink();
    Object.assign(out.stream, { isTTY: true, columns: 100 });
    const config = testConfig(fx().home, { OPENAI_BASE_URL: server.url });
    let finished = false;
    const done = runRepl({ answerer: createAnswerer(config, fx().store, { llm: { maxRetries: 0 } }), store: fx().store, config, input, output: out.stream, historyFile: false }).then(() => {
      finished = true;
    });
    await waitFor(() => out.text().includes("folio> "));
    expect(out.text()).toContain("answers by gpt-4o-mini");
    input.write("What do residual connections learn?\r");
    await waitFor(() => out.text().includes("Residual nets learn"));
    input.write("\x03");
    await waitFor(() => out.text().includes("(cancelled)"));
    expect(out.text()).not.toContain("explains in some detail");
    expect(finished).toBe(false);
    input.write("half-typed question");
    await waitFor(() => out.text().includes("half-typed question"));
    input.write("\x03");
    input.write("/help\r");
    await waitFor(() => out.text().includes("/open N"));
    expect(server.chatRequests.some((r) => r.text.includes("half-typed"))).toBe(false);
    input.write("\x03");
    await waitFor(() => out.text().includes("press Ctrl-C again to quit"));
    expect(finished).toBe(false);
    input.write("\x03");
    await done;
    expect(finished).toBe(true);
  });

  it("keeps line history in FOLIO_HOME for the next session", async () => {
    const historyFile = path.join(fx().home, "chat_history_test");
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const out = sink();
    Object.assign(out.stream, { isTTY: true, columns: 100 });
    const done = runRepl({ answerer: createAnswerer(fx().config, fx().store), store: fx().store, config: fx().config, input, output: out.stream, historyFile });
    input.write("/help\r/filter kind=figure\r/exit\r");
    await done;
    expect((await readFile(historyFile, "utf8")).split("\n").filter(Boolean)).toEqual(["/help", "/filter kind=figure", "/exit"]);
  });

  it("parses /filter arguments", () => {
    expect(parseFilterArgs("paper=a,b kind=figure year>=2020 page<=4 refs=on", {})).toEqual({ docIds: ["a", "b"], kinds: ["figure"], year: { gte: 2020 }, pages: { lte: 4 }, includeReferences: true });
    expect(parseFilterArgs("year<=2022", { year: { gte: 2020 } })).toEqual({ year: { gte: 2020, lte: 2022 } });
    expect(parseFilterArgs("year=2017..2019", {})).toEqual({ year: { gte: 2017, lte: 2019 } });
    expect(parseFilterArgs("clear", { kinds: ["page"] })).toEqual({});
    expect(() => parseFilterArgs("kind=diagram", {})).toThrow(/Unknown kind/);
  });
});

describe("REPL words and banner", () => {
  it("takes exit, quit, clear and help without the slash; a longer line is a question", async () => {
    for (const word of ["exit", "QUIT"]) {
      const input = new PassThrough();
      const out = sink();
      const done = runRepl({ answerer: createAnswerer(fx().config, fx().store), store: fx().store, config: fx().config, input, output: out.stream, historyFile: false });
      input.write(["help", "clear", "exit the loop: what do residual connections learn?", word, "What is never asked?", ""].join("\n"));
      await done;
      const text = out.text();
      expect(text).toContain("/sources");
      expect(text).toContain("Conversation cleared.");
      expect(text).toMatch(/Residual connections reformulate/);
      expect(text).not.toContain("never asked");
    }
  });

  it("names the model and the server it is sent to, and says when the server does not serve it", async () => {
    const local = await startOpenAITestServer({ models: ["llama-3.1-8b-instruct"] });
    try {
      const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
      const out = sink();
      Object.assign(out.stream, { isTTY: true, columns: 100 });
      const config = testConfig(fx().home, { OPENAI_BASE_URL: local.url });
      const done = runRepl({ answerer: createAnswerer(config, fx().store, { llm: { maxRetries: 0 } }), store: fx().store, config, input, output: out.stream, historyFile: false });
      await waitFor(() => out.text().includes("folio> "));
      input.write("exit\r");
      await done;
      const host = new URL(local.url).host;
      expect(out.text()).toContain(`answers by gpt-4o-mini at ${host}/v1 — the server does not list gpt-4o-mini (it lists llama-3.1-8b-instruct): set OPENAI_MODEL`);
      expect(local.requests.map((r) => r.path)).toContain("/v1/models");
    } finally {
      await local.close();
    }
  });
});

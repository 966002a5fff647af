/**
 * `folio chat`: the terminal REPL over the answering chain. Streams answers with numbered citations,
 * keeps the conversation for follow-ups, and has slash commands (/help lists them). With a TTY:
 * line editing and history (arrow keys, saved under FOLIO_HOME), Ctrl-C cancels an answer in
 * progress, a second Ctrl-C at an empty prompt quits. With piped stdin: one question per line,
 * exits at EOF.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import { DEFAULT_IMAGE_QUESTION } from "../chat/chain.js";
import { locationOf } from "../chat/context.js";
import { describeAnswerer } from "../chat/served-model.js";
import type { Answer, AnswerRequest, Answerer, ChatTurn, Citation } from "../chat/types.js";
import type { FolioConfig } from "../config.js";
import { errorMessage, isFolioError } from "../errors.js";
import { imagePath, isImageId } from "../store/images.js";
import { CHUNK_KINDS, type ChunkKind, type FolioStoreApi, type SearchFilters } from "../store/types.js";
import { redact } from "../util/redact.js";
import { formatCitation, oneLine } from "./format.js";
import { parseRange } from "./options.js";

export interface ReplOptions {
  answerer: Answerer;
  store: FolioStoreApi;
  config: FolioConfig;
  input?: Readable & { isTTY?: boolean };
  output?: Writable & { isTTY?: boolean; columns?: number };
  /** Folder relative paths in /image resolve against (default: process.cwd()). */
  cwd?: string;
  /** Opens an image file in a viewer; returns whether a viewer was started. Default: xdg-open / open when a display exists. */
  openImage?: (file: string) => boolean;
  /** Where line history is kept for the TTY (default FOLIO_HOME/chat_history; false: not kept). */
  historyFile?: string | false;
}

/** Conversation turns kept for follow-ups (user + assistant pairs). */
const MAX_HISTORY_TURNS = 20;
const MAX_SAVED_LINES = 500;

export const REPL_HELP = `Ask a question about the corpus, or use a command:
  /sources             the sources of the last answer (numbered as cited)
  /open N              show the figure or page image of source N (path, and a viewer when a display exists)
  /image PATH question ask about an image: searches figures and pages by image
  /filter ...          restrict retrieval: paper=<docId>[,<docId>] kind=figure[,page,text] year>=2020
                       year=2017..2020 page<=5 refs=on   (/filter alone shows them, /filter clear removes them)
  /reset               forget the conversation (follow-ups start fresh)
  /clear               clear the screen and forget the conversation
  /help                this help
  /exit                quit (also Ctrl-D; Ctrl-C cancels an answer, twice at an empty prompt quits)
  exit, quit, clear and help work without the slash too.`;

/** Lines that are only one of these words run the command instead of being asked. */
const BARE_COMMANDS: Record<string, string> = { exit: "/exit", quit: "/quit", clear: "/clear", help: "/help" };

/** Parses `/filter` arguments onto the current filters. Throws Error with a usable message. */
export function parseFilterArgs(args: string, current: SearchFilters): SearchFilters {
  const text = args.trim();
  if (text === "clear" || text === "none" || text === "off") return {};
  const next: SearchFilters = { ...current };
  for (const token of text.split(/\s+/).filter(Boolean)) {
    const m = /^([a-z]+)(>=|<=|=|>|<)(.+)$/i.exec(token);
    if (!m) throw new Error(`Cannot read "${token}": use key=value, e.g. kind=figure, paper=<docId>, year>=2020.`);
    const [, rawKey, op, value] = m as unknown as [string, string, string, string];
    const key = rawKey.toLowerCase();
    if (key === "paper" || key === "doc" || key === "docid") {
      if (op !== "=") throw new Error("paper takes =, e.g. paper=attention-2017.");
      next.docIds = value.split(",").filter(Boolean);
    } else if (key === "kind" || key === "kinds") {
      if (op !== "=") throw new Error("kind takes =, e.g. kind=figure.");
      const kinds = value.split(",").filter(Boolean);
      const bad = kinds.find((k) => !(CHUNK_KINDS as readonly string[]).includes(k));
      if (bad) throw new Error(`Unknown kind "${bad}": use ${CHUNK_KINDS.join(", ")}.`);
      next.kinds = kinds as ChunkKind[];
    } else if (key === "year" || key === "page" || key === "pages") {
      const range = op === "=" ? parseRangeSpec(value, key) : parseRangeSpec(`${op}${value}`, key);
      if (key === "year") next.year = { ...(op === "=" ? {} : current.year), ...range };
      else next.pages = { ...(op === "=" ? {} : current.pages), ...range };
    } else if (key === "refs" || key === "references") {
      next.includeReferences = /^(on|true|yes|1)$/i.test(value);
    } else {
      throw new Error(`Unknown filter "${rawKey}": use paper, kind, year, page or refs.`);
    }
  }
  return next;
}

function parseRangeSpec(spec: string, key: string): { gte?: number; lte?: number } {
  const range = key === "year" ? parseRange(spec.trim(), "\\d{4}") : parseRange(spec, "\\d+");
  if (range) return range;
  throw new Error(key === "year" ? `Cannot read year "${spec}": use 2017, 2017..2020, >=2019 or <2020.` : `Cannot read page "${spec}": use 3, 2..5, >=2 or <10.`);
}

export function describeFilters(filters: SearchFilters): string {
  const parts: string[] = [];
  if (filters.docIds?.length) parts.push(`paper=${filters.docIds.join(",")}`);
  if (filters.kinds?.length) parts.push(`kind=${filters.kinds.join(",")}`);
  const range = (name: string, r?: { gte?: number; lte?: number }) => {
    if (!r) return;
    if (r.gte !== undefined && r.gte === r.lte) parts.push(`${name}=${r.gte}`);
    else {
      if (r.gte !== undefined) parts.push(`${name}>=${r.gte}`);
      if (r.lte !== undefined) parts.push(`${name}<=${r.lte}`);
    }
  };
  range("year", filters.year);
  range("page", filters.pages);
  if (filters.includeReferences) parts.push("refs=on");
  return parts.length ? parts.join(" ") : "none";
}

export function imagePathOf(config: FolioConfig, citation: Pick<Citation, "imageId">): string | undefined {
  if (!citation.imageId || !isImageId(citation.imageId)) return undefined;
  return imagePath(config.ingest.imagesDir, citation.imageId);
}

/** Starts the platform's image viewer when a display exists; false when there is none. */
export function openWithViewer(file: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  let command: string | undefined;
  let args: string[] = [file];
  if (platform === "darwin") command = "open";
  else if (platform === "win32") {
    command = "cmd";
    args = ["/c", "start", "", file];
  } else if (env.DISPLAY || env.WAYLAND_DISPLAY) command = "xdg-open";
  if (!command) return false;
  try {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

async function loadHistory(file: string): Promise<string[]> {
  try {
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    return lines.slice(-MAX_SAVED_LINES).reverse(); // readline wants newest first
  } catch {
    return [];
  }
}

export async function runRepl(options: ReplOptions): Promise<void> {
  const { answerer, config } = options;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const cwd = options.cwd ?? process.cwd();
  const tty = Boolean(input.isTTY && output.isTTY);
  const historyFile = options.historyFile === false ? undefined : (options.historyFile ?? path.join(config.home, "chat_history"));
  const openImage = options.openImage ?? ((file: string) => openWithViewer(file));
  const write = (text: string) => output.write(text);
  const line = (text = "") => output.write(`${text}\n`);
  const errorText = (error: unknown): string => {
    const raw = isFolioError(error) ? error.toUserString() : errorMessage(error);
    return redact(raw, config.secrets);
  };

  const rl = readline.createInterface({
    input,
    output,
    terminal: tty,
    prompt: "folio> ",
    historySize: tty ? MAX_SAVED_LINES : 0,
    history: tty && historyFile ? await loadHistory(historyFile) : [],
    removeHistoryDuplicates: true,
  });

  let history: ChatTurn[] = [];
  let filters: SearchFilters = {};
  let last: Answer | undefined;
  let answering: AbortController | undefined;
  let sigintArmed = false;
  let closed = false;
  const queue: string[] = [];
  let wake: (() => void) | undefined;

  rl.on("line", (text) => {
    queue.push(text);
    wake?.();
  });
  // EOF (piped input, Ctrl-D) ends the loop once the lines already read are answered.
  rl.on("close", () => {
    closed = true;
    wake?.();
  });
  rl.on("SIGINT", () => {
    if (answering) {
      answering.abort(new Error("Cancelled with Ctrl-C."));
      return;
    }
    if (rl.line.length > 0) {
      // Drop the half-typed line, as shells do: end of line, then delete to its start.
      rl.write(null, { ctrl: true, name: "e" });
      rl.write(null, { ctrl: true, name: "u" });
      write("^C\n");
      rl.prompt();
      return;
    }
    if (sigintArmed) {
      write("\n");
      rl.close();
      return;
    }
    sigintArmed = true;
    write("\n(press Ctrl-C again to quit, or type /exit)\n");
    rl.prompt();
  });
  // Piped stdin: Ctrl-C in the terminal reaches the process, not readline.
  const onProcessSigint = () => answering?.abort(new Error("Cancelled with Ctrl-C."));
  const watchProcessSigint = input === process.stdin && !tty;

  async function ask(question: string, image?: string): Promise<void> {
    const controller = new AbortController();
    answering = controller;
    if (watchProcessSigint) process.on("SIGINT", onProcessSigint);
    const request: AnswerRequest = { question, history, filters, signal: controller.signal, ...(image ? { image } : {}) };
    let streamed = false;
    // A transcript of piped input reads better with each question above its answer.
    if (!tty) line(`> ${question}${image ? ` [image: ${image}]` : ""}`);
    try {
      for await (const event of answerer.stream(request)) {
        if (event.type === "query") {
          if (event.standaloneQuestion.trim() !== question.trim()) line(`(searching for: ${event.standaloneQuestion})`);
        } else if (event.type === "token") {
          write(event.text);
          streamed = true;
        } else if (event.type === "done") {
          last = event.answer;
          history = [...history, { role: "user" as const, content: question }, { role: "assistant" as const, content: event.answer.answer }].slice(-MAX_HISTORY_TURNS * 2);
          line();
          printCitations(event.answer);
          line();
        }
      }
    } catch (error) {
      if (streamed) line();
      if (controller.signal.aborted) line("(cancelled)");
      else line(`Error: ${errorText(error)}`);
    } finally {
      answering = undefined;
      if (watchProcessSigint) process.off("SIGINT", onProcessSigint);
    }
  }

  function printCitations(answer: Answer): void {
    if (answer.citations.length === 0) {
      line(answer.unanswered ? "(no sources: the corpus does not answer this)" : "(no citations)");
      return;
    }
    line("Sources:");
    for (const c of answer.citations) {
      line(`  ${formatCitation(c)}`);
      const image = (c.kind === "figure" || c.kind === "page") && imagePathOf(config, c);
      if (image) line(`      ${c.kind === "figure" ? "figure" : "page"} image: ${image}   (/open ${c.n})`);
    }
  }

  function printSources(): void {
    if (!last) {
      line("No answer yet: ask a question first.");
      return;
    }
    if (last.sources.length === 0) {
      line("The last answer had no sources.");
      return;
    }
    const cited = new Set(last.citations.map((c) => c.n));
    for (const s of last.sources) {
      line(`[${s.n}]${cited.has(s.n) ? "*" : " "} ${locationOf(s)} (${s.kind}, score ${s.score.toFixed(3)}) — ${s.source}`);
      line(`     ${oneLine(s.snippet, 200)}`);
    }
    line("(* cited in the answer)");
  }

  function openSource(arg: string): void {
    const n = Number(arg.trim());
    if (!last || !Number.isInteger(n)) {
      line(last ? "Usage: /open N (a source number from /sources)" : "No answer yet: ask a question first.");
      return;
    }
    const source = last.sources.find((s) => s.n === n);
    if (!source) {
      line(`There is no source [${n}] (the last answer has ${last.sources.length}).`);
      return;
    }
    const file = imagePathOf(config, source);
    if (!file) {
      line(`Source [${n}] is ${source.kind === "text" ? "a text passage" : `a ${source.kind}`} without an image: ${locationOf(source)} — ${source.source}`);
      return;
    }
    if (!existsSync(file)) {
      line(`The image of source [${n}] is missing: ${file} (re-ingest the paper to render it again).`);
      return;
    }
    line(file);
    if (openImage(file)) line("(opened in the image viewer)");
  }

  async function handle(raw: string): Promise<boolean> {
    const text = raw.trim();
    if (!text) return true;
    // A line that is only one of these words is the command, as in a shell.
    const bare = BARE_COMMANDS[text.toLowerCase()];
    if (bare) return handle(bare);
    if (!text.startsWith("/")) {
      await ask(text);
      return true;
    }
    const [command = "", ...rest] = text.split(/\s+/);
    const args = text.slice(command.length).trim();
    switch (command.toLowerCase()) {
      case "/exit":
      case "/quit":
      case "/q":
        return false;
      case "/help":
      case "/?":
        line(REPL_HELP);
        return true;
      case "/sources":
        printSources();
        return true;
      case "/open":
        openSource(args);
        return true;
      case "/clear":
        // The screen too, on a terminal; then as /reset.
        if (tty) write("\x1b[2J\x1b[H");
      // falls through
      case "/reset":
        history = [];
        last = undefined;
        line(`Conversation cleared.${describeFilters(filters) !== "none" ? ` Filters kept: ${describeFilters(filters)} (/filter clear removes them).` : ""}`);
        return true;
      case "/filter":
      case "/filters":
        if (args) {
          try {
            filters = parseFilterArgs(args, filters);
          } catch (error) {
            line(`Error: ${errorMessage(error)}`);
            return true;
          }
          for (const docId of filters.docIds ?? []) {
            const known = await options.store.getDocument(docId).catch(() => null);
            if (!known) line(`Note: no paper with id "${docId}" is stored (\`folio docs\` lists them).`);
          }
        }
        line(`Filters: ${describeFilters(filters)}`);
        return true;
      case "/image": {
        const [file, ...words] = rest;
        if (!file) {
          line("Usage: /image PATH question");
          return true;
        }
        const resolved = path.resolve(cwd, file);
        if (!existsSync(resolved) || !statSync(resolved).isFile()) {
          line(`Error: no such image file: ${resolved}`);
          return true;
        }
        await ask(words.join(" ") || DEFAULT_IMAGE_QUESTION, resolved);
        return true;
      }
      default:
        line(`Unknown command ${command}. /help lists the commands.`);
        return true;
    }
  }

  if (tty) {
    line(`Folio chat — ${await describeAnswerer(config)}. /help for commands, /exit to quit.`);
    rl.prompt();
  }
  try {
    for (;;) {
      if (queue.length === 0) {
        if (closed) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const text = queue.shift()!;
      sigintArmed = false;
      if (tty && historyFile && text.trim()) {
        await mkdir(path.dirname(historyFile), { recursive: true }).catch(() => undefined);
        await appendFile(historyFile, `${text.replace(/\n/g, " ")}\n`).catch(() => undefined);
      }
      const keepGoing = await handle(text);
      if (!keepGoing) break;
      if (tty && !closed) rl.prompt();
    }
  } finally {
    if (!closed) rl.close();
  }
}


import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import { writeJson, writeLine } from "../io.js";
import { ConfigError, UsageError } from "../../errors.js";
import { JINA_TASKS } from "../../embeddings/wire-formats.js";
import type { EmbeddingInput, EmbedOptions, JinaTask } from "../../embeddings/index.js";
import { JINA_DIMENSIONS, loadConfig } from "../../config.js";
import { checkImageArgument } from "./image-arg.js";

interface EmbedFlags {
  image?: string[];
  task?: string;
  dimensions?: string;
  multivector?: boolean;
  lateChunking?: boolean;
  printRequest?: boolean;
  json?: boolean;
}

const PREVIEW_VALUES = 8;
/** Stands in for a key when none is set and the request is only printed (curl reads $JINA_API_KEY). */
const PRINT_ONLY_KEY = "not-set";

export function registerEmbed(program: Command, ctx: CommandContext): Command {
  return program
    .command("embed")
    .description("embed texts and images with Jina Embeddings v4; --print-request shows the exact request as curl (key masked)")
    .argument("[texts...]", "texts to embed")
    .option("--image <path-or-url>", "an image input (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--task <task>", `one of ${JINA_TASKS.join(", ")} (default retrieval.passage)`)
    .option("--dimensions <n>", `Matryoshka size: ${JINA_DIMENSIONS.join(", ")}`)
    .option("--multivector", "late-interaction output: one 128-d vector per token")
    .option("--late-chunking", "the texts are consecutive chunks of one document")
    .option("--print-request", "print the HTTP request(s) as curl commands instead of sending them")
    .option("--json", "machine-readable output (full vectors)")
    .action(async (texts: string[], opts: EmbedFlags, command: Command) => {
      const config = ctx.loadConfig(command);
      if (opts.task && !(JINA_TASKS as readonly string[]).includes(opts.task)) throw new UsageError(`--task must be one of ${JINA_TASKS.join(", ")}.`);
      const dimensions = opts.dimensions === undefined ? undefined : Number(opts.dimensions);
      if (dimensions !== undefined && !(JINA_DIMENSIONS as readonly number[]).includes(dimensions)) throw new UsageError(`--dimensions must be one of ${JINA_DIMENSIONS.join(", ")}.`);
      for (const image of opts.image ?? []) checkImageArgument(image, ctx.io.cwd);
      const inputs: EmbeddingInput[] = [...texts, ...(opts.image ?? []).map((image) => ({ image }))];
      if (inputs.length === 0) throw new UsageError("embed needs at least one text or --image.", 'Try `folio embed "a passage" --print-request`.');
      if (!opts.printRequest && config.embeddings.mode === "none") throw new ConfigError("No embeddings endpoint is configured.", "Set JINA_API_KEY, or JINA_BASE_URL for a self-hosted server (or use --print-request to see the request).");
      const { createEmbeddings, toCurl } = await import("../../embeddings/index.js");
      // --print-request works without a key: it shows what would be sent.
      const embeddings = createEmbeddings(config.embeddings.mode === "none" ? loadConfig({ JINA_API_KEY: PRINT_ONLY_KEY, FOLIO_HOME: config.home }, ctx.io.env, ctx.io.cwd) : config);
      if (!embeddings) throw new ConfigError("No embeddings endpoint is configured.", "Set JINA_API_KEY, or JINA_BASE_URL for a self-hosted server.");
      const options: EmbedOptions = { ...(opts.task ? { task: opts.task as JinaTask } : {}), ...(dimensions ? { dimensions } : {}), multivector: Boolean(opts.multivector), lateChunking: Boolean(opts.lateChunking) };
      try {
        if (opts.printRequest) {
          const requests = await embeddings.describeRequests(inputs, options);
          if (opts.json) return writeJson(ctx.io, { requests });
          return writeLine(ctx.io.stdout, requests.map((r) => toCurl(r)).join("\n\n"));
        }
        const vectors: Array<number[] | number[][]> = options.multivector ? await embeddings.embed(inputs, { ...options, multivector: true, packed: false }) : await embeddings.embed(inputs, { ...options, multivector: false, packed: false });
        if (opts.json) return writeJson(ctx.io, { model: config.embeddings.mode === "jina" ? config.embeddings.model : null, vectors, usage: embeddings.usage });
        vectors.forEach((v, i) => {
          const input = inputs[i];
          const label = typeof input === "string" ? input.slice(0, 40) : "image";
          const shape = isMatrix(v) ? `${v.length} x ${v[0]?.length ?? 0} multi-vector` : `${v.length}-d [${v.slice(0, PREVIEW_VALUES).map((x) => x.toFixed(4)).join(", ")}, ...]`;
          writeLine(ctx.io.stdout, `${i + 1}. ${label}: ${shape}`);
        });
      } finally {
        await embeddings.close();
      }
    });
}

function isMatrix(v: number[] | number[][]): v is number[][] {
  return Array.isArray(v[0]);
}

/**
 * OpenAI's chat completions API as Folio takes it (POST /v1/chat/completions): the request body
 * OpenAI's clients send, with Folio's own options (k, paper) as extra fields or as a model-name
 * suffix (`folio@k=8,paper=arxiv:1706.03762`). Fields Folio does not use (temperature, top_p ...)
 * are accepted and ignored, so any client's defaults pass.
 */
import { z } from "zod";

export const FOLIO_MODEL = "folio";

const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const ImagePart = z.object({ type: z.literal("image_url"), image_url: z.object({ url: z.string().min(1) }) });
const Content = z.union([z.string(), z.array(z.union([TextPart, ImagePart, z.object({ type: z.string() }).passthrough()]))]);

export const OpenAiMessageSchema = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
    content: Content.nullable().optional(),
  })
  .passthrough();
export type OpenAiMessage = z.infer<typeof OpenAiMessageSchema>;

const PaperOption = z.union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(50)]);

export const ChatCompletionBodySchema = z
  .object({
    model: z.string().min(1).max(300),
    messages: z.array(OpenAiMessageSchema).min(1).max(200),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullable().optional(),
    n: z.literal(1).optional(),
    /** Folio: number of sources to retrieve. */
    k: z.number().int().min(1).max(50).optional(),
    /** Folio: answer from these papers only (docIds, as GET /documents lists them). */
    paper: PaperOption.optional(),
  })
  .passthrough();
export type ChatCompletionBody = z.infer<typeof ChatCompletionBodySchema>;

export const ModelOptionsSchema = z
  .object({
    k: z.coerce.number().int().min(1).max(50).optional(),
    paper: z.string().min(1).max(256).optional(),
  })
  .strict();
export type ModelOptions = z.infer<typeof ModelOptionsSchema>;

/** "folio@k=8,paper=arxiv:1706.03762" -> { k: 8, paper: "arxiv:1706.03762" }; undefined when the name is not Folio's. */
export function parseModelName(model: string): { options: Record<string, string> } | undefined {
  const [name, suffix] = model.split(/@(.*)/s, 2);
  if (name !== FOLIO_MODEL) return undefined;
  const options: Record<string, string> = {};
  for (const pair of (suffix ?? "").split(",").filter(Boolean)) {
    const at = pair.indexOf("=");
    options[at === -1 ? pair : pair.slice(0, at)] = at === -1 ? "" : pair.slice(at + 1);
  }
  return { options };
}

/** The text of a message's content (text parts joined), and its first image URL, if any. */
export function messageParts(message: OpenAiMessage): { text: string; image?: string } {
  const content = message.content;
  if (content === null || content === undefined) return { text: "" };
  if (typeof content === "string") return { text: content };
  const texts: string[] = [];
  let image: string | undefined;
  for (const part of content) {
    const text = TextPart.safeParse(part);
    if (text.success) texts.push(text.data.text);
    const picture = ImagePart.safeParse(part);
    if (picture.success) image ??= picture.data.image_url.url;
  }
  return { text: texts.join("\n"), ...(image ? { image } : {}) };
}

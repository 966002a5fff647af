/**
 * Follow-up questions become standalone queries before retrieval. With an LLM: the condense prompt
 * (prompts/condense.md). Offline: a deterministic rewriter that carries the key terms of the
 * previous question over into a short or anaphoric follow-up.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda, RunnableSequence, type Runnable } from "@langchain/core/runnables";
import { ENGLISH_STOP_WORDS } from "../embeddings/bm25.js";
import { toTemplate, type PromptSet } from "./prompts.js";
import type { ChatTurn } from "./types.js";

export interface CondenseInput {
  question: string;
  history: ChatTurn[];
}

/** Words that ask rather than name a topic: never carried over. */
const ASKING_WORDS = new Set([
  "work", "works", "working", "explain", "describe", "show", "tell", "mean", "means", "meant", "use", "used", "uses", "give", "list",
  "happen", "happens", "compare", "compared", "define", "defined", "please", "paper", "papers", "corpus", "say", "says", "said",
  "really", "exactly", "kind", "kinds", "way", "ways", "thing", "things", "much", "many", "well", "good", "important",
]);
const PRONOUN = /\b(it|its|they|them|their|theirs|he|she|his|her)\b/i;
const DEMONSTRATIVE = /\b(this|these|those|the same|the former|the latter|the above|the previous)\b/i;
const FOLLOW_UP_START = /^\s*(?:and|but|also|so|then|what about|how about|and what about|why|how come|what else|anything else|same for|or)\b/i;
/** A follow-up with at most this many topic words ("Why?", "How so?") depends on the previous question. */
const SHORT_FOLLOW_UP_WORDS = 0;

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:[-'’.][\p{L}\p{N}]+)*/gu) ?? [];
}

/** The topic words of a question, in order, original casing ("How does the Transformer work?" -> ["Transformer"]). */
export function keyTerms(question: string): string[] {
  const out: string[] = [];
  const all = words(question);
  // "What do residual connections learn?": after an auxiliary, the last word is the verb, not the topic.
  if (/^\s*(?:(?:what|how|why|when|where|which|who)\s+)?(?:do|does|did|can|could|should|would|will)\b/i.test(question) && all.length > 2) all.pop();
  for (const w of all) {
    const lower = w.toLowerCase();
    if (ENGLISH_STOP_WORDS.has(lower) || ASKING_WORDS.has(lower) || lower.length < 2) continue;
    if (!out.some((x) => x.toLowerCase() === lower)) out.push(w);
  }
  return out;
}

/** Rewrites one follow-up against the previous (already standalone) question. */
export function rewriteFollowUp(question: string, previous: string | undefined): string {
  const q = question.replace(/\s+/g, " ").trim();
  if (!previous) return q;
  const carried = keyTerms(previous).filter((t) => !keyTerms(q).some((x) => x.toLowerCase() === t.toLowerCase()));
  if (carried.length === 0) return q;
  const topic = carried.join(" ");
  const anaphoric = PRONOUN.test(q) || DEMONSTRATIVE.test(q) || FOLLOW_UP_START.test(q);
  const short = keyTerms(q).length <= SHORT_FOLLOW_UP_WORDS;
  if (!anaphoric && !short) return q;
  // "what about its encoder?" -> "what about the Transformer encoder?"; "How is it trained?" -> "How is the Transformer trained?"
  const possessive = /\b(its|their|his|her)\b/i;
  if (possessive.test(q)) return q.replace(possessive, `the ${topic}`);
  const personal = /\b(it|they|them|he|she)\b/i;
  if (personal.test(q)) return q.replace(personal, `the ${topic}`);
  const stem = q.replace(/[?.!\s]+$/, "");
  const mark = /[?]\s*$/.test(q) || /^\s*(what|how|why|when|where|which|who|is|are|does|do|can)\b/i.test(q) ? "?" : "";
  return `${stem} (${topic})${mark}`;
}

/** The standalone question for the last turn, resolving each earlier user turn in order. */
export function rewriteOffline(input: CondenseInput): string {
  let previous: string | undefined;
  for (const turn of input.history) {
    if (turn.role !== "user") continue;
    previous = rewriteFollowUp(turn.content, previous);
  }
  return rewriteFollowUp(input.question, previous);
}

export function offlineCondenser(): Runnable<CondenseInput, string> {
  return RunnableLambda.from((input: CondenseInput) => rewriteOffline(input)).withConfig({ runName: "CondenseQuestionOffline" });
}

/** The conversation as the condense prompt shows it: the last turns, assistant answers shortened. */
export function formatHistory(history: ChatTurn[], maxTurns = 6, maxAnswerChars = 600): string {
  return history
    .slice(-maxTurns)
    .map((t) => {
      const text = t.content.replace(/\s+/g, " ").trim();
      return t.role === "user" ? `User: ${text}` : `Assistant: ${text.length > maxAnswerChars ? `${text.slice(0, maxAnswerChars)}…` : text}`;
    })
    .join("\n");
}

/** The LLM condenser: prompt -> model -> text; the first turn (no history) skips the LLM. */
export function llmCondenser(model: BaseChatModel, prompts: PromptSet): Runnable<CondenseInput, string> {
  const prompt = ChatPromptTemplate.fromMessages([["human", toTemplate(prompts.condense, ["history", "question"])]]);
  const chain = RunnableSequence.from([
    RunnableLambda.from((input: CondenseInput) => ({ history: formatHistory(input.history), question: input.question })),
    prompt,
    model,
    new StringOutputParser(),
  ]);
  return RunnableLambda.from(async (input: CondenseInput, config) => {
    if (!input.history.some((t) => t.role === "user")) return input.question.trim();
    const rewritten = (await chain.invoke(input, config)).trim().replace(/^standalone question:\s*/i, "").replace(/^["“](.*)["”]$/s, "$1").trim();
    // An empty or runaway reply is no better than the question as asked.
    return rewritten && rewritten.length <= Math.max(400, input.question.length * 4) ? rewritten.split("\n")[0]!.trim() : input.question.trim();
  }).withConfig({ runName: "CondenseQuestion" });
}

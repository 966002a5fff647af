/**
 * A document's profile for the document-level index of src/chat/papers.ts: its abstract, headings,
 * the names it gives itself, and the coined terms it uses most. Rules from layout and language:
 *   - a short title prefix before a colon ("BERT: Pre-training ...") is the paper's name;
 *   - "called X", "we call (the resulting models) X", "refer to (it) as X", "we introduce X,";
 *   - "we propose (a new ...), the X," ("the Transformer");
 *   - an acronym defined right after "our ..." ("our dense passage retriever (DPR)"), or whose long
 *     form is a run of the title's words ("Retrieval-Augmented Generation (RAG)").
 * Coined terms are words with an inner capital or digit, or all-caps words ("ResNet", "GPT-3",
 * "BLEU"), counted in the body: the paper that uses a coined term most densely is its likely owner.
 */
import type { DocumentProfile } from "../store/types.js";
import type { ParsedBlock } from "./types.js";

const LIMITS = { abstractChars: 1_500, headings: 60, headingChars: 80, names: 8, terms: 12, introPages: 3, titlePrefixWords: 3, minTermCount: 3 } as const;

const NAME = String.raw`([A-Z][\p{L}\p{N}]*(?:[-‐][\p{L}\p{N}]+)*(?:\s+[A-Z][\p{L}\p{N}]*(?:[-‐][\p{L}\p{N}]+)*){0,2})`;
const NAMING_PATTERNS: RegExp[] = [
  new RegExp(String.raw`\b(?:called|named|dubbed|termed|coined)\s+(?:the\s+)?${NAME}`, "gu"),
  new RegExp(String.raw`\b[Ww]e\s+(?:call|name|term|dub)\s+(?:it|this|them|these|the\s+resulting\s+\p{L}+|our\s+\p{L}+)\s+(?:as\s+)?(?:the\s+)?${NAME}`, "gu"),
  new RegExp(String.raw`\brefer\s+to\s+(?:it|this|them|these|our\s+\p{L}+(?:\s+\p{L}+)?)\s+as\s+(?:the\s+)?${NAME}`, "gu"),
  new RegExp(String.raw`\b[Ww]e\s+(?:introduce|propose|present)\s+${NAME},`, "gu"),
  new RegExp(String.raw`\b[Ww]e\s+(?:introduce|propose|present)\s+(?:a|an|the)\s+[^.;:]{0,80}?,\s+the\s+${NAME},`, "gu"),
];
const ACRONYM = /\(([A-Z][\p{L}\p{N}-]{1,14})\)/gu;
const COINED = /\b(?:[A-Z]{2,}[\p{L}\p{N}]*|[A-Z]?[a-z]+[A-Z][\p{L}\p{N}]*|[A-Z][\p{L}]*[-]?\p{N}+[\p{L}\p{N}]*)(?:-[\p{L}\p{N}]+)*\b/gu;
const STOP = new Set(["a", "an", "the", "of", "for", "and", "to", "in", "on", "with", "by", "via", "from", "at", "is", "are", "all"]);

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w)).map((w) => w.replace(/(?:s|es|al|er|ers|ing|ion)$/, ""));
}

/** True when the words before an acronym are a run of the title's words (two or more). */
function longFormInTitle(before: string, acronym: string, titleWords: string[]): boolean {
  const words = contentWords(before).slice(-Math.max(2, acronym.replace(/[^A-Z]/g, "").length));
  const title = titleWords.join(" ");
  for (let n = words.length; n >= 2; n--) if (title.includes(words.slice(-n).join(" "))) return true;
  return false;
}

function definedNames(title: string, intro: string): string[] {
  const names: string[] = [];
  const prefix = /^([^:]{2,40}):/.exec(title)?.[1]?.trim();
  if (prefix && prefix.split(/\s+/).length <= LIMITS.titlePrefixWords && /\p{Lu}/u.test(prefix)) names.push(prefix);
  for (const pattern of NAMING_PATTERNS) for (const m of intro.matchAll(pattern)) names.push(m[1]!.trim());
  const titleWords = contentWords(title);
  for (const m of intro.matchAll(ACRONYM)) {
    const acronym = m[1]!;
    const before = intro.slice(Math.max(0, m.index - 80), m.index);
    if (/\b[Oo]ur\s+(?:[\p{L}-]+\s+){0,4}[\p{L}-]+\s*$/u.test(before) || longFormInTitle(before, acronym, titleWords)) names.push(acronym.replace(/s$/, ""));
  }
  const seen = new Set<string>();
  return names.filter((n) => n.length >= 2 && !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase())).slice(0, LIMITS.names);
}

/** The most frequent coined terms, with their count per 10,000 words of the body. */
function coinedTerms(body: string): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const m of body.matchAll(COINED)) {
    const term = m[0].replace(/s$/, "");
    if (term.length < 2) continue;
    counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  const words = body.split(/\s+/).length || 1;
  return [...counts]
    .filter(([, n]) => n >= LIMITS.minTermCount)
    .sort((a, b) => b[1] - a[1])
    .slice(0, LIMITS.terms)
    .map(([term, n]) => [term, Math.round((n / words) * 10_000 * 10) / 10]);
}

export function profileDocument(title: string, abstract: string | undefined, blocks: readonly ParsedBlock[]): DocumentProfile {
  const body = blocks.filter((b) => !b.references);
  const intro = body.filter((b) => (b.page ?? 1) <= LIMITS.introPages && b.kind !== "table").map((b) => b.text).join(" ");
  const headings = [...new Set(body.filter((b) => b.kind === "heading").map((b) => b.text.replace(/\s+/g, " ").trim().slice(0, LIMITS.headingChars)))].slice(0, LIMITS.headings);
  const abstractText = (abstract ?? body.filter((b) => b.kind === "abstract").map((b) => b.text).join(" ")).replace(/\s+/g, " ").trim();
  return {
    ...(abstractText ? { abstract: abstractText.slice(0, LIMITS.abstractChars) } : {}),
    names: definedNames(title, `${abstractText} ${intro}`),
    terms: coinedTerms(body.map((b) => b.text).join(" ")),
    headings,
  };
}

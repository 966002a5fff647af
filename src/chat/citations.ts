/**
 * Citation markers in answers: [1], [1, 3], [1][2], [2-4]. Markers are checked against the
 * numbered sources as the answer streams, so a marker that points at no source never reaches the
 * reader, and the streamed text equals the final answer.
 */
import type { Citation } from "./types.js";

/** The inside of a marker: numbers separated by commas, semicolons, "and", or a range dash. */
const MARKER_BODY = /^\s*\d{1,3}(?:\s*(?:,|;|-|–|and)\s*\d{1,3})*\s*$/;
const MARKER = /\[([^\][]{1,40})\]/g;
/** Characters that can still become a marker body while the closing bracket has not arrived yet. */
const PARTIAL_BODY = /^[\d\s,;\-–and]*$/;
const MAX_RANGE = 20;

/** The numbers in a marker body ("1, 3", "2-4"), or null when it is not a citation marker. */
export function markerNumbers(body: string): number[] | null {
  if (!MARKER_BODY.test(body)) return null;
  const numbers: number[] = [];
  for (const part of body.split(/\s*(?:,|;|and)\s*/)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part.trim());
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b >= a && b - a <= MAX_RANGE) for (let i = a; i <= b; i++) numbers.push(i);
      else numbers.push(a, b);
    } else if (part.trim()) numbers.push(Number(part.trim()));
  }
  return numbers;
}

/** Every number cited in `text`, in order of first appearance. */
export function citedNumbers(text: string): number[] {
  const out: number[] = [];
  for (const match of text.matchAll(MARKER)) {
    for (const n of markerNumbers(match[1] ?? "") ?? []) if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** Rewrites one marker keeping only numbers in 1..sourceCount ("" when none is left), each shown as `display` numbers it. */
function rewriteMarker(original: string, numbers: number[], sourceCount: number, display: (n: number) => number): { text: string; kept: number[] } {
  const kept = [...new Set(numbers.filter((n) => Number.isInteger(n) && n >= 1 && n <= sourceCount))];
  const shown = kept.map(display);
  if (kept.length === numbers.length && new Set(numbers).size === numbers.length && shown.every((n, i) => n === kept[i])) return { text: original, kept };
  return { text: kept.length ? `[${shown.join(", ")}]` : "", kept };
}

/** Removes markers that point at no source from a complete text. */
export function cleanMarkers(text: string, sourceCount: number): string {
  const filter = new CitationStreamFilter(sourceCount);
  return filter.push(text) + filter.flush();
}

/**
 * Streaming marker check: `push` returns the text that is safe to show now, holding back a
 * possible marker until its closing bracket arrives; `flush` returns what is left at the end.
 */
export class CitationStreamFilter {
  private pending = "";
  private readonly order: number[] = [];

  /**
   * `renumber`: sources are shown numbered 1..n in the order the answer first cites them, so an
   * answer reads [1], [2] ... with no gaps; `cited` keeps the original numbers, in that order.
   */
  constructor(private readonly sourceCount: number, private readonly renumber = false) {}

  /** Cited source numbers (as given) in order of first appearance (valid ones only). */
  get cited(): number[] {
    return [...this.order];
  }

  private display(n: number): number {
    if (!this.renumber) return n;
    if (!this.order.includes(n)) this.order.push(n);
    return this.order.indexOf(n) + 1;
  }

  push(text: string): string {
    this.pending += text;
    let out = "";
    for (;;) {
      const open = this.pending.indexOf("[");
      if (open < 0) {
        out += this.pending;
        this.pending = "";
        return out;
      }
      // The spaces before a marker wait with it: a dropped marker takes them along ("word [9]." -> "word.").
      let lead = open;
      while (lead > 0 && (this.pending[lead - 1] === " " || this.pending[lead - 1] === "\t")) lead--;
      out += this.pending.slice(0, lead);
      const spaces = this.pending.slice(lead, open);
      this.pending = this.pending.slice(open);
      const close = this.pending.indexOf("]");
      if (close < 0) {
        const body = this.pending.slice(1);
        if (body.length <= 40 && PARTIAL_BODY.test(body)) {
          this.pending = spaces + this.pending; // may still become a marker
          return out;
        }
        out += `${spaces}[`;
        this.pending = this.pending.slice(1);
        continue;
      }
      const body = this.pending.slice(1, close);
      const numbers = body.includes("[") ? null : markerNumbers(body);
      if (!numbers) {
        out += `${spaces}[`;
        this.pending = this.pending.slice(1);
        continue;
      }
      const { text: rewritten, kept } = rewriteMarker(this.pending.slice(0, close + 1), numbers, this.sourceCount, (n) => this.display(n));
      for (const n of kept) if (!this.order.includes(n)) this.order.push(n);
      out += rewritten ? spaces + rewritten : "";
      this.pending = this.pending.slice(close + 1);
    }
  }

  flush(): string {
    const rest = this.pending;
    this.pending = "";
    return rest;
  }
}

/**
 * Phrases with which an answer says the corpus does not answer the question. The extractive model and
 * the prompts use "The corpus does not answer this"; LLMs paraphrase, hence the variants.
 */
const UNANSWERED_PATTERNS = [
  /\b(?:the )?(?:corpus|sources?|provided (?:sources|context|documents|passages)|context|documents|passages|papers)(?: provided)? (?:does|do|did) not (?:answer|cover|contain|address|mention|include|discuss|say|provide|describe|specify|state)\b/i,
  /\bnot (?:answered|covered|addressed|mentioned|discussed) (?:by|in) the (?:corpus|sources|provided)/i,
  /\b(?:no|none of the) (?:sources?|passages?|documents?)(?: in the corpus)? (?:answers?|covers?|mentions?|addresses|contains?)\b/i,
  /\b(?:cannot|can't|can not|unable to) (?:be )?(?:answer|answered|find|found|determine)\b[^.]{0,40}\b(?:from|in|using) the (?:corpus|sources|provided)/i,
  /\bthere is no (?:information|mention|evidence)\b[^.]{0,40}\b(?:in|from) the (?:corpus|sources|provided)/i,
];

export function saysUnanswered(answer: string): boolean {
  return UNANSWERED_PATTERNS.some((p) => p.test(answer));
}

/**
 * The sources renumbered in the order the answer first cites them (`citedOrder`, original numbers):
 * the cited ones first as 1..m, the others after them in their retrieval order.
 */
export function renumberSources(sources: Citation[], citedOrder: readonly number[]): Citation[] {
  const byNumber = new Map(sources.map((s) => [s.n, s]));
  const cited = citedOrder.map((n) => byNumber.get(n)).filter((s): s is Citation => Boolean(s));
  const rest = sources.filter((s) => !citedOrder.includes(s.n));
  return [...cited, ...rest].map((s, i) => ({ ...s, n: i + 1 }));
}

/** For extractive answers: the quote just before a marker ("..." [n]) is the citation's snippet. */
export function quotesByNumber(answer: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const match of answer.matchAll(/["“]([^"”]{8,})["”]\s*\[([^\][]{1,40})\]/g)) {
    for (const n of markerNumbers(match[2] ?? "") ?? []) if (!out.has(n)) out.set(n, match[1]!.trim());
  }
  return out;
}

/** The cited sources, sorted by marker number; extractive answers use their quotes as snippets. */
export function citationsFor(answer: string, sources: Citation[], options: { quotesAsSnippets?: boolean } = {}): Citation[] {
  const byNumber = new Map(sources.map((s) => [s.n, s]));
  const quotes = options.quotesAsSnippets ? quotesByNumber(answer) : new Map<number, string>();
  return citedNumbers(answer)
    .filter((n) => byNumber.has(n))
    .sort((a, b) => a - b)
    .map((n) => {
      const source = byNumber.get(n)!;
      const quote = quotes.get(n);
      return quote ? { ...source, snippet: quote } : source;
    });
}

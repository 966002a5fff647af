/**
 * The document-level index: which paper a question names, and which figure, table, algorithm,
 * section or equation. Built from the registry records (title, authors, year, ids and the profile
 * ingest made: names the paper gives itself, its coined terms, abstract, headings), never from a
 * list of known papers. Also scores every paper against the question (BM25 over title, names,
 * abstract and headings) for the document-level ranking stage.
 */
import { analyze } from "../store/index.js";
import type { DocumentRecord } from "../store/types.js";

export interface ElementRef {
  /** "Figure 2", "Table 3", "Algorithm 1", "Section 3.2", "Equation 4" */
  label: string;
  type: "figure" | "table" | "algorithm" | "section" | "equation";
  number: string;
}

export interface PaperMatch {
  docId: string;
  title: string;
  score: number;
  /** What in the question named it: "arXiv id", "name BERT", "author Vaswani", "title". */
  evidence: string[];
  /** The names the paper gives itself (from its profile). */
  names: string[];
}

export interface QuestionRefs {
  /** Papers the question names, best first; more than one when it names several or is ambiguous. */
  papers: PaperMatch[];
  /** True when the best two candidates are too close to choose between by the question alone. */
  ambiguous: boolean;
  /** True when the question names two or more papers, each by its own name or id (a comparison). */
  compared: boolean;
  elements: ElementRef[];
}

/** Evidence weights: a paper is named when its evidence reaches NAMED_AT. */
const WEIGHTS = { id: 10, name: 6, variant: 5, coined: 4, author: 4, shortAuthor: 2, titleWord: 2, year: 1 } as const;
const NAMED_AT = 4;
/** BM25 over the document fields (the usual parameters). */
const DOC_BM25 = { k1: 1.2, b: 0.75 } as const;
/** How long the registry read for the paper index is reused (an ingest shows up within this time). */
export const PAPER_INDEX_REFRESH_MS = 5_000;
/** Per other paper that uses a name, its weight is divided by 1 + this. */
const NAME_USE_DISCOUNT = 0.15;
/** Two candidates closer than this ratio are both kept. */
const DISTINCT_RATIO = 1.5;
const MIN_TITLE_RUN = 2;
const MIN_SURNAME = 3;

// "§" is no word character, so \b would never match before it after a space.
const ELEMENT = /(?:\b|(?=§))(Figure|Fig\.?|Table|Tab\.|Algorithm|Alg\.|Section|Sec\.|§|Equation|Eq\.|Eqn\.?)\s*\(?(\d+(?:\.\d+)*)\)?/giu;
const ELEMENT_TYPES: Record<string, ElementRef["type"]> = { figure: "figure", fig: "figure", table: "table", tab: "table", algorithm: "algorithm", alg: "algorithm", section: "section", sec: "section", "§": "section", equation: "equation", eq: "equation", eqn: "equation" };
const ELEMENT_NAMES: Record<ElementRef["type"], string> = { figure: "Figure", table: "Table", algorithm: "Algorithm", section: "Section", equation: "Equation" };
const ARXIV_IN_TEXT = /\b(\d{4}\.\d{4,5})(?:v\d+)?\b/g;
const DOI_IN_TEXT = /\b10\.\d{4,9}\/[^\s"'<>]+/gi;
const YEAR_IN_TEXT = /\b(?:19|20)\d{2}\b/g;

export function elementRefs(question: string): ElementRef[] {
  const out: ElementRef[] = [];
  for (const m of question.matchAll(ELEMENT)) {
    const type = ELEMENT_TYPES[m[1]!.toLowerCase().replace(/\.$/, "")];
    if (!type) continue;
    const label = `${ELEMENT_NAMES[type]} ${m[2]}`;
    if (!out.some((e) => e.label === label)) out.push({ label, type, number: m[2]! });
  }
  return out;
}

/** Words as written (case kept); "BERT's" gives "BERT" and "s". */
function surfaceWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:[-‐][\p{L}\p{N}]+)*/gu) ?? [];
}

/** Lower-cased, with plurals of coined names folded ("ResNets" -> "resnet"), for matching names. */
function folded(words: string[]): string[] {
  return words.map((w) => w.replace(/(?<=\p{Lu}[\p{L}\p{N}-]*)s$/u, "").toLowerCase());
}

/** Where `needle` (a word list) occurs contiguously in `hay`: its start positions. */
function runStarts(hay: readonly string[], needle: readonly string[]): number[] {
  const starts: number[] = [];
  if (needle.length === 0) return starts;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    starts.push(i);
  }
  return starts;
}

/** Longest run of consecutive analysed words the question shares with the title. */
function titleRun(question: readonly string[], title: readonly string[]): number {
  let best = 0;
  for (let i = 0; i < question.length; i++) {
    for (let j = 0; j < title.length; j++) {
      let n = 0;
      while (question[i + n] !== undefined && question[i + n] === title[j + n]) n++;
      best = Math.max(best, n);
    }
  }
  return best;
}

interface IndexedPaper {
  record: DocumentRecord;
  names: string[][];
  coined: Map<string, number>;
  surnames: string[];
  titleTerms: string[];
  arxivId?: string;
}

function surnameOf(author: string): string {
  return (author.replace(/[\d*†‡§¶∗,]+/g, " ").trim().split(/\s+/).at(-1) ?? "").replace(/[^\p{L}'-]/gu, "");
}

export class PaperIndex {
  private readonly papers: IndexedPaper[];
  /** How many papers name or use each (lower-cased) name: a name many papers share tells little. */
  private readonly nameSpread = new Map<string, number>();
  /** How many papers give themselves each name. */
  private readonly definers = new Map<string, number>();

  constructor(records: readonly DocumentRecord[]) {
    this.papers = records.map((record) => {
      const names = (record.profile?.names ?? []).map((n) => folded(surfaceWords(n))).filter((n) => n.length > 0);
      const coined = new Map((record.profile?.terms ?? []).map(([t, density]) => [folded([t])[0]!, density] as [string, number]));
      const arxivId = record.arxivId ?? /^arxiv:(.+)$/.exec(record.docId)?.[1];
      return { record, names, coined, surnames: record.authors.map(surnameOf).filter(Boolean), titleTerms: analyze(record.title), ...(arxivId ? { arxivId: arxivId.replace(/v\d+$/, "") } : {}) };
    });
    for (const p of this.papers) {
      const keys = new Set([...p.names.map((n) => n.join(" ")), ...p.coined.keys()]);
      for (const key of keys) this.nameSpread.set(key, (this.nameSpread.get(key) ?? 0) + 1);
      for (const key of new Set(p.names.map((n) => n.join(" ")))) this.definers.set(key, (this.definers.get(key) ?? 0) + 1);
    }
  }

  /**
   * A name's weight: shared by every paper that gives it to itself, and lowered a little for each
   * other paper that uses it (DPR is cited by many; "QA" is used by most and names none of them).
   */
  private nameWeight(name: string, weight: number): number {
    const users = this.nameSpread.get(name) ?? 1;
    return weight / (this.definers.get(name) ?? 1) / (1 + NAME_USE_DISCOUNT * (users - 1));
  }

  get size(): number {
    return this.papers.length;
  }

  /** True when `run` occurs in the question other than inside a longer name of another paper there. */
  private standsAlone(p: IndexedPaper, run: readonly string[], wordsLower: readonly string[]): boolean {
    const inLongerName = (start: number) =>
      this.papers.some((o) => o !== p && o.names.some((m) => m.length > run.length && runStarts(wordsLower, m).some((s) => s <= start && start + run.length <= s + m.length)));
    return runStarts(wordsLower, run).some((start) => !inLongerName(start));
  }

  /** The coined term's densest user, when no paper defines it as its name. */
  private coinedOwner(term: string): IndexedPaper | undefined {
    let best: IndexedPaper | undefined;
    for (const p of this.papers) if ((p.coined.get(term) ?? 0) > (best?.coined.get(term) ?? 0)) best = p;
    return best;
  }

  private evidenceFor(p: IndexedPaper, words: string[], wordsLower: string[], analysed: string[], question: string): { score: number; evidence: string[] } {
    let score = 0;
    const evidence: string[] = [];
    const add = (weight: number, why: string) => {
      score += weight;
      evidence.push(why);
    };
    if (p.arxivId && [...question.matchAll(ARXIV_IN_TEXT)].some((m) => m[1] === p.arxivId)) add(WEIGHTS.id, "arXiv id");
    if (p.record.doi && [...question.matchAll(DOI_IN_TEXT)].some((m) => m[0].toLowerCase().replace(/[.,;)]+$/, "") === p.record.doi!.toLowerCase())) add(WEIGHTS.id, "DOI");
    // The longest matching name counts: "Vision Transformer" and not also "Transformer".
    // Across papers too: "Vision Transformer" does not also name the paper called "Transformer".
    const named = p.names.filter((n) => this.standsAlone(p, n, wordsLower)).sort((a, b) => b.length - a.length)[0];
    if (named) add(this.nameWeight(named.join(" "), WEIGHTS.name), `name ${named.join(" ")}`);
    // A variant of a one-word name ("BERT-large", "ResNet-50", "ViT-Huge") names the paper too, a little less surely.
    const variant = named ? undefined : p.names.find((n) => n.length === 1 && wordsLower.some((w) => w.startsWith(`${n[0]}-`)));
    if (variant) add(this.nameWeight(variant[0]!, WEIGHTS.variant), `name ${wordsLower.find((w) => w.startsWith(`${variant[0]}-`))}`);
    for (const term of new Set(wordsLower)) {
      if (named?.includes(term) || !p.coined.has(term) || this.coinedOwner(term) !== p || !this.standsAlone(p, [term], wordsLower)) continue;
      if (this.papers.some((o) => o !== p && o.names.some((n) => n.length === 1 && n[0] === term))) continue; // another paper's own name
      add(WEIGHTS.coined / Math.max(1, (this.nameSpread.get(term) ?? 1) - 1), `term ${term}`);
    }
    const surnames = p.surnames.filter((s) => words.includes(s));
    for (const s of surnames) add(s.length >= MIN_SURNAME ? WEIGHTS.author : surnames.length > 1 ? WEIGHTS.shortAuthor : 0, `author ${s}`);
    const run = titleRun(analysed, p.titleTerms);
    if (run >= Math.min(MIN_TITLE_RUN, p.titleTerms.length)) add(WEIGHTS.titleWord * run, "title");
    if (score > 0 && p.record.year !== undefined && [...question.matchAll(YEAR_IN_TEXT)].some((m) => Number(m[0]) === p.record.year)) add(WEIGHTS.year, "year");
    return { score, evidence };
  }

  /** The papers and elements a question names. */
  resolve(question: string): QuestionRefs {
    const words = surfaceWords(question);
    const wordsLower = folded(words);
    const analysed = analyze(question);
    const matches: PaperMatch[] = [];
    for (const p of this.papers) {
      const { score, evidence } = this.evidenceFor(p, words, wordsLower, analysed, question);
      if (score >= NAMED_AT) matches.push({ docId: p.record.docId, title: p.record.title, score, evidence, names: p.record.profile?.names ?? [] });
    }
    matches.sort((a, b) => b.score - a.score);
    const compared = this.namesBoth(matches);
    const ambiguous = matches.length > 1 && matches[0]!.score < matches[1]!.score * DISTINCT_RATIO && !compared;
    return { papers: matches, ambiguous, compared, elements: elementRefs(question) };
  }

  /** Two papers each named by their own name ("compare BERT and GPT"): a comparison, not an ambiguity. */
  private namesBoth(matches: PaperMatch[]): boolean {
    return matches.length > 1 && matches.slice(0, 2).every((m) => m.evidence.some((e) => e.startsWith("name ") || e === "arXiv id" || e === "DOI"));
  }

  /** Each paper's BM25 score for the question over its title, names, abstract and headings (0 when nothing matches). */
  documentScores(question: string): Map<string, number> {
    const fields = this.fields();
    const scores = new Map<string, number>();
    const n = fields.docs.length;
    const terms = [...new Set(analyze(question))];
    for (const d of fields.docs) {
      let score = 0;
      for (const t of terms) {
        const f = d.tf.get(t) ?? 0;
        if (!f) continue;
        const df = fields.df.get(t) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * f * (DOC_BM25.k1 + 1)) / (f + DOC_BM25.k1 * (1 - DOC_BM25.b + (DOC_BM25.b * d.length) / fields.avgLength));
      }
      scores.set(d.docId, score);
    }
    return scores;
  }

  private fieldStats: DocumentFields | undefined;

  /** The document-level index's term statistics, built once per index. */
  private fields(): DocumentFields {
    if (this.fieldStats) return this.fieldStats;
    const docs = this.papers.map((p) => {
      const profile = p.record.profile;
      // The title counts twice: it is the field that says most about what the paper is about.
      const list = analyze([p.record.title, p.record.title, ...(profile?.names ?? []), profile?.abstract ?? "", ...(profile?.headings ?? [])].join(" "));
      const tf = new Map<string, number>();
      for (const t of list) tf.set(t, (tf.get(t) ?? 0) + 1);
      return { docId: p.record.docId, tf, length: list.length };
    });
    const df = new Map<string, number>();
    for (const d of docs) for (const t of d.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    this.fieldStats = { docs, df, avgLength: docs.reduce((s, d) => s + d.length, 0) / (docs.length || 1) || 1 };
    return this.fieldStats;
  }
}

interface DocumentFields {
  docs: Array<{ docId: string; tf: Map<string, number>; length: number }>;
  df: Map<string, number>;
  avgLength: number;
}

/** "Assuming Attention Is All You Need (arxiv:1706.03762); also possible: ..." for an ambiguous reference. */
export function describeAssumption(refs: QuestionRefs): string | undefined {
  if (!refs.ambiguous || refs.papers.length < 2) return undefined;
  const [best, ...rest] = refs.papers;
  return `Assuming the question means "${best!.title}" (${best!.docId}); it could also mean ${rest.slice(0, 3).map((p) => `"${p.title}" (${p.docId})`).join(", ")}.`;
}

/** What the paper index needs of the store. */
export interface DocumentLister {
  listDocuments(): Promise<DocumentRecord[]>;
}

/**
 * The current PaperIndex of a store. Reading the registry costs one scroll over every record, so it
 * is read again only after `refreshMs` (a long-running server sees new ingests within that time),
 * and the index is rebuilt only when a record changed.
 */
export class PaperDirectory {
  private signature = "";
  private index = new PaperIndex([]);
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: DocumentLister,
    private readonly refreshMs = PAPER_INDEX_REFRESH_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async current(): Promise<PaperIndex> {
    if (this.now() - this.readAt < this.refreshMs) return this.index;
    const records = await this.store.listDocuments();
    this.readAt = this.now();
    const signature = records.map((r) => `${r.docId}@${r.ingestedAt}`).join("|");
    if (signature !== this.signature) {
      this.index = new PaperIndex(records);
      this.signature = signature;
    }
    return this.index;
  }
}

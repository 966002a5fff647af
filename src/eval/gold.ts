/**
 * Resolves the paper references of a question set (a docId, a file name, a path relative to the
 * corpus, a DOI or an arXiv id) to the documents of the store.
 */
import path from "node:path";
import type { DocumentRecord } from "../store/types.js";
import type { ResolvedGold } from "./metrics.js";
import type { EvalQuestion } from "./questions.js";

const ARXIV_ID = /^(?:arxiv:|https?:\/\/arxiv\.org\/(?:abs|pdf)\/)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?(?:\.pdf)?$/i;
const DOI = /^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i;

export class DocumentResolver {
  private readonly byKey = new Map<string, string>();

  constructor(records: readonly DocumentRecord[]) {
    for (const r of records) {
      this.add(r.docId, r.docId);
      if (r.arxivId) this.add(`arxiv:${r.arxivId.replace(/v\d+$/, "")}`, r.docId);
      const fromId = /^arxiv:(.+)$/.exec(r.docId)?.[1];
      if (fromId) this.add(`arxiv:${fromId}`, r.docId);
      if (r.doi) this.add(`doi:${r.doi.toLowerCase()}`, r.docId);
      const source = r.source.replace(/\\/g, "/");
      this.add(`file:${path.posix.basename(source)}`, r.docId);
      this.add(`path:${source}`, r.docId);
    }
    this.sources = records.map((r) => ({ source: r.source.replace(/\\/g, "/"), docId: r.docId }));
  }

  private readonly sources: Array<{ source: string; docId: string }>;

  private add(key: string, docId: string): void {
    // A key two documents share (two files of the same name) resolves to neither: ambiguity is reported, not guessed.
    const existing = this.byKey.get(key);
    this.byKey.set(key, existing === undefined || existing === docId ? docId : "");
  }

  /** The docId a reference names, or undefined. */
  resolve(ref: string): string | undefined {
    const r = ref.trim();
    const direct = this.byKey.get(r);
    if (direct) return direct;
    const arxiv = ARXIV_ID.exec(r)?.[1];
    if (arxiv) return this.byKey.get(`arxiv:${arxiv}`) || undefined;
    const doi = DOI.exec(r)?.[1];
    if (doi) return this.byKey.get(`doi:${doi.toLowerCase()}`) || undefined;
    const posix = r.replace(/\\/g, "/").replace(/^\.\//, "");
    if (!posix.includes("/")) return this.byKey.get(`file:${posix}`) || undefined;
    const matches = this.sources.filter((s) => s.source === posix || s.source.endsWith(`/${posix}`));
    return matches.length === 1 ? matches[0]!.docId : undefined;
  }
}

export type GoldResolution = { ok: true; gold: ResolvedGold } | { ok: false; reason: string };

/** The question's gold in docIds; a reference that names no stored document makes the question a reported skip. */
export function resolveGold(question: EvalQuestion, resolver: DocumentResolver): GoldResolution {
  const docs = new Map<string, number>();
  for (const g of question.gold) {
    const docId = resolver.resolve(g.ref);
    if (!docId) return { ok: false, reason: `${question.origin}: "${g.ref}" names no document in the store` };
    docs.set(docId, Math.max(docs.get(docId) ?? 0, g.grade));
  }
  return { ok: true, gold: { docs, ...(question.page !== undefined ? { page: question.page } : {}), ...(question.passage ? { passage: question.passage } : {}) } };
}

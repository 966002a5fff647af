/**
 * Question sets for `folio eval`: Folio's JSONL (one question a line) or BEIR's layout (a folder
 * with queries.jsonl and qrels/<split>.tsv). Both become `EvalQuestion`s; every bad line is an
 * InputError naming the file, the line and the field.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InputError } from "../errors.js";

/** A gold document: a reference as the user wrote it (docId, file name, path, DOI or arXiv id) and its grade. */
export interface GoldPaper {
  ref: string;
  /** Graded relevance (BEIR's qrels score; 1 for Folio's JSONL). */
  grade: number;
}

export interface EvalQuestion {
  id: string;
  question: string;
  kind?: string;
  /** Empty for unanswerable questions and for questions that only test the answer. */
  gold: GoldPaper[];
  /** 1-based page of the first gold paper that answers. */
  page?: number;
  /** A span of that page's text that answers. */
  passage?: string;
  /** The short answer a correct reply contains. */
  answer?: string;
  unanswerable: boolean;
  /** Where the question came from, for messages: "questions.jsonl:12". */
  origin: string;
}

/** One line of Folio's JSONL format. Unknown fields are allowed (notes, authorship). */
export const FolioQuestionSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  question: z.string().trim().min(1, "the question is empty"),
  kind: z.string().optional(),
  paper: z.string().trim().min(1).optional(),
  page: z.number().int().positive().optional(),
  passage: z.string().trim().min(1).optional(),
  answer: z.string().trim().min(1).optional(),
  unanswerable: z.boolean().optional(),
});

const BeirQuerySchema = z.object({
  _id: z.union([z.string().min(1), z.number()]).transform(String),
  text: z.string().trim().min(1, "the query text is empty"),
});

function describeIssue(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "line"}: ${i.message}`).join("; ");
}

function parseJsonLine(line: string, origin: string, hint: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new InputError(`${origin}: not JSON (${(error as Error).message}).`, hint);
  }
}

/** Non-empty lines with their 1-based numbers. */
function lines(text: string): Array<{ n: number; line: string }> {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ n: i + 1, line: line.trim() }))
    .filter((l) => l.line.length > 0);
}

const JSONL_HINT = 'Each line is one JSON object: {"id": "q1", "question": "...", "paper": "arxiv:1706.03762", "page": 3, "answer": "..."}.';

export function parseFolioJsonl(text: string, file: string): EvalQuestion[] {
  const name = path.basename(file);
  const rows = lines(text);
  if (rows.length === 0) throw new InputError(`${name} has no questions.`, JSONL_HINT);
  const seen = new Set<string>();
  return rows.map(({ n, line }) => {
    const origin = `${name}:${n}`;
    const parsed = FolioQuestionSchema.safeParse(parseJsonLine(line, origin, JSONL_HINT));
    if (!parsed.success) throw new InputError(`${origin}: ${describeIssue(parsed.error)}.`, JSONL_HINT);
    const q = parsed.data;
    if (seen.has(q.id)) throw new InputError(`${origin}: the id "${q.id}" is used twice.`, "Give every question its own id.");
    seen.add(q.id);
    if (q.unanswerable && (q.paper || q.answer)) throw new InputError(`${origin}: an unanswerable question has no paper or answer.`, "Drop `paper` and `answer`, or drop `unanswerable`.");
    if ((q.page !== undefined || q.passage) && !q.paper) throw new InputError(`${origin}: \`page\` and \`passage\` need \`paper\`.`, "Name the paper the page belongs to.");
    return {
      id: q.id,
      question: q.question,
      ...(q.kind ? { kind: q.kind } : {}),
      gold: q.paper ? [{ ref: q.paper, grade: 1 }] : [],
      ...(q.page !== undefined ? { page: q.page } : {}),
      ...(q.passage ? { passage: q.passage } : {}),
      ...(q.answer ? { answer: q.answer } : {}),
      unanswerable: q.unanswerable ?? false,
      origin,
    };
  });
}

const BEIR_HINT = "A BEIR folder holds queries.jsonl ({\"_id\", \"text\"} a line) and qrels/test.tsv (query-id, corpus-id, score; tab-separated, with a header).";

/** BEIR: qrels rows with score > 0 are the gold documents; queries without a qrels row are skipped by BEIR's own tools, and here. */
export function parseBeir(queriesText: string, qrelsText: string, qrelsFile: string): EvalQuestion[] {
  const queries = lines(queriesText).map(({ n, line }) => {
    const origin = `queries.jsonl:${n}`;
    const parsed = BeirQuerySchema.safeParse(parseJsonLine(line, origin, BEIR_HINT));
    if (!parsed.success) throw new InputError(`${origin}: ${describeIssue(parsed.error)}.`, BEIR_HINT);
    return { ...parsed.data, origin };
  });
  if (queries.length === 0) throw new InputError("queries.jsonl has no queries.", BEIR_HINT);
  const firstLine = new Map<string, string>();
  for (const q of queries) {
    const earlier = firstLine.get(q._id);
    if (earlier) throw new InputError(`${q.origin}: the query id "${q._id}" is used twice (first at ${earlier}).`, "Give every query its own _id.");
    firstLine.set(q._id, q.origin);
  }
  const gold = new Map<string, GoldPaper[]>();
  const qrelsName = path.basename(qrelsFile);
  for (const [i, { n, line }] of lines(qrelsText).entries()) {
    // Tabs (BEIR); without a tab, whitespace (TREC's qrels are space-separated).
    const cells = line.includes("\t") ? line.split("\t") : line.split(/\s+/);
    if (i === 0 && /query[-_ ]?id/i.test(cells[0] ?? "")) continue; // the header
    const [queryId, corpusId, scoreCell] = cells.length >= 4 ? [cells[0], cells[2], cells[3]] : cells; // TREC's 4-column form too
    const score = Number(scoreCell);
    if (!queryId || !corpusId || !Number.isFinite(score)) throw new InputError(`qrels/${qrelsName}:${n}: expected query-id, corpus-id and a numeric score separated by tabs.`, BEIR_HINT);
    if (score <= 0) continue;
    const list = gold.get(queryId) ?? [];
    list.push({ ref: corpusId, grade: score });
    gold.set(queryId, list);
  }
  return queries.filter((q) => gold.has(q._id)).map((q) => ({ id: q._id, question: q.text, gold: gold.get(q._id)!, unanswerable: false, origin: q.origin }));
}

async function readText(file: string, hint = "Check the path."): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, hint, error);
  }
}

/** Loads a question set: a .jsonl file in Folio's format, or a BEIR folder (split "test" unless named). */
export async function loadQuestions(location: string, options: { split?: string } = {}): Promise<EvalQuestion[]> {
  const info = await stat(location).catch(() => null);
  if (!info) throw new InputError(`No question set at ${location}.`, "Give a .jsonl file of questions or a BEIR folder (queries.jsonl, qrels/test.tsv).");
  if (info.isFile()) return parseFolioJsonl(await readText(location), location);
  const qrels = path.join(location, "qrels", `${options.split ?? "test"}.tsv`);
  return parseBeir(await readText(path.join(location, "queries.jsonl"), BEIR_HINT), await readText(qrels, `${BEIR_HINT} Another split: --split <name> reads qrels/<name>.tsv.`), qrels);
}

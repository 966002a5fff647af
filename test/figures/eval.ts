/**
 * `npm run eval:figures`: the parser's figure and table crops on ../shared/corpus/papers against the
 * hand-checked boxes in test/figures/truth/. Prints, per paper and overall, the share of floats
 * whose crop has IoU >= 0.8, the mean IoU, missed floats, crops that hold another float, crops over
 * the title or abstract, and the worst ten; writes a contact sheet (crop beside truth, worst first).
 *
 *   npm run eval:figures -- [--papers ID,ID] [--sheet FILE.png] [--json]
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { corpusAvailable, MemoryImages, papersDir, parseCorpus, repoRoot } from "./corpus.js";
import { GOOD_IOU, measurePaper, summarize, worst, type FloatResult, type PaperResult, type Summary } from "./measure.js";
import { contactSheet } from "./sheet.js";
import { readAllTruth } from "./truth.js";

/** The issue's targets: share of floats at IoU >= 0.8, crops holding two floats, crops over title/abstract. */
export const TARGETS = { goodShare: 0.95, holdingOthers: 0, coveringTitleOrAbstract: 0 } as const;

const argsSchema = z.object({
  papers: z.array(z.string()).optional(),
  sheet: z.string().default(path.join(repoRoot, "test/.tmp/figures/contact-sheet.png")),
  json: z.boolean().default(false),
});

function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const papers = value("--papers");
  return argsSchema.parse({ papers: papers?.split(","), sheet: value("--sheet"), json: argv.includes("--json") });
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function row(name: string, s: Summary): string {
  return `${name.padEnd(18)} ${String(s.floats).padStart(6)} ${pct(s.goodShare).padStart(9)} ${s.meanIou.toFixed(3).padStart(8)} ${String(s.missed).padStart(6)} ${String(s.holdingOthers).padStart(8)} ${String(s.coveringTitleOrAbstract).padStart(8)}`;
}

function describe(f: FloatResult): string {
  const where = f.missed ? "no crop" : f.cropPage !== f.page ? `crop on p${f.cropPage}` : `IoU ${f.iou.toFixed(2)}`;
  const extra = [f.holdsOthers.length ? `holds ${f.holdsOthers.join(", ")}` : "", f.covers.length ? `covers the ${f.covers.join(" and ")}` : ""].filter(Boolean).join("; ");
  return `${f.paper} ${f.label} (p${f.page}): ${where}${extra ? `; ${extra}` : ""}`;
}

export function report(results: readonly PaperResult[]): string {
  const all = results.flatMap((r) => r.floats);
  const overall = summarize(all);
  const lines = [`${"paper".padEnd(18)} ${"floats".padStart(6)} ${`IoU>=${GOOD_IOU}`.padStart(9)} ${"meanIoU".padStart(8)} ${"missed".padStart(6)} ${"2 floats".padStart(8)} ${"title/ab".padStart(8)}`];
  for (const r of results) lines.push(row(r.paper, summarize(r.floats)));
  lines.push(row("overall", overall));
  const figures = summarize(all.filter((f) => f.kind === "figure"));
  const tables = summarize(all.filter((f) => f.kind === "table"));
  lines.push(row("  figures", figures), row("  tables", tables), "", "Worst ten:");
  for (const f of worst(all, 10)) lines.push(`  ${describe(f)}`);
  const extra = results.flatMap((r) => r.extra.map((label) => `${r.paper} ${label}`));
  if (extra.length) lines.push("", `Crops with no true box (${extra.length}): ${extra.join(", ")}`);
  const met = overall.goodShare >= TARGETS.goodShare && overall.holdingOthers === TARGETS.holdingOthers && overall.coveringTitleOrAbstract === TARGETS.coveringTitleOrAbstract;
  lines.push(
    "",
    `Targets: IoU >= ${GOOD_IOU} for >= ${pct(TARGETS.goodShare)} (${pct(overall.goodShare)}), no crop holding two floats (${overall.holdingOthers}), none over the title or abstract (${overall.coveringTitleOrAbstract}): ${met ? "met" : "NOT met"}`,
  );
  return lines.join("\n");
}

/** Parses the papers that have a truth file and measures their crops. */
export async function evaluate(papers?: readonly string[], withPages = false): Promise<{ results: PaperResult[]; pages: Map<string, Map<number, Buffer>> }> {
  const truths = readAllTruth().filter((t) => !papers || papers.includes(t.paper));
  const parsed = await parseCorpus(new MemoryImages(), { papers: truths.map((t) => t.paper), renderPages: withPages, pageDpi: 100 });
  const results = truths.map((truth) => {
    const paper = parsed.find((p) => p.paper === truth.paper)!;
    return measurePaper(truth, paper.detections, paper.forbidden);
  });
  return { results, pages: new Map(parsed.map((p) => [p.paper, p.pages])) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!corpusAvailable()) {
    console.error(`No corpus at ${papersDir}: see ../shared/corpus/README.md.`);
    process.exit(1);
  }
  const { results, pages } = await evaluate(args.papers, true);
  if (args.json) {
    const all = results.flatMap((r) => r.floats);
    console.log(JSON.stringify({ overall: summarize(all), papers: results.map((r) => ({ paper: r.paper, ...summarize(r.floats), extra: r.extra })), floats: all }, null, 2));
  } else console.log(report(results));
  mkdirSync(path.dirname(args.sheet), { recursive: true });
  await contactSheet(results.flatMap((r) => r.floats), pages, 100 / 72, args.sheet);
  if (!args.json) console.log(`\nContact sheet (crop | truth, worst first): ${path.relative(process.cwd(), args.sheet)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

/**
 * Small one-page papers for the concurrency scenario, each carrying a unique nonsense word in its
 * title and body, so a search for the word finds exactly that paper.
 */
import fs from "node:fs";
import path from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { PAGE_HEIGHT, PAGE_WIDTH, wrap } from "../../test/fixtures/make-pdfs.js";
import { rng } from "./synthetic.js";

const MARGIN = 72;
const TITLE_SIZE = 16;
const BODY_SIZE = 11;
const LINE_HEIGHT = 1.3;
const WORD_SEED = 4242;
const SYLLABLES = ["zor", "quib", "flan", "vex", "trum", "plix", "gorm", "snar", "wib", "kelt", "dru", "mox"];
const SYLLABLES_PER_WORD = 4;
const FILLER =
  "This short note describes an experiment on retrieval with sparse and dense representations. We report the setup, the data and the results, and compare against the usual baselines on a small benchmark of questions.";

export interface SmallPaper {
  file: string;
  word: string;
  title: string;
}

/** Distinct nonsense words (letters only, so the BM25 analyser keeps each one as one term). */
export function nonsenseWords(n: number): string[] {
  const random = rng(WORD_SEED);
  const words = new Set<string>();
  while (words.size < n) {
    let w = "";
    for (let i = 0; i < SYLLABLES_PER_WORD; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Writes `n` one-page PDFs into `dir`. */
export async function makeSmallPapers(dir: string, n: number): Promise<SmallPaper[]> {
  fs.mkdirSync(dir, { recursive: true });
  const papers: SmallPaper[] = [];
  for (const [i, word] of nonsenseWords(n).entries()) {
    const title = `On the ${word} effect in retrieval`;
    const doc = await PDFDocument.create();
    doc.setTitle(title);
    const font = await doc.embedFont(StandardFonts.TimesRoman);
    const bold = await doc.embedFont(StandardFonts.TimesRomanBold);
    const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    let y = PAGE_HEIGHT - MARGIN;
    page.drawText(title, { x: MARGIN, y, size: TITLE_SIZE, font: bold });
    y -= TITLE_SIZE * 2;
    const body = `Abstract. We study the ${word} effect. ${FILLER} The ${word} effect appears in every run. ${FILLER}`;
    for (const line of wrap(body, font, BODY_SIZE, PAGE_WIDTH - 2 * MARGIN)) {
      page.drawText(line, { x: MARGIN, y, size: BODY_SIZE, font });
      y -= BODY_SIZE * LINE_HEIGHT;
    }
    const file = path.join(dir, `bench-note-${String(i + 1).padStart(2, "0")}.pdf`);
    fs.writeFileSync(file, await doc.save());
    papers.push({ file, word, title });
  }
  return papers;
}

/**
 * The web page as a research workspace, in headless Chromium (playwright-core, the system's
 * /usr/bin/chromium) against Folio's server on real PDFs (the demo corpus, plus a real arXiv paper
 * from ../shared when it is there): a text citation opens its PDF page, rendered by pdf.js, with
 * the cited passage highlighted where the words are; the library lists, uploads (with progress),
 * refuses an encrypted PDF, shows figures and deletes; the newest answer stays in view at desktop
 * and phone widths. Screenshots of each step go to test/.tmp/workspace-*.png.
 */
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PDFDocument } from "pdf-lib";
import type { BrowserContext, Page } from "playwright-core";
import { CHROMIUM, hasChromium, launchChromium } from "../helpers/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageBox } from "../../src/ingest/chunk-geometry.js";
import { ingest, ingestOptionsFromConfig, localCopyOf } from "../../src/ingest/index.js";
import { packagePath } from "../../src/util/paths.js";
import { makeRc4Rev3EncryptedPdf, makeTwoColumnPaper, PAPER } from "../fixtures/make-pdfs.js";
import { PAPERS, hasCorpusPapers } from "../ingest/helpers.js";
import { lineInside, pdfjsLines, uniqueWordLines } from "../helpers/pdf-text.js";
import { postJson, removeDir, startTestServer, tempHome, type TestServer } from "../server/helpers.js";

const TMP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.tmp");
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(TMP, `workspace-${name}.png`) });

if (!hasChromium) console.warn(`test/web/workspace.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);

/** Asks a question on the page and waits for the settled answer. */
async function ask(page: Page, question: string) {
  await page.getByTestId("question").fill(question);
  await page.getByTestId("ask").click();
  const answer = page.getByTestId("answer").last();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="answer"]:not([data-state="settled"])').length === 0, undefined, { timeout: 30_000 });
  return answer;
}

/** Highlight (or quote) boxes as drawn, back in PDF points (the page's scale undone). */
async function drawnBoxes(page: Page, testId = "highlight"): Promise<PageBox[]> {
  return page.getByTestId("pdf-page").evaluate((el, id) => {
    const scale = Number((el as HTMLElement).dataset.scale);
    const origin = el.getBoundingClientRect();
    return Array.from(el.querySelectorAll(`[data-testid="${id}"]`), (h) => {
      const r = h.getBoundingClientRect();
      return [(r.left - origin.left) / scale, (r.top - origin.top) / scale, (r.right - origin.left) / scale, (r.bottom - origin.top) / scale] as [number, number, number, number];
    });
  }, testId);
}

describe.skipIf(!hasChromium)("the web workspace in headless Chromium", () => {
  let home: string;
  let profile: string;
  let t: TestServer;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(TMP, { recursive: true });
    home = await tempHome("workspace");
    profile = await mkdtemp(path.join(os.tmpdir(), "folio-chromium-"));
    t = await startTestServer({ home, fill: false });
    const sources = [packagePath("data", "papers"), ...(hasCorpusPapers ? [path.join(PAPERS, "1706.03762.pdf")] : [])];
    await ingest(t.store, sources, ingestOptionsFromConfig(t.config));
    context = await launchChromium(profile, { width: 1366, height: 860 });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: t.url });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${t.url}/`);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await t?.close();
    await removeDir(home);
    await removeDir(profile);
  });

  it("a text citation opens its PDF page with the cited passage highlighted where its words are", async () => {
    const question = hasCorpusPapers ? "How does multi-head attention work?" : "What does MaxSim compute?";
    const answer = await ask(page, question);
    const citation = answer.locator('.chip.kind-text[data-testid="citation"]').first();
    await citation.waitFor();
    const chunkId = (await citation.getAttribute("data-source-id"))!;
    const chunk = (await t.store.getChunk(chunkId))!;
    expect(chunk.metadata.boxes?.length).toBeGreaterThan(0);

    await citation.click();
    await page.getByTestId("highlight").first().waitFor({ timeout: 20_000 });
    const pdfPage = page.getByTestId("pdf-page");
    expect(Number(await pdfPage.getAttribute("data-page"))).toBe(chunk.metadata.page);
    expect(await page.locator("#pdf-page-label").textContent()).toMatch(new RegExp(`Page ${chunk.metadata.page} of \\d+`));
    // pdf.js drew the page: the canvas has ink.
    const inked = await pdfPage.locator("canvas").evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) dark++;
      return dark / (data.length / 4);
    });
    expect(inked).toBeGreaterThan(0.005);

    // The boxes drawn are the chunk's stored geometry (drawn with a 2 px margin)...
    const drawn = await drawnBoxes(page);
    const stored = chunk.metadata.boxes!;
    expect(drawn).toHaveLength(stored.length);
    drawn.forEach((box, i) => box.forEach((v, j) => expect(Math.abs(v - stored[i]![j]!)).toBeLessThan(3)));
    // ...and they cover the chunk's words, as pdf.js (a second reader) places them on the page.
    const data = new Uint8Array(await readFile(localCopyOf(chunk.metadata.source, path.join(home, "downloads"))));
    const lines = (await pdfjsLines(data)).get(chunk.metadata.page!)!;
    const words = uniqueWordLines(chunk.text, lines);
    expect(words.length).toBeGreaterThan(3);
    expect(words.filter(({ line }) => lineInside(line.box, drawn)).length / words.length).toBeGreaterThanOrEqual(0.95);
    // The quoted sentence is marked inside the passage, on the quote's own words.
    const quote = (await page.locator("#viewer-snippet").textContent()) ?? "";
    const quoted = await drawnBoxes(page, "quote");
    expect(quoted.length).toBeGreaterThan(0);
    for (const q of quoted) expect(lineInside(q, drawn, 3)).toBe(true);
    const quoteWords = uniqueWordLines(quote, lines);
    expect(quoteWords.length).toBeGreaterThan(1);
    expect(quoteWords.filter(({ line }) => lineInside(line.box, quoted)).length / quoteWords.length).toBeGreaterThanOrEqual(0.9);
    // The quote is much less than the passage.
    const area = (boxes: PageBox[]) => boxes.reduce((sum, b) => sum + (b[2] - b[0]) * (b[3] - b[1]), 0);
    expect(area(quoted)).toBeLessThan(area(drawn));
    // pdf.js's text layer lies over the page, word for word, so the passage can be selected and copied.
    const probe = words[0]!.word;
    const span = await pdfPage.evaluate((el, word) => {
      const scale = Number((el as HTMLElement).dataset.scale);
      const origin = el.getBoundingClientRect();
      const hit = Array.from(el.querySelectorAll(".textLayer span")).find((s) => s.textContent?.includes(word));
      if (!hit) return undefined;
      const r = hit.getBoundingClientRect();
      return [(r.left - origin.left) / scale, (r.top - origin.top) / scale, (r.right - origin.left) / scale, (r.bottom - origin.top) / scale] as [number, number, number, number];
    }, probe);
    expect(span, `a text-layer span holding "${probe}"`).toBeDefined();
    expect(lineInside(span!, drawn, 3)).toBe(true);
    // The highlight is in view inside the page's scroll box.
    const visible = await page.getByTestId("highlight").first().evaluate((h) => {
      const box = h.getBoundingClientRect();
      const scroller = document.getElementById("pdf-scroll")!.getBoundingClientRect();
      return box.bottom > scroller.top && box.top < scroller.bottom;
    });
    expect(visible).toBe(true);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("viewer-title");
    await shot(page, "1-citation-on-page");

    // Next page and back, zoom in: the highlight is on its page only.
    await page.locator("#pdf-next").click();
    await expect.poll(() => pdfPage.getAttribute("data-page")).toBe(String(chunk.metadata.page! + 1));
    expect(await page.getByTestId("highlight").count()).toBe(0);
    await page.locator("#pdf-prev").click();
    await page.getByTestId("highlight").first().waitFor();
    const before = Number(await pdfPage.getAttribute("data-scale"));
    await page.locator("#pdf-zoom-in").click();
    await expect.poll(async () => Number(await pdfPage.getAttribute("data-scale"))).toBeGreaterThan(before);
    expect(await page.locator("#viewer-open-pdf").getAttribute("href")).toMatch(/\/documents\/[^/]+\/pdf#page=\d+$/);

    // BibTeX of the source, and the answer with its references, to the clipboard.
    await page.locator("#viewer-bibtex").click();
    await expect.poll(() => page.locator("#viewer-copied").textContent()).toMatch(/BibTeX copied/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^@(misc|article)\{\w+,\n {2}title = \{\{/);

    // Escape closes the panel and gives the focus back to the citation.
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#viewer").isVisible()).toBe(false);
    expect(await citation.evaluate((el) => el === document.activeElement)).toBe(true);
    await answer.getByRole("button", { name: "Copy answer with references" }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/\n\nReferences\n\[1\] .+, p\. \d+/);
  });

  it("chips keep the page and figure label visible and truncate the title instead", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    const chip = page.locator(".chip").first();
    const loc = await chip.locator(".chip-loc").evaluate((el) => ({ width: el.scrollWidth, shown: el.clientWidth, text: el.textContent }));
    expect(loc.text).toMatch(/^p\. \d+/);
    expect(loc.shown).toBeGreaterThanOrEqual(loc.width);
    const chipBox = (await chip.boundingBox())!;
    expect(chipBox.x + chipBox.width).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1366, height: 860 });
  });

  it("the library uploads a PDF with progress, shows its page count and figures, refuses an encrypted one, and deletes", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "folio-upload-"));
    const file = hasCorpusPapers ? path.join(PAPERS, "1512.03385.pdf") : path.join(dir, "widgets.pdf");
    if (!hasCorpusPapers) await writeFile(file, await makeTwoColumnPaper());
    const pages = (await PDFDocument.load(await readFile(file))).getPageCount();
    const locked = path.join(dir, "locked.pdf");
    await writeFile(locked, makeRc4Rev3EncryptedPdf());

    await page.locator("#tab-library").click();
    const library = page.getByTestId("library");
    await library.waitFor();
    await expect.poll(() => page.getByTestId("library-item").count()).toBeGreaterThanOrEqual(4);
    const before = await page.getByTestId("library-item").count();

    await page.getByTestId("upload").setInputFiles(file);
    const job = page.locator(".upload-job").first();
    await expect.poll(() => job.getAttribute("data-state"), { timeout: 60_000 }).toBe("done");
    expect(await job.textContent()).toMatch(/1 paper added/);
    await expect.poll(() => page.getByTestId("library-item").count()).toBe(before + 1);
    const title = hasCorpusPapers ? "Deep Residual Learning for Image Recognition" : PAPER.title;
    const item = page.getByTestId("library-item").filter({ hasText: title });
    expect(await item.locator(".facts").getAttribute("data-pages")).toBe(String(pages));
    expect(await item.locator(".facts").textContent()).toContain(`${pages} pages`);
    await shot(page, "2-uploaded");

    // Its figures as a gallery; one opens as its crop, and on its page with its region marked.
    await item.getByRole("button", { name: /Show the figures/ }).click();
    const tile = item.getByTestId("figure").first();
    await tile.waitFor();
    expect(await item.getByTestId("figure").count()).toBeGreaterThan(1);
    await tile.click();
    await page.locator("#viewer-image[src^='blob:']").waitFor({ timeout: 10_000 });
    await page.locator("#viewer-on-page").click();
    await page.locator('[data-testid="highlight"].figure').first().waitFor({ timeout: 20_000 });
    await shot(page, "3-figure-on-page");
    await page.keyboard.press("Escape");

    // Search over titles.
    await page.locator("#library-search").fill(title.split(" ").slice(0, 2).join(" "));
    await expect.poll(() => page.getByTestId("library-item").count()).toBe(1);
    await page.locator("#library-search").fill("");
    await expect.poll(() => page.getByTestId("library-item").count()).toBe(before + 1);

    // An encrypted PDF: a clear message, nothing added.
    await page.getByTestId("upload").setInputFiles(locked);
    const refused = page.locator(".upload-job").first();
    await expect.poll(() => refused.getAttribute("data-state")).toBe("failed");
    expect(await refused.textContent()).toMatch(/locked\.pdf: The PDF is password-protected.*qpdf --decrypt/s);
    await shot(page, "4-encrypted-refused");
    expect(await page.getByTestId("library-item").count()).toBe(before + 1);

    // Delete: gone from the library and from search.
    const docId = (await item.getAttribute("data-doc-id"))!;
    page.once("dialog", (dialog) => void dialog.accept());
    await item.getByRole("button", { name: /^Delete/ }).click();
    await expect.poll(() => page.getByTestId("library-item").count()).toBe(before);
    expect(await page.getByTestId("library-item").filter({ hasText: title }).count()).toBe(0);
    const hits = ((await (await postJson(`${t.url}/search`, { query: title, k: 50 })).json()) as { hits: Array<{ docId: string }> }).hits;
    expect(hits.filter((h) => h.docId === docId)).toEqual([]);
    await shot(page, "5-deleted");
    await removeDir(dir);
  }, 120_000);

  it("PDFs dropped on the library are uploaded and ingested", async () => {
    await page.locator("#tab-library").click();
    const before = await page.getByTestId("library-item").count();
    const bytes = [...(await makeTwoColumnPaper())];
    // A real drop event with a DataTransfer holding the file, as the browser makes it for a drag from the desktop.
    await page.locator("#dropzone").evaluate((zone, data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], "dropped.pdf", { type: "application/pdf" }));
      for (const type of ["dragenter", "dragover", "drop"]) zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    const job = page.locator(".upload-job").first();
    await expect.poll(() => job.getAttribute("data-state"), { timeout: 60_000 }).toBe("done");
    await expect.poll(() => page.getByTestId("library-item").count()).toBe(before + 1);
    const item = page.getByTestId("library-item").filter({ hasText: PAPER.title });
    page.once("dialog", (dialog) => void dialog.accept());
    await item.getByRole("button", { name: /^Delete/ }).click();
    await expect.poll(() => page.getByTestId("library-item").count()).toBe(before);
  }, 60_000);

  for (const width of [1366, 390]) {
    it(`after four questions the newest answer is in view at ${width} px`, async () => {
      const narrow = await context.newPage();
      try {
        await narrow.setViewportSize({ width, height: width > 500 ? 860 : 844 });
        await narrow.goto(`${t.url}/`);
        for (const q of ["What does MaxSim compute?", "What is reciprocal rank fusion?", "How is nDCG computed?", "What is late chunking?"]) await ask(narrow, q);
        const view = await narrow.evaluate(() => {
          const answers = document.querySelectorAll('[data-testid="answer"]');
          const last = answers[answers.length - 1]!.getBoundingClientRect();
          const formTop = document.getElementById("ask")!.getBoundingClientRect().top;
          const room = Math.min(formTop, window.innerHeight);
          const shown = Math.max(0, Math.min(last.bottom, room) - Math.max(last.top, 0));
          return { shown, wanted: Math.min(last.height, room - 24), count: answers.length };
        });
        expect(view.count).toBe(4);
        expect(view.shown).toBeGreaterThanOrEqual(view.wanted * 0.9);
        await narrow.screenshot({ path: path.join(TMP, `workspace-6-four-answers-${width}.png`) });
      } finally {
        await narrow.close();
      }
    }, 120_000);
  }

  it("on a phone the source panel covers the page and shows the highlighted passage; Close returns to the answer", async () => {
    const phone = await context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${t.url}/`);
      const answer = await ask(phone, "What does MaxSim compute?");
      const citation = answer.locator('.chip.kind-text[data-testid="citation"]').first();
      await citation.click();
      await phone.getByTestId("highlight").first().waitFor({ timeout: 20_000 });
      const layout = await phone.evaluate(() => {
        const panel = document.getElementById("viewer")!.getBoundingClientRect();
        const mark = document.querySelector('[data-testid="highlight"]')!.getBoundingClientRect();
        return { panel: [panel.left, panel.top, panel.right, panel.bottom], mark: [mark.top, mark.bottom], height: window.innerHeight };
      });
      expect(layout.panel).toEqual([0, 0, 390, 844]);
      expect(layout.mark[1]).toBeGreaterThan(0);
      expect(layout.mark[0]).toBeLessThan(layout.height);
      await phone.screenshot({ path: path.join(TMP, "workspace-7-phone-citation.png") });
      await phone.getByRole("button", { name: "Close the source panel" }).click();
      expect(await phone.locator("#viewer").isVisible()).toBe(false);
      expect(await citation.evaluate((el) => el === document.activeElement)).toBe(true);
    } finally {
      await phone.close();
    }
  }, 60_000);

  it("with FOLIO_API_TOKEN the PDF, its highlight and the library load with the saved token", async () => {
    const tokenHome = await tempHome("workspace-token");
    const token = "workspace-token-0123456789";
    const secured = await startTestServer({ home: tokenHome, fill: false, env: { FOLIO_API_TOKEN: token } });
    const tokenPage = await context.newPage();
    try {
      await ingest(secured.store, [packagePath("data", "papers", "late-interaction-multi-vector.pdf")], ingestOptionsFromConfig(secured.config));
      await tokenPage.goto(`${secured.url}/`);
      await tokenPage.getByLabel("API token").fill(token);
      await tokenPage.getByRole("button", { name: "Save" }).click();
      const answer = await ask(tokenPage, "What does MaxSim compute?");
      await answer.locator('.chip.kind-text[data-testid="citation"]').first().click();
      await tokenPage.getByTestId("highlight").first().waitFor({ timeout: 20_000 });
      expect(await tokenPage.locator("#pdf-message").textContent()).toBe("");
      await tokenPage.keyboard.press("Escape");
      await tokenPage.locator("#tab-library").click();
      await expect.poll(() => tokenPage.getByTestId("library-item").count()).toBe(1);
    } finally {
      await tokenPage.close();
      await secured.close();
      await removeDir(tokenHome);
    }
  }, 60_000);

  it("raised no page errors", () => {
    expect(pageErrors).toEqual([]);
  });
});

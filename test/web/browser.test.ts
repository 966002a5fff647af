/**
 * The web page in headless Chromium (playwright-core, the system's /usr/bin/chromium): ask a
 * question, watch the answer stream in with a citation, open the citation's figure and snippet,
 * and see the clear message for an image query on a server without image search.
 * Leaves a screenshot at test/.tmp/web.png.
 */
import { mkdir, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { CHROMIUM, hasChromium, launchChromium } from "../helpers/chromium.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, savePng, startTestServer, tempHome, type Corpus, type TestServer } from "../server/helpers.js";

const TMP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.tmp");

if (!hasChromium) console.warn(`test/web/browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);

describe.skipIf(!hasChromium)("web page in headless Chromium", () => {
  let home: string;
  let profile: string;
  let t: TestServer & { corpus?: Corpus };
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    home = await tempHome("web");
    profile = await mkdtemp(path.join(os.tmpdir(), "folio-chromium-"));
    t = await startTestServer({ home });
    context = await launchChromium(profile, { width: 1280, height: 820 });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${t.url}/`);
  });
  afterAll(async () => {
    await context?.close();
    await t?.close();
    await removeDir(home);
    await removeDir(profile);
  });

  it("shows the library status from /health", async () => {
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/2 papers/);
  });

  it("streams an answer with a citation; clicking it shows the figure and the snippet", async () => {
    await page.getByLabel("Your question").fill("What does Figure 1 show about the Transformer model architecture?");
    await page.keyboard.press("Enter");
    const answer = page.locator(".message.assistant").last();
    await answer.locator(".chip").first().waitFor({ timeout: 30_000 });
    await expect.poll(() => answer.getAttribute("data-state"), { timeout: 30_000 }).toBe("settled");
    expect(Number(await answer.getAttribute("data-tokens"))).toBeGreaterThan(1);
    expect((await answer.locator(".text").textContent())?.length).toBeGreaterThan(20);
    expect(await answer.locator(".error").count()).toBe(0);

    const chips = answer.locator(".chip");
    const figureChip = answer.locator(".chip.kind-figure, .chip.kind-page").first();
    const chip = (await figureChip.count()) > 0 ? figureChip : chips.first();
    const chipText = (await chip.textContent()) ?? "";
    expect(chipText).toMatch(/^\d+/);
    // Keyboard: focus the chip and press Enter.
    await chip.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#viewer").isVisible()).toBe(true);
    expect(await page.locator("#viewer-title").textContent()).toMatch(/Attention Is All You Need|Deep Residual Learning/);
    expect((await page.locator("#viewer-snippet").textContent())?.length).toBeGreaterThan(10);
    expect(await page.locator("#viewer-meta").textContent()).toMatch(/p\. \d+/);
    await page.locator("#viewer-image[src^='blob:']").waitFor({ timeout: 10_000 });
    const natural = await page.locator("#viewer-image").evaluate((img) => (img as HTMLImageElement).naturalWidth);
    expect(natural).toBeGreaterThan(100);
    expect(await page.locator("#viewer-image").getAttribute("alt")).toMatch(/Figure 1|Page 3/);

    await mkdir(TMP, { recursive: true });
    await page.screenshot({ path: path.join(TMP, "web.png") });

    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#viewer").isVisible()).toBe(false);
  });

  it("a follow-up keeps the session", async () => {
    const first = await page.evaluate(() => window.sessionStorage.getItem("folio.sessionId"));
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByLabel("Your question").fill("And what about residual connections?");
    await page.getByRole("button", { name: "Ask" }).click();
    const answer = page.locator(".message.assistant").nth(1);
    await expect.poll(() => answer.getAttribute("data-state"), { timeout: 30_000 }).toBe("settled");
    expect(await page.evaluate(() => window.sessionStorage.getItem("folio.sessionId"))).toBe(first);
  });

  it("an image query on a server without image search shows the clear message", async () => {
    const png = path.join(home, "query.png");
    const id = await savePng(home, "query image", 120, 80);
    const { rename } = await import("node:fs/promises");
    await rename(path.join(home, `${id}.png`), png);
    await page.locator("#image").setInputFiles(png);
    await expect.poll(() => page.locator("#image-name").textContent()).toMatch(/query\.png/);
    await page.getByLabel("Your question").fill("Which paper has a figure like this?");
    await page.keyboard.press("Enter");
    const answer = page.locator(".message.assistant").last();
    await answer.locator(".error").waitFor({ timeout: 15_000 });
    expect(await answer.locator(".error").textContent()).toMatch(/Image search needs Jina/);
    expect(pageErrors).toEqual([]);
  });

  it("with FOLIO_API_TOKEN: a 401 opens the token field; the saved token is sent with questions and images", async () => {
    const tokenHome = await tempHome("web-token");
    const secured = await startTestServer({ home: tokenHome, env: { FOLIO_API_TOKEN: "web-test-token-0123456789" } });
    const tokenPage = await context.newPage();
    try {
      await tokenPage.goto(`${secured.url}/`);
      await tokenPage.locator("#token-form").waitFor({ state: "visible" });
      await tokenPage.getByLabel("Your question").fill("What is multi-head attention?");
      await tokenPage.keyboard.press("Enter");
      const refused = tokenPage.locator(".message.assistant").last();
      await refused.locator(".error").waitFor();
      expect(await refused.locator(".error").textContent()).toMatch(/needs a bearer token/);
      await expect.poll(() => tokenPage.evaluate(() => document.activeElement?.id)).toBe("token");

      await tokenPage.getByLabel("API token").fill("web-test-token-0123456789");
      await tokenPage.getByRole("button", { name: "Save" }).click();
      expect(await tokenPage.evaluate(() => window.localStorage.getItem("folio.token"))).toBe("web-test-token-0123456789");
      await tokenPage.getByLabel("Your question").fill("What does Figure 1 show about the Transformer model architecture?");
      await tokenPage.keyboard.press("Enter");
      const answer = tokenPage.locator(".message.assistant").last();
      await expect.poll(() => answer.getAttribute("data-state"), { timeout: 30_000 }).toBe("settled");
      expect(await answer.locator(".error").count()).toBe(0);
      const chip = answer.locator(".chip.kind-figure, .chip.kind-page").first();
      await chip.click();
      await tokenPage.locator("#viewer-image[src^='blob:']").waitFor({ timeout: 10_000 });
    } finally {
      await tokenPage.close();
      await secured.close();
      await removeDir(tokenHome);
    }
  });
});

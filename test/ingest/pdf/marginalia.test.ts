import { describe, expect, it } from "vitest";
import { removeMarginalia } from "../../../src/ingest/pdf/blocks.js";
import type { Line, PageText } from "../../../src/ingest/pdf/layout.js";

const line = (text: string, x0: number, x1: number, top: number, row: number, size = 10): Line => ({ text, x0, x1, top, bottom: top + size, baseline: top + size * 0.8, size, font: "f", row });

/** A line-numbered review page: a running header, 40 numbered body lines, a page number in the footer. */
function numberedPage(page: number): PageText {
  const lines: Line[] = [line("Under review as a conference paper", 200, 412, 30, 0, 9)];
  for (let i = 0; i < 40; i++) {
    const top = 80 + i * 15;
    lines.push(line("This is a long body text line that is definitely wider than thirty chars", 72, 540, top, i + 1));
    lines.push(line(String(i + 1), 40, 50, top, i + 1, 8));
  }
  lines.push(line(String(page), 300, 312, 760, 41, 9));
  return { page, width: 612, height: 792, lines, rotated: [] };
}

describe("removeMarginalia", () => {
  it("drops line numbers, running headers and page numbers, and bounds the content by the header and footer only", () => {
    const pages = [numberedPage(1), numberedPage(2), numberedPage(3)];
    removeMarginalia(pages);
    for (const page of pages) {
      expect(page.lines).toHaveLength(40);
      expect(page.lines.every((l) => l.text.startsWith("This is a long body"))).toBe(true);
      // The header ends at 39 and the footer starts at 760: the numbered lines down the side are
      // not headers or footers, so the whole body (80 to 675) stays between them.
      expect(page.headerBottom).toBe(39);
      expect(page.footerTop).toBe(760);
    }
  });
});

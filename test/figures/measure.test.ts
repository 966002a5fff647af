import { describe, expect, it } from "vitest";
import { iou, measurePaper, summarize, worst } from "./measure.js";
import type { TruthFile } from "./truth.js";

const truth: TruthFile = {
  paper: "p",
  entries: [
    { label: "Figure 1", kind: "figure", page: 1, box: [100, 100, 300, 200] },
    { label: "Table 1", kind: "table", page: 1, box: [100, 300, 300, 400] },
    { label: "Figure 2", kind: "figure", page: 2, box: [0, 0, 100, 100] },
  ],
};

describe("crop measure", () => {
  it("IoU of equal, disjoint and half-overlapping boxes", () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3);
  });

  it("scores right crops, a crop on the wrong page, a missed float, one crop holding two floats", () => {
    const result = measurePaper(
      truth,
      [
        { label: "Figure 1", page: 1, bbox: [98, 98, 302, 402] },
        { label: "Table 1", page: 2, bbox: [100, 300, 300, 400] },
        { label: "Table 9", page: 3, bbox: [0, 0, 1, 1] },
      ],
      [{ page: 1, box: [100, 20, 300, 40], what: "title" }],
    );
    const [figure1, table1, figure2] = result.floats;
    expect(figure1!.iou).toBeCloseTo(20000 / (204 * 304));
    expect(figure1!.holdsOthers).toEqual(["Table 1"]);
    expect(figure1!.covers).toEqual([]);
    expect(table1!.iou).toBe(0);
    expect(figure2!.missed).toBe(true);
    expect(result.extra).toEqual(["Table 9"]);
    const summary = summarize(result.floats);
    expect(summary).toMatchObject({ floats: 3, good: 0, missed: 1, holdingOthers: 1, coveringTitleOrAbstract: 0 });
    expect(worst(result.floats, 1)[0]!.iou).toBe(0);
  });

  it("flags a crop over the title", () => {
    const result = measurePaper(truth, [{ label: "Figure 1", page: 1, bbox: [100, 30, 300, 200] }], [{ page: 1, box: [100, 20, 300, 40], what: "title" }]);
    expect(result.floats[0]!.covers).toEqual(["title"]);
    expect(summarize(result.floats).good).toBe(0);
  });
});

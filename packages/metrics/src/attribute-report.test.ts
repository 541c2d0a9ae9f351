import { describe, expect, it } from "vitest";
import { expectClose, golden, inputKinds } from "../test/golden";
import { attributeReport } from "./attribute-report";
import { getAccuracy } from "./get-accuracy";

describe("attributeReport", () => {
  it("computes every metric of a small hand-checked case", () => {
    // Predictions [+1, +1, -1, -1] (0 counts as +1) against labels [+1, -1, +1, -1].
    const r = attributeReport([[0.9], [0], [-0.1], [-2]], [[1], [-1], [1], [-1]], ["Smiling"]);
    expect(r.attributes[0]).toEqual({
      name: "Smiling",
      index: 0,
      accuracy: 0.5,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      balancedAccuracy: 0.5,
      positiveRate: 0.5,
      predictedPositiveRate: 0.5,
      count: 4,
      baseline: 0.5,
      truePositives: 1,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
    });
    expect(r.count).toBe(4);
    expect(r.threshold).toBe(0);
  });

  it("defines 0/0 precision, recall and F1 as 0, and balanced accuracy over present classes", () => {
    const r = attributeReport(
      [
        [-1, -1, 1],
        [-1, -1, 1],
      ],
      [
        [-1, 1, 1],
        [-1, 1, 1],
      ],
      ["a", "b", "c"],
    );
    const [absent, unpredicted, perfect] = r.attributes;
    expect([absent!.precision, absent!.recall, absent!.f1, absent!.balancedAccuracy]).toEqual([
      0, 0, 0, 1,
    ]);
    expect([unpredicted!.precision, unpredicted!.recall, unpredicted!.f1]).toEqual([0, 0, 0]);
    expect(unpredicted!.balancedAccuracy).toBe(0);
    expect([perfect!.precision, perfect!.recall, perfect!.f1, perfect!.balancedAccuracy]).toEqual([
      1, 1, 1, 1,
    ]);
  });

  for (const c of golden.cases) {
    for (const t of c.thresholds) {
      it(`matches numpy on case ${c.name} at threshold ${t.threshold}, every input kind`, () => {
        for (const [kind, scores] of inputKinds(c.scores)) {
          const r = attributeReport(scores, c.labels, c.names, { threshold: t.threshold });
          expectClose(r, t.report, kind);
        }
        for (const [kind, labels] of inputKinds(c.labels)) {
          const r = attributeReport(c.scores, labels, c.names, { threshold: t.threshold });
          expectClose(r, t.report, kind);
        }
      });
      it(`has meanAccuracy equal to getAccuracy on case ${c.name} at ${t.threshold}`, () => {
        const r = attributeReport(c.scores, c.labels, c.names, { threshold: t.threshold });
        expectClose(r.meanAccuracy, getAccuracy(c.scores, c.labels, { threshold: t.threshold }));
      });
    }
  }
});

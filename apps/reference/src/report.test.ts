import { describe, expect, it } from "vitest";
import { renderReportMarkdown, summarizeRun } from "./report";

// Two samples, two attributes, scores chosen so the numbers can be checked by hand.
// Smiling is predicted right twice; Bald's 0.2 and 0 count as positive (score >= 0), both wrong.
const test = {
  loss: 0.5,
  accuracy: 0.5,
  perAttributeAccuracy: [1, 0],
  scores: new Float32Array([0.9, 0.2, -0.4, 0]),
  labels: new Float32Array([1, -1, -1, -1]),
  ids: ["a.jpg", "b.jpg"],
  count: 2,
  numClasses: 2,
};
const history = [
  { epoch: 1, trainLoss: 0.9, trainAccuracy: 0.6, valLoss: 0.8, valAccuracy: 0.7, seconds: 1 },
  { epoch: 2, trainLoss: 0.7, trainAccuracy: 0.8, valLoss: 0.6, valAccuracy: 0.9, seconds: 1 },
];

describe("summarizeRun", () => {
  it("reports the best epoch, test accuracy and the majority baseline per attribute", () => {
    const { summary } = summarizeRun({
      history,
      bestEpoch: 2,
      test,
      attributeNames: ["Smiling", "Bald"],
      realCelebA: false,
    });
    expect(summary.bestEpoch).toBe(2);
    expect(summary.trainAccuracy).toBe(0.8);
    expect(summary.testAccuracy).toBe(0.5);
    // Smiling: labels [1, -1] tie -> baseline 0.5; Bald: [-1, -1] -> 1.0.
    expect(summary.majorityBaselineAccuracy).toBeCloseTo(0.75, 12);
    expect(summary.perAttribute.map((a) => a.accuracy)).toEqual([1, 0]);
    expect(summary.published).toBeUndefined();
  });

  it("adds the paper's published figures on real CelebA only", () => {
    const right = {
      ...test,
      accuracy: 1,
      perAttributeAccuracy: [1, 1],
      scores: new Float32Array([0.9, -0.2, -0.4, -0.1]),
    };
    const { summary, report } = summarizeRun({
      history,
      bestEpoch: 2,
      test: right,
      attributeNames: ["Smiling", "Bald"],
      realCelebA: true,
    });
    expect(summary.published?.testAccuracy).toBe(0.918);
    const md = renderReportMarkdown({ title: "t", config: {}, history, summary, report });
    expect(md).toMatch(/\| test accuracy \| 100\.00% \| 91\.80% \|/);
    expect(md).toMatch(/\| 2 \*\*\(best\)\*\* \| 0\.7000 \| 80\.00% \| 0\.6000 \| 90\.00% \|/);
    expect(md).toMatch(/25\.00 points above it/);
  });

  it("says when the model is below the baseline", () => {
    const { summary, report } = summarizeRun({
      history,
      bestEpoch: 1,
      test,
      attributeNames: ["Smiling", "Bald"],
      realCelebA: false,
    });
    const md = renderReportMarkdown({ title: "t", config: {}, history, summary, report });
    expect(md).toMatch(/25\.00 points below it/);
    expect(md).toMatch(/synthetic CelebA/);
  });
});

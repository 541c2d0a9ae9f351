import { describe, expect, it } from "vitest";
import { expectClose, golden, inputKinds } from "../test/golden";
import { get_accuracy, getAccuracy } from "./get-accuracy";

describe("getAccuracy", () => {
  it("matches the paper's example: fraction of matching cells", () => {
    expect(
      getAccuracy(
        [
          [0.8, -0.2],
          [0, 0.1],
        ],
        [
          [1, -1],
          [1, -1],
        ],
      ),
    ).toBe(0.75);
  });

  it("counts a score of exactly 0 (and -0) as +1 at the default threshold", () => {
    expect(getAccuracy([[0, -0]], [[1, 1]])).toBe(1);
    expect(getAccuracy([[0, -0]], [[-1, -1]])).toBe(0);
    expect(getAccuracy([[-Number.MIN_VALUE]], [[-1]])).toBe(1);
  });

  it("counts a score equal to a non-zero threshold as +1", () => {
    expect(getAccuracy([[0.25, 0.2499]], [[1, -1]], { threshold: 0.25 })).toBe(1);
    expect(getAccuracy([[-0.5]], [[1]], { threshold: -0.5 })).toBe(1);
  });

  it("is exported as get_accuracy too", () => {
    expect(get_accuracy).toBe(getAccuracy);
  });

  for (const c of golden.cases) {
    for (const t of c.thresholds) {
      it(`matches numpy on case ${c.name} at threshold ${t.threshold}, every score kind`, () => {
        for (const [kind, scores] of inputKinds(c.scores)) {
          expectClose(getAccuracy(scores, c.labels, { threshold: t.threshold }), t.accuracy, kind);
        }
      });
      it(`matches numpy on case ${c.name} at threshold ${t.threshold}, every label kind`, () => {
        for (const [kind, labels] of inputKinds(c.labels)) {
          expectClose(getAccuracy(c.scores, labels, { threshold: t.threshold }), t.accuracy, kind);
        }
      });
    }
  }

  it("defaults the threshold to 0", () => {
    const c = golden.cases[0]!;
    const t0 = c.thresholds.find((t) => t.threshold === 0)!;
    expectClose(getAccuracy(c.scores, c.labels), t0.accuracy);
    expectClose(getAccuracy(c.scores, c.labels, {}), t0.accuracy);
  });
});

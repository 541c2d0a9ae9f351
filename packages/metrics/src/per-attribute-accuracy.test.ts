import { describe, expect, it } from "vitest";
import { expectClose, golden, inputKinds } from "../test/golden";
import { getAccuracy } from "./get-accuracy";
import { perAttributeAccuracy } from "./per-attribute-accuracy";

describe("perAttributeAccuracy", () => {
  it("returns one accuracy per column", () => {
    expect(
      perAttributeAccuracy(
        [
          [0.8, -0.2],
          [0, 0.1],
        ],
        [
          [1, -1],
          [1, -1],
        ],
      ),
    ).toEqual([1, 0.5]);
  });

  it("counts ties at the threshold as +1", () => {
    expect(
      perAttributeAccuracy(
        [
          [0, 0.5],
          [0, 0.4],
        ],
        [
          [1, 1],
          [-1, -1],
        ],
        { threshold: 0.5 },
      ),
    ).toEqual([0.5, 1]);
  });

  it("reads a 1-D input as one attribute column", () => {
    expect(perAttributeAccuracy([0.3, -0.1, 0], [1, 1, 1])).toEqual([2 / 3]);
  });

  for (const c of golden.cases) {
    for (const t of c.thresholds) {
      it(`matches numpy on case ${c.name} at threshold ${t.threshold}, every input kind`, () => {
        for (const [kind, scores] of inputKinds(c.scores)) {
          const got = perAttributeAccuracy(scores, c.labels, { threshold: t.threshold });
          expectClose(got, t.perAttributeAccuracy, kind);
        }
        for (const [kind, labels] of inputKinds(c.labels)) {
          const got = perAttributeAccuracy(c.scores, labels, { threshold: t.threshold });
          expectClose(got, t.perAttributeAccuracy, kind);
        }
      });
      it(`averages to getAccuracy on case ${c.name} at threshold ${t.threshold}`, () => {
        const per = perAttributeAccuracy(c.scores, c.labels, { threshold: t.threshold });
        const mean = per.reduce((a, b) => a + b, 0) / per.length;
        expectClose(mean, getAccuracy(c.scores, c.labels, { threshold: t.threshold }));
      });
    }
  }
});

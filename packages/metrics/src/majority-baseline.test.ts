import { describe, expect, it } from "vitest";
import { expectClose, golden, inputKinds } from "../test/golden";
import { majorityBaseline } from "./majority-baseline";

describe("majorityBaseline", () => {
  it("predicts each column's most frequent label", () => {
    const b = majorityBaseline([
      [1, -1],
      [-1, -1],
      [-1, 1],
    ]);
    expect(b.majorityLabel).toEqual([-1, -1]);
    expectClose(b.accuracy, [2 / 3, 2 / 3]);
    expectClose(b.mean, 2 / 3);
  });

  it("breaks an exact tie towards +1", () => {
    const b = majorityBaseline([[1], [-1]]);
    expect(b.majorityLabel).toEqual([1]);
    expect(b.accuracy).toEqual([0.5]);
  });

  it("scores 1 on an all-negative and an all-positive column", () => {
    const b = majorityBaseline([
      [-1, 1],
      [-1, 1],
    ]);
    expect(b).toEqual({ accuracy: [1, 1], majorityLabel: [-1, 1], mean: 1 });
  });

  for (const c of golden.cases) {
    it(`matches numpy on case ${c.name}, every input kind`, () => {
      for (const [kind, labels] of inputKinds(c.labels)) {
        expectClose(majorityBaseline(labels), c.majorityBaseline, kind);
      }
    });
  }
});

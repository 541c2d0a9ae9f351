import { describe, expect, it } from "vitest";
import { explicitSplit, officialSplit, paperSplit } from "./dataset-splits";
import { DataError, InvalidOptionError } from "./errors";
import { trainTestSplit } from "./train-test-split";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("trainTestSplit", () => {
  it("has sklearn's sizes: n_test = ceil(test_size * n), n_train = n - n_test", () => {
    // Values from sklearn.model_selection._split._validate_shuffle_split for these (n, test_size).
    for (const [n, t, nTest] of [
      [10, 0.25, 3],
      [202599, 0.2, 40520],
      [40520, 0.5, 20260],
      [7, 0.5, 4],
      [3, 0.2, 1],
    ] as const) {
      const { train, test } = trainTestSplit(range(n), { testSize: t, seed: 1 });
      expect(test.length).toBe(nTest);
      expect(train.length).toBe(n - nTest);
      expect(new Set([...train, ...test]).size).toBe(n);
    }
    expect(trainTestSplit(range(10), { testSize: 4, seed: 0 }).test).toHaveLength(4);
  });

  it("is deterministic in the seed and differs across seeds", () => {
    const a = trainTestSplit(range(1000), { testSize: 0.2, seed: 7 });
    const b = trainTestSplit(range(1000), { testSize: 0.2, seed: 7 });
    const c = trainTestSplit(range(1000), { testSize: 0.2, seed: 8 });
    expect(a).toEqual(b);
    expect(a.test).not.toEqual(c.test);
  });

  it("without shuffle keeps order: train first, test last (sklearn)", () => {
    expect(trainTestSplit(range(5), { testSize: 0.4, shuffle: false })).toEqual({
      train: [0, 1, 2],
      test: [3, 4],
    });
  });

  it("stratify keeps class proportions in both parts", () => {
    const labels = range(1000).map((i) => (i % 10 === 0 ? "rare" : "common"));
    const { train, test } = trainTestSplit(range(1000), {
      testSize: 0.2,
      seed: 3,
      stratify: labels,
    });
    expect(test).toHaveLength(200);
    expect(test.filter((i) => i % 10 === 0)).toHaveLength(20);
    expect(train.filter((i) => i % 10 === 0)).toHaveLength(80);
  });

  it("validates options, listing valid choices", () => {
    expect(() => trainTestSplit(range(5), { testSize: 1.5, seed: 0 })).toThrow(InvalidOptionError);
    expect(() => trainTestSplit(range(5), { testSize: 0, seed: 0 })).toThrow(/float in \(0, 1\)/);
    expect(() => trainTestSplit(range(5), { testSize: 5, seed: 0 })).toThrow(/non-empty/);
    expect(() => trainTestSplit(range(5), { testSize: 0.2 })).toThrow(/seed/);
    expect(() =>
      trainTestSplit(range(4), { testSize: 0.5, seed: 0, stratify: ["a", "a", "a", "b"] }),
    ).toThrow(/at least 2 members/);
  });
});

describe("dataset splits", () => {
  const items = range(1001).map((i) => ({ id: `${i}.jpg`, partition: (i % 3) as 0 | 1 | 2 }));

  it("paperSplit is 80/10/10 via two train_test_split calls, disjoint, reproducible", () => {
    const s = paperSplit(items, 42);
    expect([s.train.length, s.val.length, s.test.length]).toEqual([800, 100, 101]);
    expect(new Set([...s.train, ...s.val, ...s.test].map((x) => x.id)).size).toBe(1001);
    expect(paperSplit(items, 42)).toEqual(s);
    expect(paperSplit(items, 43).test).not.toEqual(s.test);
  });

  it("officialSplit follows the partition column", () => {
    const s = officialSplit({ items });
    expect(s.train.every((x) => x.partition === 0)).toBe(true);
    expect(s.val.every((x) => x.partition === 1)).toBe(true);
    expect(s.test.length).toBe(333);
  });

  it("explicitSplit maps id lists and rejects unknown or doubly listed ids", () => {
    const s = explicitSplit({ items }, { train: ["1.jpg", "0.jpg"], test: ["5.jpg"] });
    expect(s.train.map((x) => x.id)).toEqual(["1.jpg", "0.jpg"]);
    expect(s.val).toEqual([]);
    expect(() => explicitSplit({ items }, { train: ["nope.jpg"] })).toThrow(
      /"nope\.jpg" in the train list/,
    );
    expect(() => explicitSplit({ items }, { train: ["1.jpg"], val: ["1.jpg"] })).toThrow(DataError);
  });
});

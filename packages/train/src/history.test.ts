import { describe, expect, it } from "vitest";
import { TrainError } from "./errors";
import { type EpochRecord, HISTORY_CSV_HEADER, historyToCsv, selectBestEpoch } from "./history";

const rec = (epoch: number, valAccuracy: number): EpochRecord => ({
  epoch,
  trainLoss: 0.5,
  trainAccuracy: 0.8,
  valLoss: 0.4,
  valAccuracy,
  seconds: 1.23456,
});

describe("selectBestEpoch", () => {
  it("picks the highest validation accuracy (the paper's epoch 3 pattern)", () => {
    const h = [0.905, 0.912, 0.917, 0.915, 0.913].map((a, i) => rec(i + 1, a));
    expect(selectBestEpoch(h)).toBe(3);
  });
  it("breaks ties by the earliest epoch, whatever the order", () => {
    expect(selectBestEpoch([rec(4, 0.9), rec(2, 0.9), rec(3, 0.8)])).toBe(2);
  });
  it("ignores epochs without validation and explains when none has one", () => {
    expect(selectBestEpoch([rec(1, Number.NaN), rec(2, 0.5)])).toBe(2);
    expect(() => selectBestEpoch([rec(1, Number.NaN)])).toThrow(TrainError);
    expect(() => selectBestEpoch([])).toThrow(/valData/);
  });
});

describe("historyToCsv", () => {
  it("writes the documented header and one row per epoch", () => {
    const csv = historyToCsv([rec(1, 0.9), rec(2, 0.91)]);
    expect(csv).toBe(`${HISTORY_CSV_HEADER}\n1,0.5,0.8,0.4,0.9,1.235\n2,0.5,0.8,0.4,0.91,1.235\n`);
    expect(HISTORY_CSV_HEADER).toBe(
      "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds",
    );
  });
});

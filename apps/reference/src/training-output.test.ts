import { describe, expect, it } from "vitest";
import { trainingOutput } from "./training-output";

const record = {
  epoch: 2,
  trainLoss: 0.5,
  trainAccuracy: 0.75,
  valLoss: 0.25,
  valAccuracy: 0.875,
  seconds: 3.25,
};

function drive(quiet: boolean, terminal: boolean) {
  const lines: string[] = [];
  const out = trainingOutput({
    log: (l) => lines.push(l),
    quiet,
    terminal,
    epochs: 3,
    stepsPerEpoch: 20,
  });
  for (let step = 0; step < 20; step++) {
    out.hooks.onStepEnd?.({ epoch: 2, step, loss: 0.5, batchSize: 4, imagesPerSecond: 8 });
  }
  out.hooks.onEpochEnd?.(record);
  return { lines, bar: out.progressBar };
}

describe("trainingOutput", () => {
  it("off a terminal: plain step lines every tenth of an epoch, then the epoch line", () => {
    const { lines, bar } = drive(false, false);
    expect(bar).toBe(false);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe("epoch 2/3 step 2/20: loss 0.5000, 8.0 img/s");
    expect(lines.join("").includes("\r") || lines.join("").includes("\u001b")).toBe(false);
    expect(lines[10]).toBe(
      "epoch 2/3: train loss 0.5000 accuracy 75.00%, validation loss 0.2500 accuracy 87.50% (3.3 s)",
    );
  });

  it("on a terminal: the library's bar, and the epoch line", () => {
    const { lines, bar } = drive(false, true);
    expect(bar).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/^epoch 2\/3: train loss/)]);
  });

  it("quiet: neither bar nor step lines, the epoch line stays", () => {
    const { lines, bar } = drive(true, false);
    expect(bar).toBe(false);
    expect(lines).toHaveLength(1);
  });
});

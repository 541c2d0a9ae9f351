import { describe, expect, it } from "vitest";
// The layout's public names as users import them (`@celeba/train/run-directory`), and the private ones.
import { epochOfWeightsFile, epochWeightsPath } from "./run-directory";
import { checkpointBase, isStepCheckpoint } from "./run-layout";

describe("run layout", () => {
  it("names checkpoints as the paper's run folders do", () => {
    expect(checkpointBase(3)).toBe("checkpoints/epoch-03");
    expect(checkpointBase(12, 41)).toBe("checkpoints/epoch-12-step-000041");
    expect(epochWeightsPath("runs/seed/", 3)).toBe("runs/seed/checkpoints/epoch-03.safetensors");
    expect(epochWeightsPath("r", 120)).toBe("r/checkpoints/epoch-120.safetensors");
  });

  it("reads back only end-of-epoch weights files", () => {
    expect(epochOfWeightsFile("epoch-03.safetensors")).toBe(3);
    expect(epochOfWeightsFile("epoch-120.safetensors")).toBe(120);
    for (const other of [
      "epoch-03.optimizer.safetensors",
      "epoch-03.state.json",
      "epoch-03-step-000041.safetensors",
      "epoch-3.safetensors",
      "x-epoch-03.safetensors",
    ]) {
      expect(epochOfWeightsFile(other), other).toBeUndefined();
    }
    expect(isStepCheckpoint(checkpointBase(2, 5))).toBe(true);
    expect(isStepCheckpoint(checkpointBase(2))).toBe(false);
  });
});

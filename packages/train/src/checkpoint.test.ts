import { describe, expect, it } from "vitest";
import { readLatest } from "./checkpoint";
import { CheckpointError } from "./errors";
import { checkpointBase } from "./run-layout";
import { memoryRunStorage } from "./run-storage";

async function latest(pointer: unknown) {
  const storage = memoryRunStorage();
  await storage.write("run/latest.json", JSON.stringify(pointer));
  return readLatest(storage, "run");
}

describe("readLatest", () => {
  it("accepts the checkpoint names checkpointBase makes", async () => {
    for (const base of [checkpointBase(3), checkpointBase(12, 41)]) {
      expect(
        (await latest({ checkpoint: base, epoch: 3, step: 0, complete: true }))?.checkpoint,
      ).toBe(base);
    }
  });

  it.each([
    "../outside/epoch-01",
    "/etc/passwd",
    "checkpoints/../../x",
    "checkpoints/epoch-01/../../../y",
    "other/epoch-01",
    42,
  ])("refuses a pointer outside the run folder: %s", async (checkpoint) => {
    const error = await latest({ checkpoint, epoch: 1, step: 0, complete: true }).catch((e) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toMatch(
      /latest\.json: "checkpoint" is .* not a checkpoint inside the run folder/,
    );
  });
});

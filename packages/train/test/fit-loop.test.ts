import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { CheckpointState } from "../src/checkpoint";
import { createOptimizer } from "../src/create-optimizer";
import { type CheckpointRequest, fit, zeroProgress } from "../src/fit-loop";
import { mseLoss } from "../src/losses";
import { ProgressBar } from "../src/progress-bar";
import { memoryRunStorage } from "../src/run-storage";
import { train } from "../src/train";
import { dataSource, syntheticData, tinyModel } from "./helpers";

const K = 3;
const trainSet = syntheticData(48, K, 1);
const valSet = syntheticData(16, K, 2);

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("fit", () => {
  it("trains as train() does, with no run folder: checkpoints are requests the caller persists", async () => {
    // The reference: train() through its run directory, in memory.
    const reference = tinyModel({ numClasses: K });
    const viaTrain = await train({
      model: reference,
      trainData: dataSource(trainSet, 16, 7),
      valData: dataSource(valSet, 16, 0, false),
      runDir: "run",
      storage: memoryRunStorage(),
      epochs: 2,
      optimizer: { name: "adamax", lr: 0.02 },
      checkpointEverySteps: 2,
      progress: false,
    });
    // train() leaves the best epoch's weights; fit leaves the last's, so compare the history.
    const model = tinyModel({ numClasses: K });
    const optimizer = createOptimizer({ name: "adamax", lr: 0.02 });
    const state: CheckpointState = {
      version: 1,
      seed: 0,
      next: { epoch: 1, step: 0 },
      epochProgress: zeroProgress(),
      history: [],
      optimizerIterations: 0,
    };
    const requests: Array<CheckpointRequest & { next: CheckpointState["next"] }> = [];
    const tensorsBefore = tf.memory().numTensors;
    const status = await fit({
      model,
      optimizer,
      variables: model.trainableVariables(),
      loss: mseLoss,
      trainData: dataSource(trainSet, 16, 7),
      valData: dataSource(valSet, 16, 0, false),
      epochs: 2,
      threshold: 0,
      checkpointEverySteps: 2,
      state,
      bar: new ProgressBar({ enabled: false }),
      checkpoint: async (request) => {
        requests.push({ ...request, next: { ...state.next } });
      },
      lastCheckpoint: () => undefined,
    });
    expect(status).toBe("completed");
    expect(state.history.map(({ seconds: _, ...r }) => r)).toEqual(
      viaTrain.history.map(({ seconds: _, ...r }) => r),
    );
    expect(requests.map((r) => [r.epoch, r.step, r.complete, r.next.epoch, r.next.step])).toEqual([
      [1, 2, false, 1, 2],
      [1, 3, true, 2, 0],
      [2, 2, false, 2, 2],
      [2, 3, true, 3, 0],
    ]);
    expect(Object.keys(requests[1]!.metrics)).toEqual([
      "train_loss",
      "train_accuracy",
      "val_loss",
      "val_accuracy",
    ]);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore); // with the optimizer's slots gone, no leak
    model.dispose();
    reference.dispose();
  });
});

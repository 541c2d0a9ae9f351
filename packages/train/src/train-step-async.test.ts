import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { getAccuracy } from "@celeba/metrics";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { syntheticData, tinyModel } from "../test/helpers";
import { Adamax } from "./adamax";
import { NonFiniteLossError } from "./errors";
import { mseLoss } from "./losses";
import { trainStep, trainStepAsync } from "./train-step";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("trainStepAsync", () => {
  const d = syntheticData(8, 3, 4);

  it("gives trainStep's loss, getAccuracy's count and the same update, and leaks nothing", async () => {
    const a = tinyModel({ numClasses: 3 });
    const b = tinyModel({ numClasses: 3 });
    const x = tf.tensor4d(d.images, [8, d.size, d.size, 3]);
    const y = tf.tensor2d(d.labels, [8, 3]);
    const optA = new Adamax();
    const optB = new Adamax();
    for (let step = 0; step < 3; step++) {
      const before = tf.memory().numTensors;
      const sync = trainStep(a, optA, mseLoss, x, y, { threshold: 0.1 });
      if (step > 0) expect(tf.memory().numTensors).toBe(before);
      const before2 = tf.memory().numTensors;
      const got = await trainStepAsync(b, optB, mseLoss, x, y, { threshold: 0.1 });
      if (step > 0) expect(tf.memory().numTensors).toBe(before2);
      expect(got.loss).toBe(sync.loss);
      // The reference count: @celeba/metrics on the scores trainStep read back.
      const expected =
        getAccuracy({ data: sync.scores, shape: [8, 3] }, y, { threshold: 0.1 }) * 24;
      expect(got.correct).toBe(Math.round(expected));
    }
    expect(b.stateDict()).toEqual(a.stateDict());
    tf.dispose([x, y]);
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  });

  it("throws NonFiniteLossError without updating, and leaks nothing", async () => {
    const m = tinyModel({ numClasses: 3 });
    const opt = new Adamax();
    const x = tf.fill([2, 4, 4, 3], Number.NaN) as tf.Tensor4D;
    const y = tf.ones([2, 3]) as tf.Tensor2D;
    const sd = m.stateDict();
    const before = tf.memory().numTensors;
    await expect(trainStepAsync(m, opt, mseLoss, x, y, { epoch: 3, step: 7 })).rejects.toThrow(
      NonFiniteLossError,
    );
    expect(tf.memory().numTensors).toBe(before);
    // The forward pass updates BN running stats, as torch's does; the optimizer updates nothing.
    expect(m.stateDict().get("fc.weight")).toEqual(sd.get("fc.weight"));
    tf.dispose([x, y]);
    opt.dispose();
    m.dispose();
  });
});

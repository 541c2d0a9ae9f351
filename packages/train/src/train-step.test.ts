import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { syntheticData, tinyModel } from "../test/helpers";
import { Adamax } from "./adamax";
import { InvalidOptionError, NonFiniteLossError } from "./errors";
import { mseLoss } from "./losses";
import { trainStep } from "./train-step";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("trainStep", () => {
  const d = syntheticData(8, 3, 4);
  it("updates only trainable variables, matches a manual variableGrads + Adamax step, and leaks nothing", () => {
    const a = tinyModel({ numClasses: 3 });
    const b = tinyModel({ numClasses: 3 });
    const x = tf.tensor4d(d.images, [8, d.size, d.size, 3]);
    const y = tf.tensor2d(d.labels, [8, 3]);
    const optA = new Adamax();
    const proj = Array.from(a.vars.get("proj.weight")!.dataSync());
    trainStep(a, optA, mseLoss, x, y); // creates the optimizer slots
    const before = tf.memory().numTensors;
    const r = trainStep(a, optA, mseLoss, x, y, { epoch: 1, step: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(a.vars.get("proj.weight")!.dataSync())).toEqual(proj);

    const optB = new Adamax();
    for (let i = 0; i < 2; i++) {
      const { value, grads } = tf.variableGrads(
        () => mseLoss(b.apply(x, { training: true }), y),
        [...b.trainableVariables().values()],
      );
      if (i === 1) expect(value.dataSync()[0]).toBe(r.loss);
      optB.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(a.stateDict()).toEqual(b.stateDict());
    expect(r.scores).toHaveLength(24);
    expect(r.correct).toBeGreaterThanOrEqual(0);
    expect(r.correct).toBeLessThanOrEqual(24);
    tf.dispose([x, y]);
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  });

  it("throws NonFiniteLossError without updating, and leaks nothing", () => {
    const m = tinyModel({ numClasses: 3 });
    const opt = new Adamax();
    const x = tf.fill([2, 4, 4, 3], Number.NaN) as tf.Tensor4D;
    const y = tf.ones([2, 3]) as tf.Tensor2D;
    const sd = m.stateDict();
    const before = tf.memory().numTensors;
    expect(() => trainStep(m, opt, mseLoss, x, y, { epoch: 3, step: 7 })).toThrow(
      NonFiniteLossError,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(m.stateDict().get("fc.weight")).toEqual(sd.get("fc.weight"));
    tf.dispose([x, y]);
    opt.dispose();
    m.dispose();
  });

  it("refuses a model with nothing to train", () => {
    const m = tinyModel({ numClasses: 3 });
    const x = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const y = tf.ones([1, 3]) as tf.Tensor2D;
    expect(() => trainStep(m, new Adamax(), mseLoss, x, y, { variables: new Map() })).toThrow(
      InvalidOptionError,
    );
    tf.dispose([x, y]);
    m.dispose();
  });
});

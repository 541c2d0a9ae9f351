import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { expectClose, golden } from "../test/golden";
import { attributeReport } from "./attribute-report";
import { getAccuracy } from "./get-accuracy";
import { majorityBaseline } from "./majority-baseline";
import { perAttributeAccuracy } from "./per-attribute-accuracy";

// The package never imports tfjs; this test checks that real tfjs tensors pass the
// duck-typed MatrixInput (both at the type level and at run time) and leak nothing.
describe("real tfjs-core tensors as inputs", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  const c = golden.cases[0]!;
  const t0 = c.thresholds.find((t) => t.threshold === 0)!;

  it("float32 scores with int32 labels match numpy, without leaking tensors", () => {
    const before = tf.memory().numTensors;
    const scores = tf.tensor2d(c.scores, c.shape, "float32");
    const labels = tf.tensor2d(c.labels, c.shape, "int32");
    expectClose(getAccuracy(scores, labels), t0.accuracy);
    expectClose(perAttributeAccuracy(scores, labels), t0.perAttributeAccuracy);
    expectClose(attributeReport(scores, labels, c.names), t0.report);
    expectClose(majorityBaseline(labels), c.majorityBaseline);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([scores, labels]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a rank-1 tensor is one attribute column", () => {
    const scores = tf.tensor1d([0, -0.5, 0.25]);
    const labels = tf.tensor1d([1, -1, -1], "int32");
    expect(perAttributeAccuracy(scores, labels)).toEqual([2 / 3]);
    tf.dispose([scores, labels]);
  });
});

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { maxAbs, maxAbsDiff } from "../../test/golden-input";
import { addRelu, batchNormTraining } from "./batch-norm-training";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Deterministic values with a per-channel offset, so that the batch means are far from 0. */
function values(shape: number[], seed: number, offset = 0): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const c = shape[shape.length - 1]!;
  const v = Float32Array.from(
    { length: n },
    (_, i) => Math.sin(i * 0.731 + seed) + 0.3 * Math.cos(i * 0.053 * seed) + offset * (i % c),
  );
  return tf.tensor(v, shape);
}

function relErr(ours: tf.Tensor, ref: tf.Tensor): number {
  const r = ref.dataSync();
  return maxAbsDiff(ours.dataSync(), r) / Math.max(maxAbs(r), 1e-12);
}

/** tfjs' own ops, differentiated by tfjs: the independent reference. */
function composite(x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, relu: boolean): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.batchNorm(x, mean, variance, b, g, 1e-5) as tf.Tensor4D;
  return relu ? tf.relu(y) : y;
}

describe("batchNormTraining equals tfjs' moments + batchNorm (+ relu), differentiated by tfjs", () => {
  const shapes: [number, number, number, number][] = [
    [2, 5, 4, 3],
    [4, 3, 3, 8],
    [1, 7, 6, 5],
  ];
  for (const relu of [false, true]) {
    it.each(shapes)(
      `relu ${relu}: values and x/gamma/beta gradients within 1e-4 (%i x %i x %i x %i)`,
      (...shape) => {
        const x = values(shape, 1, 0.7) as tf.Tensor4D;
        const c = shape[3];
        const g = tf.add(values([c], 2), 1.5) as tf.Tensor1D;
        const b = values([c], 3) as tf.Tensor1D;
        // A weighted sum makes every output element matter differently.
        const weights = values(shape, 4);
        const loss = (f: typeof composite) => (a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(f(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, relu), weights));
        const ours = (a: tf.Tensor4D, gg: tf.Tensor1D, bb: tf.Tensor1D, r: boolean) =>
          batchNormTraining(a, gg, bb, { eps: 1e-5, relu: r });
        expect(relErr(ours(x, g, b, relu), composite(x, g, b, relu))).toBeLessThan(1e-5);
        const got = tf.grads(loss(ours))([x, g, b]);
        const want = tf.grads(loss(composite))([x, g, b]);
        for (let i = 0; i < 3; i++) expect(relErr(got[i]!, want[i]!)).toBeLessThan(1e-4);
        tf.dispose([x, g, b, weights, ...got, ...want]);
      },
    );
  }

  it("hands the batch mean and the biased variance to onStatistics", () => {
    const x = values([3, 4, 5, 6], 5, 0.5) as tf.Tensor4D;
    const g = tf.ones([6]) as tf.Tensor1D;
    const b = tf.zeros([6]) as tf.Tensor1D;
    let seen: [Float32Array, Float32Array] | undefined;
    const y = batchNormTraining(x, g, b, {
      eps: 1e-5,
      relu: false,
      onStatistics: (mean, variance) => {
        seen = [mean.dataSync() as Float32Array, variance.dataSync() as Float32Array];
      },
    });
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    expect(maxAbsDiff(seen![0], mean.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(seen![1], variance.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, g, b, y, mean, variance]);
  });

  it("leaks no tensors (forward, and forward + gradients, with and without relu)", () => {
    const x = values([2, 3, 3, 4], 6) as tf.Tensor4D;
    const g = tf.ones([4]) as tf.Tensor1D;
    const b = tf.zeros([4]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    for (const relu of [false, true]) {
      tf.dispose(batchNormTraining(x, g, b, { eps: 1e-5, relu }));
      const grads = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(
          batchNormTraining(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, {
            eps: 1e-5,
            relu,
          }),
        ),
      )([x, g, b]);
      tf.dispose(grads);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });

  it("keeps fewer bytes for the backward pass than tfjs' op-by-op gradients", () => {
    const x = values([4, 16, 16, 8], 7) as tf.Tensor4D;
    const g = tf.ones([8]) as tf.Tensor1D;
    const b = tf.zeros([8]) as tf.Tensor1D;
    // Bytes alive at the loss, under the tape, i.e. what the backward pass holds on to.
    const keptBytes = (f: typeof composite) => {
      let bytes = 0;
      const before = tf.memory().numBytes;
      const grads = tf.grads((a: tf.Tensor) => {
        const s = tf.sum(f(a as tf.Tensor4D, g, b, true));
        bytes = tf.memory().numBytes - before;
        return s;
      })([x]);
      tf.dispose(grads);
      return bytes;
    };
    const ours = keptBytes((a, gg, bb, r) => batchNormTraining(a, gg, bb, { eps: 1e-5, relu: r }));
    const theirs = keptBytes(composite);
    // One activation is 8 KiB here: ours keeps the centred input and the output (plus
    // vectors), tfjs' composite about five activations.
    expect(ours).toBeLessThan(theirs * 0.6);
  });
});

describe("addRelu equals relu(add(a, b)) differentiated by tfjs", () => {
  it("values and both gradients are equal; no tensor leaks", () => {
    const a = values([2, 4, 3, 5], 8) as tf.Tensor4D;
    const b = values([2, 4, 3, 5], 9) as tf.Tensor4D;
    const weights = values([2, 4, 3, 5], 10);
    const before = tf.memory().numTensors;
    const ours = addRelu(a, b);
    const ref = tf.tidy(() => tf.relu(tf.add(a, b)));
    expect(relErr(ours, ref)).toBe(0);
    const got = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(addRelu(p as tf.Tensor4D, q as tf.Tensor4D), weights)),
    )([a, b]);
    const want = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(tf.relu(tf.add(p, q)), weights)),
    )([a, b]);
    expect(relErr(got[0]!, want[0]!)).toBe(0);
    expect(relErr(got[1]!, want[1]!)).toBe(0);
    tf.dispose([ours, ref, ...got, ...want]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, weights]);
  });
});

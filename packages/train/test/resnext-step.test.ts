/**
 * Golden test: two training steps of resnext_tiny with the paper's procedure (train-mode
 * forward, MSE on ±1 targets, first 6 children frozen, Adamax lr 0.002), against PyTorch
 * (fixtures/resnext-tiny-step.*, made by scripts/make-step-fixture.py).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resnext_tiny } from "@celeba/resnext";
import { readSafetensors, type StateDict } from "@celeba/resnext/weights";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createOptimizer } from "../src/create-optimizer";
import { mseLoss } from "../src/losses";
import { trainStep } from "../src/train-step";

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/resnext-tiny-step.json", import.meta.url), "utf8"),
) as {
  numClasses: number;
  inputShapeNCHW: [number, number, number, number];
  losses: number[];
  outputs: number[][];
  trainable: string[];
};

/** Same closed form as init_value() in scripts/make-step-fixture.py. */
function initValue(key: string, index: number, shape: number[]): Float32Array | BigInt64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (key.endsWith("num_batches_tracked")) return new BigInt64Array(size);
  const out = new Float32Array(size);
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < size; i++) {
    const s = Math.sin(0.7 * i + 1.3 * index + 0.5);
    let v: number;
    if (key.endsWith("running_mean")) v = 0.1 * s;
    else if (key.endsWith("running_var")) v = 1 + 0.25 * (s + 1);
    else if (shape.length === 1 && key.endsWith("weight")) v = 1 + 0.2 * s;
    else if (key.endsWith("bias")) v = 0.05 * s;
    else v = Math.sqrt(3 / fanIn) * s;
    out[i] = v;
  }
  return out;
}

/** test_input() of packages/resnext/scripts/make-model-fixtures.py, NHWC. */
function goldenInputNHWC(n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * h * w * 3);
  let i = 0;
  for (let ni = 0; ni < n; ni++)
    for (let hi = 0; hi < h; hi++)
      for (let wi = 0; wi < w; wi++)
        for (let ci = 0; ci < 3; ci++)
          out[i++] =
            0.8 * Math.sin((0.37 * hi * (ci + 1)) / (ni + 1) + 0.23 * wi + ni) +
            0.5 * Math.cos(0.11 * wi * (ci + 2) - 0.19 * hi) +
            0.1 * (ci - 1);
  return out;
}

function goldenTarget(n: number, k: number): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) out[i * k + j] = (i * 7 + j * 3) % 5 < 2 ? 1 : -1;
  return out;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("resnext_tiny training step vs PyTorch", () => {
  it("losses, outputs and all weights/BN buffers after 2 Adamax steps match within 1e-4 (measured 1.4e-5)", async () => {
    const after: StateDict = await readSafetensors(
      fileURLToPath(new URL("../fixtures/resnext-tiny-step.safetensors", import.meta.url)),
    );
    const model = resnext_tiny({ numClasses: fixture.numClasses });
    const init: StateDict = new Map();
    [...model.stateDict()].forEach(([key, t], index) => {
      init.set(key, { dtype: t.dtype, shape: t.shape, data: initValue(key, index, t.shape) });
    });
    expect([...init.keys()]).toEqual([...after.keys()]);
    model.loadStateDict(init, { strict: true });
    model.freeze(6);
    expect([...model.trainableVariables().keys()]).toEqual(fixture.trainable);

    const [n, , h, w] = fixture.inputShapeNCHW;
    const x = tf.tensor4d(goldenInputNHWC(n, h, w), [n, h, w, 3]);
    const y = tf.tensor2d(goldenTarget(n, fixture.numClasses), [n, fixture.numClasses]);
    const opt = createOptimizer({ name: "adamax", lr: 0.002 });
    const before = tf.memory().numTensors;
    for (let s = 0; s < 2; s++) {
      const r = trainStep(model, opt, mseLoss, x, y);
      expect(Math.abs(r.loss - fixture.losses[s]!)).toBeLessThan(1e-4);
      let maxOut = 0;
      r.scores.forEach((v, i) => {
        maxOut = Math.max(maxOut, Math.abs(v - fixture.outputs[s]![i]!));
      });
      expect(maxOut, `outputs of step ${s + 1}`).toBeLessThan(1e-4);
      // The first step creates the optimizer's slots; the second must add nothing.
      expect(tf.memory().numTensors).toBe(before + 2 * fixture.trainable.length);
    }
    const got = model.stateDict();
    const worst: [string, number][] = [];
    for (const [key, ref] of after) {
      const a = got.get(key)!;
      let m = 0;
      for (let i = 0; i < ref.data.length; i++)
        m = Math.max(m, Math.abs(Number(a.data[i]) - Number(ref.data[i])));
      worst.push([key, m]);
    }
    worst.sort((p, q) => q[1] - p[1]);
    console.info(`resnext_tiny step: worst |torch - tfjs| ${JSON.stringify(worst.slice(0, 3))}`);
    expect(worst[0]![1], `worst: ${JSON.stringify(worst.slice(0, 3))}`).toBeLessThan(1e-4);
    opt.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

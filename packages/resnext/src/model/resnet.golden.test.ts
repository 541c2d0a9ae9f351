import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { goldenInputNHWC, goldenTarget, maxAbs, maxAbsDiff } from "../../test/golden-input";
import { RESNET18_MINI } from "../../test/resnet18-mini";
import { CONV_GRADIENTS, type ConvGradient } from "../kernels/conv-gradient";
import { GROUPED_CONV_IMPLS } from "../kernels/grouped-conv";
import { readSafetensors } from "../weights/safetensors";
import type { StateDict } from "../weights/state-dict";
import { ARCHITECTURES, type ResNetSpec } from "./architectures";
import { resolveOptions } from "./factories";
import { buildResNet } from "./resnet";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures");

interface Golden {
  numClasses: number;
  eval: { inputShapeNCHW: [number, number, number, number]; output: number[] };
  train: { inputShapeNCHW: [number, number, number, number]; output: number[]; loss: number };
}

const CASES = [
  { name: "resnext_tiny", spec: ARCHITECTURES.resnext_tiny as ResNetSpec, grads: true },
  { name: "resnet18_mini", spec: RESNET18_MINI, grads: false },
] as const;

function build(
  spec: ResNetSpec,
  numClasses: number,
  impl: (typeof GROUPED_CONV_IMPLS)[number],
  convGradient: ConvGradient = "im2col",
) {
  return buildResNet(
    "golden",
    spec,
    resolveOptions({ numClasses, groupedConvImpl: impl, convGradient }),
  );
}

/** Every grouped-convolution formulation with every gradient method. */
const IMPL_X_GRADIENT = GROUPED_CONV_IMPLS.flatMap((impl) =>
  CONV_GRADIENTS.map((gradient) => [impl, gradient] as const),
);

function input(shape: [number, number, number, number]): tf.Tensor4D {
  const [n, , h, w] = shape;
  return tf.tensor4d(goldenInputNHWC(n, h, w), [n, h, w, 3]);
}

/** A gradient in torchvision's layout (OIHW conv, [out, in] linear), as a flat array. */
function torchLayout(g: tf.Tensor): Float32Array {
  return tf.tidy(() => {
    if (g.rank === 4) return tf.transpose(g, [3, 2, 0, 1]).dataSync() as Float32Array;
    if (g.rank === 2) return tf.transpose(g).dataSync() as Float32Array;
    return g.dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe.each(CASES)("golden vs torchvision: $name", ({ name, spec, grads }) => {
  const golden = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as Golden;
  let weights: StateDict;
  let after: StateDict;
  beforeAll(async () => {
    weights = await readSafetensors(join(FIXTURES, `${name}.safetensors`));
    after = await readSafetensors(join(FIXTURES, `${name}-train.safetensors`));
  });

  it.each(GROUPED_CONV_IMPLS)("eval-mode outputs match within 1e-4 (%s)", (impl) => {
    const model = build(spec, golden.numClasses, impl);
    model.loadStateDict(weights);
    const x = input(golden.eval.inputShapeNCHW);
    const y = model.apply(x, { training: false });
    expect(y.shape).toEqual([golden.eval.inputShapeNCHW[0], golden.numClasses]);
    // The calibrated BN statistics make outputs input-dependent: guard against a vacuous pass.
    expect(maxAbs(golden.eval.output)).toBeGreaterThan(0.05);
    expect(maxAbsDiff(y.dataSync(), golden.eval.output)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it.each(IMPL_X_GRADIENT)(
    "train-mode forward, MSE backward, BN running stats (%s, %s)",
    (impl, convGradient) => {
      const model = build(spec, golden.numClasses, impl, convGradient);
      model.loadStateDict(weights);
      const shape = golden.train.inputShapeNCHW;
      const x = input(shape);
      const target = tf.tensor2d(goldenTarget(shape[0], golden.numClasses), [
        shape[0],
        golden.numClasses,
      ]);
      const params = model.namedParameters();
      const keyOf = new Map([...params].map(([k, v]) => [v.name, k]));
      let output: Float32Array | undefined;
      const { value, grads: g } = tf.variableGrads(() => {
        const y = model.apply(x, { training: true });
        output = y.dataSync() as Float32Array;
        return tf.losses.meanSquaredError(target, y) as tf.Scalar;
      }, [...params.values()]);
      expect(maxAbsDiff(output!, golden.train.output)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(value.dataSync()[0]! - golden.train.loss)).toBeLessThanOrEqual(1e-5);

      if (grads) {
        // Tolerance: 1e-4 of the tensor's largest gradient, plus 1e-6 absolute (seen: ~3e-6).
        let checked = 0;
        let worstRelative = 0;
        for (const [varName, grad] of Object.entries(g)) {
          const key = keyOf.get(varName)!;
          if (!key.startsWith("layer4.") && !key.startsWith("fc.")) continue;
          const ref = after.get(`grad.${key}`);
          expect(ref, key).toBeDefined();
          const ours = torchLayout(grad);
          const tol = 1e-6 + 1e-4 * maxAbs(ref!.data as Float32Array);
          const d = maxAbsDiff(ours, ref!.data as Float32Array);
          worstRelative = Math.max(worstRelative, d / maxAbs(ref!.data as Float32Array));
          expect(d, key).toBeLessThanOrEqual(tol);
          checked++;
        }
        console.info(
          `${name} (${impl}, ${convGradient}): worst gradient error / max |grad| = ${worstRelative.toExponential(2)}`,
        );
        expect(checked).toBe([...after.keys()].filter((k) => k.startsWith("grad.")).length);
      }

      const sd = model.stateDict();
      let buffers = 0;
      for (const [key, ref] of after) {
        if (!key.startsWith("after.")) continue;
        const ours = sd.get(key.slice("after.".length))!;
        if (ref.dtype === "int64") {
          expect(ours.data[0], key).toBe(ref.data[0]);
        } else {
          expect(maxAbsDiff(ours.data as Float32Array, ref.data as Float32Array), key).toBeLessThan(
            1e-5 * Math.max(1, maxAbs(ref.data as Float32Array)),
          );
        }
        buffers++;
      }
      expect(buffers).toBe(model.namedBuffers().size);
      tf.dispose([x, target, value, ...Object.values(g)]);
      model.dispose();
    },
  );
});

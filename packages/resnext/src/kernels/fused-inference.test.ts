import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goldenInputNHWC, maxAbs, maxAbsDiff } from "../../test/golden-input";
import { RESNET18_MINI } from "../../test/resnet18-mini";
import { ARCHITECTURES, type ResNetSpec } from "../model/architectures";
import { resolveOptions } from "../model/factories";
import { buildResNet } from "../model/resnet";
import type { ResNetModel } from "../model/resnet-model";
import { readSafetensors } from "../weights/safetensors";
import { GROUPED_CONV_IMPLS, type GroupedConvImpl } from "./grouped-conv";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures");

const CASES = [
  { name: "resnext_tiny", spec: ARCHITECTURES.resnext_tiny as ResNetSpec },
  { name: "resnet18_mini", spec: RESNET18_MINI },
] as const;

function build(spec: ResNetSpec, impl: GroupedConvImpl | "auto" = "auto", seed = 0): ResNetModel {
  return buildResNet(
    "fused-test",
    spec,
    resolveOptions({ numClasses: 10, seed, groupedConvImpl: impl }),
  );
}

function input(n: number, h: number, w: number): tf.Tensor4D {
  return tf.tensor4d(goldenInputNHWC(n, h, w), [n, h, w, 3]);
}

/** The eval forward with BN applied separately: under a gradient tape the model never folds. */
function unfusedEval(model: ResNetModel, x: tf.Tensor4D): Float32Array {
  let out: Float32Array | undefined;
  tf.tidy(() => {
    tf.grad((z: tf.Tensor) => {
      const y = model.apply(z as tf.Tensor4D, { training: false });
      out = Float32Array.from(y.dataSync());
      return tf.sum(y);
    })(x);
  });
  return out!;
}

function fusedEval(model: ResNetModel, x: tf.Tensor4D): Float32Array {
  const y = model.apply(x, { training: false });
  const out = Float32Array.from(y.dataSync());
  y.dispose();
  return out;
}

/** Fused vs unfused: within 1e-4 of the output scale. */
function expectClose(fused: Float32Array, unfused: Float32Array): void {
  expect(maxAbs(unfused)).toBeGreaterThan(0.05);
  expect(maxAbsDiff(fused, unfused)).toBeLessThanOrEqual(1e-4 * maxAbs(unfused));
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe.each(CASES)("folded conv + BN inference: $name", ({ name, spec }) => {
  it.each(GROUPED_CONV_IMPLS)("equals the unfused eval forward within 1e-4 (%s)", async (impl) => {
    const model = build(spec, impl);
    model.loadStateDict(await readSafetensors(join(FIXTURES, `${name}.safetensors`)));
    const x = input(2, 40, 36);
    expectClose(fusedEval(model, x), unfusedEval(model, x));
    x.dispose();
    model.dispose();
  });
});

describe("folded conv + BN inference on wasm", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });
  it.each(GROUPED_CONV_IMPLS)("resnext_tiny equals the unfused eval forward (%s)", async (impl) => {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);
    expect(await tf.setBackend("wasm")).toBe(true);
    const model = build(ARCHITECTURES.resnext_tiny as ResNetSpec, impl);
    model.loadStateDict(await readSafetensors(join(FIXTURES, "resnext_tiny.safetensors")));
    const x = input(2, 40, 36);
    expectClose(fusedEval(model, x), unfusedEval(model, x));
    x.dispose();
    model.dispose();
  });
});

describe("inference cache", () => {
  const spec = ARCHITECTURES.resnext_tiny as ResNetSpec;

  it("holds a stable tensor count over repeated eval calls and dispose frees it", () => {
    const x = input(1, 32, 32);
    const before = tf.memory().numTensors;
    const model = build(spec);
    const vars = tf.memory().numTensors - before;
    fusedEval(model, x);
    const cached = tf.memory().numTensors;
    expect(cached).toBeGreaterThan(before + vars);
    for (let i = 0; i < 3; i++) fusedEval(model, x);
    // Inside a caller's tidy the cache must survive the tidy.
    tf.tidy(() => {
      model.apply(x, { training: false });
    });
    expect(tf.memory().numTensors).toBe(cached);
    fusedEval(model, x);
    expect(tf.memory().numTensors).toBe(cached);
    model.invalidateInferenceCache();
    expect(tf.memory().numTensors).toBe(before + vars);
    fusedEval(model, x);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it("loadStateDict then eval gives the new weights' outputs", () => {
    const x = input(2, 32, 32);
    const model = build(spec, "auto", 0);
    const other = build(spec, "auto", 1);
    // Distinct BN statistics too, so a stale BN fold would show.
    other.apply(x, { training: true }).dispose();
    const first = fusedEval(model, x);
    model.loadStateDict(other.stateDict());
    const loaded = fusedEval(model, x);
    const expected = fusedEval(other, x);
    expect(maxAbsDiff(loaded, expected)).toBe(0);
    expect(maxAbsDiff(first, loaded)).toBeGreaterThan(1e-3);
    tf.dispose(x);
    model.dispose();
    other.dispose();
  });

  it("sees training-mode BN updates and direct variable writes (optimizer steps)", () => {
    const x = input(2, 32, 32);
    const model = build(spec);
    fusedEval(model, x);
    model.apply(x, { training: true }).dispose();
    expectClose(fusedEval(model, x), unfusedEval(model, x));
    const before = fusedEval(model, x);
    // What an optimizer does: assign new values to the variables.
    tf.tidy(() => {
      const w = model.namedParameters().get("layer2.0.conv2.weight")!;
      w.assign(tf.mul(w, 1.5));
      const v = model.namedBuffers().get("layer3.0.bn1.running_var")!;
      v.assign(tf.mul(v, 2));
    });
    const after = fusedEval(model, x);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    expectClose(after, unfusedEval(model, x));
    x.dispose();
    model.dispose();
  });

  it("keeps gradients flowing to the variables in eval mode under a tape", () => {
    const x = input(1, 32, 32);
    const model = build(spec);
    fusedEval(model, x);
    const w = model.namedParameters().get("conv1.weight")!;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(model.apply(x, { training: false })) as tf.Scalar,
      [w],
    );
    expect(maxAbs(grads[w.name]!.dataSync())).toBeGreaterThan(0);
    tf.dispose([value, x, ...Object.values(grads)]);
    model.dispose();
  });
});

import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxAbs, maxAbsDiff } from "../../test/golden-input";
import { createModel } from "../model/factories";
import { conv2dIm2colGrad } from "./conv-gradient";
import {
  GROUPED_CONV_IMPLS,
  type GroupedConvImpl,
  groupedConv2d,
  setDepthwiseChunkFloats,
} from "./grouped-conv";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Deterministic, input-dependent values (no two entries alike). */
function values(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from(
    { length: n },
    (_, i) => Math.sin(i * 0.731 + seed) + 0.3 * Math.cos(i * 0.053 * seed),
  );
  return tf.tensor(v, shape);
}

function relErr(ours: tf.Tensor, ref: tf.Tensor): number {
  const r = ref.dataSync();
  return maxAbsDiff(ours.dataSync(), r) / Math.max(maxAbs(r), 1e-12);
}

interface Case {
  name: string;
  x: [number, number, number, number];
  k: number;
  out: number;
  stride: number;
  pad: number;
  groups: number;
}

const CASES: Case[] = [
  { name: "1x1 s1", x: [2, 5, 6, 8], k: 1, out: 12, stride: 1, pad: 0, groups: 1 },
  { name: "1x1 s2 (even)", x: [2, 6, 8, 8], k: 1, out: 12, stride: 2, pad: 0, groups: 1 },
  { name: "1x1 s2 (odd)", x: [2, 7, 5, 8], k: 1, out: 12, stride: 2, pad: 0, groups: 1 },
  { name: "3x3 s1 p1", x: [2, 7, 6, 5], k: 3, out: 7, stride: 1, pad: 1, groups: 1 },
  { name: "3x3 s2 p1", x: [2, 9, 8, 5], k: 3, out: 7, stride: 2, pad: 1, groups: 1 },
  { name: "7x7 s2 p3", x: [2, 15, 12, 3], k: 7, out: 8, stride: 2, pad: 3, groups: 1 },
  { name: "3x3 s1 p1, 4 groups", x: [2, 7, 6, 8], k: 3, out: 12, stride: 1, pad: 1, groups: 4 },
  { name: "3x3 s2 p1, 4 groups", x: [2, 9, 7, 8], k: 3, out: 16, stride: 2, pad: 1, groups: 4 },
  { name: "1x1 s1, 2 groups", x: [2, 4, 5, 6], k: 1, out: 4, stride: 1, pad: 0, groups: 2 },
  // Stride-1 grouped input gradients run as a grouped convolution with a flipped filter.
  { name: "3x3 s1 p0, 4 groups", x: [2, 7, 6, 8], k: 3, out: 12, stride: 1, pad: 0, groups: 4 },
  { name: "5x5 s1 p2, 2 groups", x: [1, 8, 7, 6], k: 5, out: 4, stride: 1, pad: 2, groups: 2 },
  { name: "3x3 s1 p1, 8 groups", x: [3, 5, 5, 16], k: 3, out: 32, stride: 1, pad: 1, groups: 8 },
];

/** tfjs' own conv and its registered (native) gradients: the reference. */
function reference(c: Case, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D) {
  const f = (a: tf.Tensor4D, b: tf.Tensor4D) =>
    c.groups === 1
      ? (tf.conv2d(a, b, c.stride, c.pad) as tf.Tensor4D)
      : groupedConv2d(a, b, { groups: c.groups, stride: c.stride, pad: c.pad, impl: "split" });
  const y = f(x, w);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), dy)),
  )([x, w]);
  return { y, dx: dx!, dw: dw! };
}

describe("conv2dIm2colGrad equals tfjs' native convolution gradients (cpu, 1e-4 relative)", () => {
  type Row = [string, Case, GroupedConvImpl | "default"];
  const table: Row[] = CASES.flatMap((c): Row[] =>
    c.groups === 1
      ? [[c.name, c, "default"]]
      : GROUPED_CONV_IMPLS.map((impl): Row => [`${c.name} (${impl} forward)`, c, impl]),
  );
  it.each(table)("%s", (_, c, impl) => {
    const [n, h, wd, ci] = c.x;
    const x = values(c.x, 1) as tf.Tensor4D;
    const w = values([c.k, c.k, ci / c.groups, c.out], 2) as tf.Tensor4D;
    const oh = Math.floor((h + 2 * c.pad - c.k) / c.stride) + 1;
    const ow = Math.floor((wd + 2 * c.pad - c.k) / c.stride) + 1;
    const dy = values([n, oh, ow, c.out], 3) as tf.Tensor4D;
    const ref = reference(c, x, w, dy);
    const forward =
      impl === "default"
        ? undefined
        : (a: tf.Tensor4D, b: tf.Tensor4D) =>
            groupedConv2d(a, b, { groups: c.groups, stride: c.stride, pad: c.pad, impl });
    const opts = { stride: c.stride, pad: c.pad, groups: c.groups, forward };
    const y = conv2dIm2colGrad(x, w, opts);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv2dIm2colGrad(a as tf.Tensor4D, b as tf.Tensor4D, opts), dy)),
    )([x, w]);
    expect(y.shape).toEqual(ref.y.shape);
    expect(relErr(y, ref.y)).toBeLessThanOrEqual(1e-5);
    expect(dx!.shape).toEqual(c.x);
    expect(dw!.shape).toEqual(w.shape);
    expect(relErr(dx!, ref.dx)).toBeLessThanOrEqual(1e-4);
    expect(relErr(dw!, ref.dw)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, w, dy, ref.y, ref.dx, ref.dw, y, dx!, dw!]);
  });

  it.each(CASES.filter((c) => c.groups > 1))(
    "$name: patches chunked a few images at a time give the same gradients and leak nothing",
    (c) => {
      const [n, h, wd, ci] = [3, ...c.x.slice(1)] as [number, number, number, number];
      const x = values([n, h, wd, ci], 1) as tf.Tensor4D;
      const w = tf.variable(values([c.k, c.k, ci / c.groups, c.out], 2)) as tf.Variable<tf.Rank.R4>;
      const oh = Math.floor((h + 2 * c.pad - c.k) / c.stride) + 1;
      const ow = Math.floor((wd + 2 * c.pad - c.k) / c.stride) + 1;
      const dy = values([n, oh, ow, c.out], 3) as tf.Tensor4D;
      const opts = { stride: c.stride, pad: c.pad, groups: c.groups };
      const grads = () => {
        const { value, grads: g } = tf.variableGrads(
          () => tf.sum(tf.mul(conv2dIm2colGrad(x, w, opts), dy)) as tf.Scalar,
          [w],
        );
        value.dispose();
        return g[w.name]!;
      };
      const whole = grads();
      // One image's patches are oh * ow * in * k * k floats: this limit makes chunks of 1 image.
      const previous = setDepthwiseChunkFloats(oh * ow * ci * c.k * c.k);
      try {
        const before = tf.memory().numTensors;
        const chunked = grads();
        expect(chunked.shape).toEqual(whole.shape);
        expect(relErr(chunked, whole)).toBeLessThanOrEqual(1e-6);
        chunked.dispose();
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        setDepthwiseChunkFloats(previous);
      }
      tf.dispose([x, w, dy, whole]);
    },
  );

  it("computes no input gradient when only the filter is differentiated", async () => {
    const x = values([2, 8, 8, 6], 1) as tf.Tensor4D;
    const w = tf.variable(values([3, 3, 6, 5], 2)) as tf.Variable<tf.Rank.R4>;
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(conv2dIm2colGrad(x, w, { pad: 1 })) as tf.Scalar,
        [w],
      );
      tf.dispose([value, ...Object.values(grads)]);
    });
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain("BatchMatMul");
    expect(kernels).not.toContain("Conv2DBackpropInput");
    expect(kernels).not.toContain("Conv2DBackpropFilter");
    tf.dispose([x, w]);
  });

  it("computes no filter gradient for a frozen (non-trainable) filter variable", async () => {
    const x = values([2, 8, 8, 6], 1) as tf.Tensor4D;
    const w = tf.variable(values([3, 3, 6, 5], 2), false) as tf.Variable<tf.Rank.R4>;
    const profile = await tf.profile(() => {
      const g = tf.grad((a: tf.Tensor) =>
        tf.sum(conv2dIm2colGrad(a as tf.Tensor4D, w, { pad: 1 })),
      )(x);
      g.dispose();
    });
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain("Conv2DBackpropInput");
    expect(kernels).not.toContain("BatchMatMul");
    tf.dispose([x, w]);
  });

  it("leaks no tensors (forward, and forward + both gradients)", () => {
    const x = values([2, 7, 6, 8], 1) as tf.Tensor4D;
    const w = tf.variable(values([3, 3, 2, 8], 2)) as tf.Variable<tf.Rank.R4>;
    const before = tf.memory().numTensors;
    tf.dispose(conv2dIm2colGrad(x, w, { stride: 2, pad: 1, groups: 4 }));
    tf.dispose(conv2dIm2colGrad(x, w, { stride: 1, pad: 1, groups: 4 }));
    for (const stride of [1, 2]) {
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(conv2dIm2colGrad(a as tf.Tensor4D, b as tf.Tensor4D, { stride, pad: 1, groups: 4 })),
      )([x, w]);
      tf.dispose([dx!, dw!]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});

describe("conv2dIm2colGrad frees intermediate gradients, never the caller's", () => {
  it("leaves a dy passed to tf.grad usable, with a trainable and with a frozen filter", () => {
    const x = values([2, 6, 5, 4], 11) as tf.Tensor4D;
    for (const trainable of [true, false]) {
      const w = tf.variable(values([3, 3, 2, 6], 12), trainable) as tf.Variable<tf.Rank.R4>;
      const dy = values([2, 6, 5, 6], 13);
      const dx = tf.grad((a: tf.Tensor) =>
        conv2dIm2colGrad(a as tf.Tensor4D, w, { pad: 1, groups: 2 }),
      )(x, dy);
      expect(dy.isDisposed).toBe(false);
      expect(dy.dataSync().length).toBe(2 * 6 * 5 * 6);
      const ref = tf.grad((a: tf.Tensor) =>
        groupedConv2d(a as tf.Tensor4D, w, { groups: 2, pad: 1, impl: "split" }),
      )(x, dy);
      expect(relErr(dx, ref)).toBeLessThan(1e-4);
      tf.dispose([w, dy, dx, ref]);
    }
    x.dispose();
  });
});

describe("resnext_tiny: im2col gradients equal native ones for every parameter (cpu)", () => {
  it.each(["split", "depthwise"] as const)("groupedConvImpl %s, freeze(6) and unfrozen", (impl) => {
    const x = values([2, 40, 32, 3], 5) as tf.Tensor4D;
    const target = values([2, 10], 6) as tf.Tensor2D;
    for (const frozen of [0, 6]) {
      const grads = (["native", "im2col"] as const).map((convGradient) => {
        const model = createModel({
          arch: "resnext_tiny",
          numClasses: 10,
          groupedConvImpl: impl,
          convGradient,
        });
        model.freeze(frozen);
        const vars = model.trainableVariables();
        const { value, grads: g } = tf.variableGrads(
          () => tf.losses.meanSquaredError(target, model.apply(x, { training: true })) as tf.Scalar,
          [...vars.values()],
        );
        const byKey = new Map(
          [...vars].map(([k, v]) => [k, (g[v.name] as tf.Tensor).dataSync() as Float32Array]),
        );
        tf.dispose([value, ...Object.values(g)]);
        model.dispose();
        return byKey;
      });
      const [native, ours] = grads as [Map<string, Float32Array>, Map<string, Float32Array>];
      expect([...ours.keys()]).toEqual([...native.keys()]);
      for (const [key, ref] of native) {
        const d = maxAbsDiff(ours.get(key)!, ref);
        expect(d, `${key} (freeze ${frozen})`).toBeLessThanOrEqual(1e-6 + 1e-4 * maxAbs(ref));
      }
    }
    tf.dispose([x, target]);
  });
});

describe("wasm backend trains with im2col gradients", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });
  it("resnext_tiny gradients on wasm match the cpu backend's within 1e-4 relative", async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);
    const run = () => {
      const x = values([2, 40, 32, 3], 5) as tf.Tensor4D;
      const target = values([2, 10], 6) as tf.Tensor2D;
      const model = createModel({ arch: "resnext_tiny", numClasses: 10 });
      model.freeze(6);
      const vars = model.trainableVariables();
      const { value, grads: g } = tf.variableGrads(
        () => tf.losses.meanSquaredError(target, model.apply(x, { training: true })) as tf.Scalar,
        [...vars.values()],
      );
      const out = new Map(
        [...vars].map(([k, v]) => [k, Float32Array.from((g[v.name] as tf.Tensor).dataSync())]),
      );
      tf.dispose([x, target, value, ...Object.values(g)]);
      model.dispose();
      return out;
    };
    await tf.setBackend("cpu");
    const cpu = run();
    expect(await tf.setBackend("wasm")).toBe(true);
    const before = tf.memory().numTensors;
    const wasm = run();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasm.size).toBe(cpu.size);
    for (const [key, ref] of cpu) {
      const d = maxAbsDiff(wasm.get(key)!, ref);
      expect(d, key).toBeLessThanOrEqual(1e-6 + 1e-4 * maxAbs(ref));
    }
  });
});

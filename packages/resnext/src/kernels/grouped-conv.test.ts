import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { beforeAll, describe, expect, it } from "vitest";
import { maxAbsDiff } from "../../test/golden-input";
import { InvalidInputError, InvalidOptionError } from "../model-errors";
import {
  batchSlicer,
  fastestGroupedConvImpl,
  GROUPED_CONV_IMPLS,
  groupedConv2d,
  setDepthwiseChunkFloats,
} from "./grouped-conv";

/** Direct loops over PyTorch's definition of a grouped convolution (NHWC in, HWIO filter). */
function reference(
  x: Float32Array,
  [n, h, w, cin]: [number, number, number, number],
  f: Float32Array,
  [kh, kw, cg, cout]: [number, number, number, number],
  groups: number,
  stride: number,
  pad: number,
): { data: Float32Array; shape: number[] } {
  const ho = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - kw) / stride) + 1;
  const og = cout / groups;
  const out = new Float32Array(n * ho * wo * cout);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < ho; y++)
      for (let xx = 0; xx < wo; xx++)
        for (let o = 0; o < cout; o++) {
          const g = Math.floor(o / og);
          let acc = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const yi = y * stride - pad + i;
              const xj = xx * stride - pad + j;
              if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue;
              for (let c = 0; c < cg; c++) {
                const xv = x[((b * h + yi) * w + xj) * cin + g * cg + c]!;
                acc += xv * f[((i * kw + j) * cg + c) * cout + o]!;
              }
            }
          out[((b * ho + y) * wo + xx) * cout + o] = acc;
        }
  return { data: out, shape: [n, ho, wo, cout] };
}

function randomArray(len: number, seed: number): Float32Array {
  const a = new Float32Array(len);
  let s = seed;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

type Shape4 = [number, number, number, number];
const CASES: { name: string; x: Shape4; f: Shape4; groups: number; stride: number; pad: number }[] =
  [
    {
      name: "3x3 s1 p1, 4 groups",
      x: [2, 7, 6, 8],
      f: [3, 3, 2, 12],
      groups: 4,
      stride: 1,
      pad: 1,
    },
    {
      name: "3x3 s2 p1, 8 groups",
      x: [1, 9, 8, 16],
      f: [3, 3, 2, 16],
      groups: 8,
      stride: 2,
      pad: 1,
    },
    { name: "1x1 s2 p0, 2 groups", x: [2, 5, 5, 6], f: [1, 1, 3, 4], groups: 2, stride: 2, pad: 0 },
    { name: "groups 1 (plain)", x: [1, 5, 4, 3], f: [3, 3, 3, 5], groups: 1, stride: 1, pad: 1 },
  ];

describe("groupedConv2d", () => {
  for (const c of CASES) {
    it.each(GROUPED_CONV_IMPLS)(`matches direct loops: ${c.name} (%s)`, (impl) => {
      const xd = randomArray(
        c.x.reduce((a, b) => a * b),
        1,
      );
      const fd = randomArray(
        c.f.reduce((a, b) => a * b),
        2,
      );
      const ref = reference(xd, c.x, fd, c.f, c.groups, c.stride, c.pad);
      const x = tf.tensor4d(xd, c.x);
      const f = tf.tensor4d(fd, c.f);
      const y = groupedConv2d(x, f, { groups: c.groups, stride: c.stride, pad: c.pad, impl });
      expect(y.shape).toEqual(ref.shape);
      expect(maxAbsDiff(y.dataSync(), ref.data)).toBeLessThan(1e-5);
      tf.dispose([x, f, y]);
    });
  }

  it("gives the same input and filter gradients with every formulation", () => {
    const x = tf.tensor4d(randomArray(2 * 6 * 6 * 8, 3), [2, 6, 6, 8]);
    const f = tf.tensor4d(randomArray(3 * 3 * 2 * 8, 4), [3, 3, 2, 8]);
    const grads = GROUPED_CONV_IMPLS.map((impl) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.square(
            groupedConv2d(a as tf.Tensor4D, b as tf.Tensor4D, {
              groups: 4,
              stride: 2,
              pad: 1,
              impl,
            }),
          ),
        ),
      )([x, f]),
    );
    const [dx0, df0] = grads[0]!;
    for (const [dx, df] of grads.slice(1)) {
      expect(maxAbsDiff(dx!.dataSync(), dx0!.dataSync())).toBeLessThan(1e-4);
      expect(maxAbsDiff(df!.dataSync(), df0!.dataSync())).toBeLessThan(1e-4);
    }
    tf.dispose([x, f, ...grads.flat()]);
  });

  it.each(GROUPED_CONV_IMPLS)("leaks no tensors (%s)", (impl) => {
    const x = tf.ones([1, 4, 4, 4]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = groupedConv2d(x, f, { groups: 2, pad: 1, impl });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, f, y]);
  });

  it("depthwise runs a few images at a time past its chunk limit, with the same values", () => {
    const shape: [number, number, number, number] = [5, 7, 6, 8];
    const fshape: [number, number, number, number] = [3, 3, 2, 12];
    const xd = randomArray(
      shape.reduce((a, b) => a * b),
      3,
    );
    const fd = randomArray(
      fshape.reduce((a, b) => a * b),
      4,
    );
    const ref = reference(xd, shape, fd, fshape, 4, 2, 1);
    const x = tf.tensor4d(xd, shape);
    const f = tf.tensor4d(fd, fshape);
    // One output image is 4 * 3 * 8 * 3 = 288 depthwise floats: 600 gives chunks of 2, 2, 1.
    const previous = setDepthwiseChunkFloats(600);
    try {
      const before = tf.memory().numTensors;
      const profile = tf.tidy(() => {
        const y = groupedConv2d(x, f, { groups: 4, stride: 2, pad: 1, impl: "depthwise" });
        expect(y.shape).toEqual(ref.shape);
        expect(maxAbsDiff(y.dataSync(), ref.data)).toBeLessThan(1e-5);
        return y;
      });
      profile.dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      setDepthwiseChunkFloats(previous);
    }
    tf.dispose([x, f]);
  });

  it("batchSlicer makes the images asked for, as tf.slice would, with or without a tape", () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 5 * 2 * 3 * 4 }, (_, i) => i * 0.5 - 7),
      [5, 2, 3, 4],
    );
    const before = tf.memory().numTensors;
    const sliceOf = batchSlicer(x);
    for (const [begin, size] of [
      [1, 3],
      [0, 5],
      [4, 1],
    ] as const) {
      const got = sliceOf(begin, size);
      expect(got.shape).toEqual([size, 2, 3, 4]);
      expect(Array.from(got.dataSync())).toEqual(
        Array.from(tf.tidy(() => tf.slice(x, [begin, 0, 0, 0], [size, 2, 3, 4]).dataSync())),
      );
      got.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    // Under a recording tape the slices stay differentiable: d(sum of images 1..2)/dx is 1 there.
    const dx = tf.grad((t: tf.Tensor) => tf.sum(batchSlicer(t)(1, 2)))(x);
    const ones = Array.from(dx.dataSync());
    const per = 2 * 3 * 4;
    expect(ones.slice(0, per).every((v) => v === 0)).toBe(true);
    expect(ones.slice(per, 3 * per).every((v) => v === 1)).toBe(true);
    expect(ones.slice(3 * per).every((v) => v === 0)).toBe(true);
    tf.dispose([dx, x]);
  });

  it("rejects shapes that do not fit the groups, naming them", () => {
    const x = tf.ones([1, 4, 4, 6]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
    expect(() => groupedConv2d(x, f, { groups: 2 })).toThrow(InvalidInputError);
    expect(() => groupedConv2d(x, f, { groups: 2 })).toThrow(/filter.shape\[2\] \* groups = 4/);
    expect(() => groupedConv2d(x, f, { groups: 0 })).toThrow(InvalidOptionError);
    const g = tf.ones([3, 3, 3, 4]) as tf.Tensor4D;
    expect(() => groupedConv2d(x, g, { groups: 2, impl: "fft" as never })).toThrow(
      /Valid choices: split, depthwise, blockDiagonal, auto/,
    );
    tf.dispose([x, f, g]);
  });

  it("resolves auto per backend and batch size, falling back to split", () => {
    expect(fastestGroupedConvImpl("cpu")).toBe("depthwise");
    expect(fastestGroupedConvImpl("cpu", 16)).toBe("split");
    expect(fastestGroupedConvImpl("wasm", 16)).toBe("depthwise");
    expect(fastestGroupedConvImpl("webgpu")).toBe("split");
  });
});

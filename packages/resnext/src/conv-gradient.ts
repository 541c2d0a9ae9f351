import * as tf from "@tensorflow/tfjs-core";
import { groupedConv2d } from "./grouped-conv";

/**
 * How the model's convolutions are differentiated:
 * - `"im2col"`: this package's backward pass. The filter gradient is one matrix product of the
 *   input's patches (im2col) with the output gradient, and the input gradient is
 *   `conv2DBackpropInput` (1x1 convolutions: a matrix product). It needs only kernels that every
 *   backend has, so the wasm backend can train, and on cpu it replaces the backend's per-element
 *   `Conv2DBackpropFilter` (a resnext_tiny training step: 4.3 s -> 1.1 s). Input gradients that nothing needs are not computed.
 * - `"native"`: tfjs-core's registered gradients (`Conv2DBackpropFilter`/`Input`, and the
 *   depthwise ones for the `depthwise` grouped formulation), which the wasm backend lacks.
 *
 * Both compute the same gradients (to float32 rounding).
 */
export type ConvGradient = "native" | "im2col";

/**
 * The convolution-gradient methods, in the order {@link ConvGradient} lists them.
 *
 * @example
 * for (const convGradient of CONV_GRADIENTS) {
 *   const model = resnext_tiny({ convGradient }); // same gradients either way
 * }
 */
export const CONV_GRADIENTS: readonly ConvGradient[] = ["native", "im2col"];

/** Options of {@link conv2dIm2colGrad}. */
export interface Conv2dGradOptions {
  /** Stride in both spatial dimensions. Default 1. */
  stride?: number;
  /** Zero padding on every side, as PyTorch's `padding`. Default 0. */
  pad?: number;
  /** Groups (PyTorch's `groups`); must divide the input and output channels. Default 1. */
  groups?: number;
  /**
   * Computes the forward convolution; by default `tf.conv2d` (groups = 1). Grouped
   * convolutions pass their formulation (e.g. `groupedConv2d` with `impl`). It runs with the
   * gradient tape off, so its own gradients are never used.
   */
  forward?: (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D;
}

/**
 * A (grouped) 2-D convolution, NHWC with an HWIO filter (`[kh, kw, in / groups, out]`), whose
 * gradients are computed by im2col matrix products from kernels every backend has, instead of
 * tfjs' `Conv2DBackpropFilter` (missing on wasm, per-element and slow on cpu).
 *
 * The op is recorded as two tape nodes: one with only `x` as input (its gradient is the input
 * gradient) and one with the filter as input (the filter gradient). tfjs only differentiates
 * the nodes and inputs that lead from the requested variables to the loss, so the input gradient
 * of a convolution whose input depends on nothing trainable (the image, or a frozen stage's
 * output) is never computed. A filter that is a non-trainable `tf.Variable` (a frozen layer) is
 * treated as a constant: it gets no gradient, even when listed in `tf.variableGrads`.
 *
 * @param x - Input `[N, H, W, in]`.
 * @param filter - `[kh, kw, in / groups, out]`.
 * @param options - Stride, padding, groups and the forward formulation.
 * @returns Output `[N, H', W', out]`, the same values as `forward(x, filter)`.
 * @example
 * const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 16]);
 * const w = tf.variable(tf.randomNormal<tf.Rank.R4>([3, 3, 16, 32]));
 * const g = tf.variableGrads(() => tf.sum(conv2dIm2colGrad(x, w, { pad: 1 })), [w]);
 */
export function conv2dIm2colGrad(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: Conv2dGradOptions = {},
): tf.Tensor4D {
  const { stride = 1, pad = 0, groups = 1 } = options;
  const forward =
    options.forward ??
    ((a: tf.Tensor4D, w: tf.Tensor4D) =>
      groups === 1
        ? (tf.conv2d(a, w, stride, pad) as tf.Tensor4D)
        : groupedConv2d(a, w, { groups, stride, pad }));
  const xShape = x.shape;
  // Node 1: y = conv(x, filter) with x as the only input; the filter is a saved constant.
  const inputNode = tf.customGrad((xIn, save) => {
    const xi = xIn as tf.Tensor4D;
    (save as tf.GradSaveFunc)([filter]);
    return {
      value: forward(xi, filter),
      gradFunc: (dy, saved) =>
        inputGradient(dy as tf.Tensor4D, saved[0] as tf.Tensor4D, xShape, stride, pad, groups),
    };
  });
  // A frozen (non-trainable) variable is a constant here, as tfjs' variableGrads treats it.
  if (filter instanceof tf.Variable && !filter.trainable) return inputNode(x) as tf.Tensor4D;
  // Node 2: an identity on y that also takes the filter as input; its gradient passes dy on
  // to y and gives the filter its gradient from the saved input.
  const filterNode = tf.customGrad((yIn, _filter, save) => {
    (save as tf.GradSaveFunc)([x]);
    return {
      value: tf.clone(yIn as tf.Tensor4D),
      gradFunc: (dy, saved) => [
        dy,
        filterGradient(
          saved[0] as tf.Tensor4D,
          dy as tf.Tensor4D,
          filter.shape,
          stride,
          pad,
          groups,
        ),
      ],
    };
  });
  return tf.tidy(() => filterNode(inputNode(x), filter) as tf.Tensor4D);
}

/**
 * The patches of `x` that a `kh x kw` convolution with `stride` and `pad` multiplies, as a
 * matrix `[N * H' * W', kh * kw * in]` (column order: kernel row, kernel column, channel).
 */
function im2col(
  x: tf.Tensor4D,
  kh: number,
  kw: number,
  stride: number,
  pad: number,
  oh: number,
  ow: number,
): tf.Tensor2D {
  const [n, , , c] = x.shape;
  const rows = n * oh * ow;
  return tf.tidy(() => {
    const xp =
      pad > 0
        ? tf.pad(x, [
            [0, 0],
            [pad, pad],
            [pad, pad],
            [0, 0],
          ])
        : x;
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) taps.push(window(xp, i, j, stride, oh, ow));
    }
    const cols = taps.length === 1 ? taps[0]! : tf.concat(taps, 3);
    return tf.reshape(cols, [rows, kh * kw * c]);
  });
}

/** The `oh x ow` samples of `xp` at `(i + stride * r, j + stride * c)`. */
function window(
  xp: tf.Tensor4D,
  i: number,
  j: number,
  stride: number,
  oh: number,
  ow: number,
): tf.Tensor4D {
  const [n, h, w, c] = xp.shape;
  if (stride === 1) {
    if (i === 0 && j === 0 && oh === h && ow === w) return xp;
    return tf.slice(xp, [0, i, j, 0], [n, oh, ow, c]);
  }
  return tf.stridedSlice(
    xp,
    [0, i, j, 0],
    [n, i + (oh - 1) * stride + 1, j + (ow - 1) * stride + 1, c],
    [1, stride, stride, 1],
  ) as tf.Tensor4D;
}

function filterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  stride: number,
  pad: number,
  groups: number,
): tf.Tensor4D {
  const [kh, kw, inPerGroup, out] = filterShape;
  const [n, oh, ow] = dy.shape;
  const rows = n * oh * ow;
  return tf.tidy(() => {
    const cols = im2col(x, kh, kw, stride, pad, oh, ow);
    const dy2 = tf.reshape(dy, [rows, out]);
    if (groups === 1) {
      return tf.reshape(tf.matMul(cols, dy2, true, false), filterShape) as tf.Tensor4D;
    }
    // One batched product over groups: columns [rows, taps, groups, inPerGroup] and
    // dy [rows, groups, outPerGroup] are brought group-first.
    const outPerGroup = out / groups;
    const taps = kh * kw;
    const colsG = tf.reshape(
      tf.transpose(tf.reshape(cols, [rows, taps, groups, inPerGroup]), [2, 0, 1, 3]),
      [groups, rows, taps * inPerGroup],
    );
    const dyG = tf.transpose(tf.reshape(dy2, [rows, groups, outPerGroup]), [1, 0, 2]);
    const dw = tf.matMul(colsG, dyG, true, false); // [groups, taps * inPerGroup, outPerGroup]
    return tf.reshape(
      tf.transpose(tf.reshape(dw, [groups, kh, kw, inPerGroup, outPerGroup]), [1, 2, 3, 0, 4]),
      filterShape,
    ) as tf.Tensor4D;
  });
}

function inputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  xShape: [number, number, number, number],
  stride: number,
  pad: number,
  groups: number,
): tf.Tensor4D {
  const [kh, kw, inPerGroup, out] = filter.shape;
  return tf.tidy(() => {
    if (groups === 1 && kh === 1 && kw === 1 && pad === 0) {
      // A pointwise convolution is a matrix product; with a stride the product lands on
      // every stride-th pixel and the rest of dx is zero.
      const [n, oh, ow] = dy.shape;
      const prod = tf.matMul(
        tf.reshape(dy, [n * oh * ow, out]),
        tf.reshape(filter, [inPerGroup, out]),
        false,
        true,
      );
      const dxs = tf.reshape(prod, [n, oh, ow, inPerGroup]) as tf.Tensor4D;
      if (stride === 1) return dxs;
      return scatterStrided(dxs, xShape, stride);
    }
    if (groups === 1) return tf.conv2dTranspose(dy, filter, xShape, stride, pad) as tf.Tensor4D;
    const dys = tf.split(dy, groups, 3) as tf.Tensor4D[];
    const fs = tf.split(filter, groups, 3) as tf.Tensor4D[];
    const groupShape: [number, number, number, number] = [
      xShape[0],
      xShape[1],
      xShape[2],
      inPerGroup,
    ];
    return tf.concat(
      dys.map((d, g) => tf.conv2dTranspose(d, fs[g]!, groupShape, stride, pad) as tf.Tensor4D),
      3,
    );
  });
}

/** Places `v` `[N, oh, ow, C]` at every `stride`-th pixel of a zero tensor of `shape`. */
function scatterStrided(
  v: tf.Tensor4D,
  shape: [number, number, number, number],
  stride: number,
): tf.Tensor4D {
  const [n, oh, ow, c] = v.shape;
  const [, h, w] = shape;
  // Interleave zeros: [N, oh, 1, ow, 1, C] padded to [N, oh, s, ow, s, C] is the dilated map.
  const spread = tf.reshape(
    tf.pad(tf.reshape(v, [n, oh, 1, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, stride - 1],
      [0, 0],
      [0, stride - 1],
      [0, 0],
    ]),
    [n, oh * stride, ow * stride, c],
  ) as tf.Tensor4D;
  const dh = h - oh * stride;
  const dw = w - ow * stride;
  if (dh >= 0 && dw >= 0) {
    return tf.pad(spread, [
      [0, 0],
      [0, dh],
      [0, dw],
      [0, 0],
    ]);
  }
  const cropped = tf.slice(
    spread,
    [0, 0, 0, 0],
    [n, Math.min(h, oh * stride), Math.min(w, ow * stride), c],
  );
  return tf.pad(cropped, [
    [0, 0],
    [0, Math.max(0, dh)],
    [0, Math.max(0, dw)],
    [0, 0],
  ]);
}

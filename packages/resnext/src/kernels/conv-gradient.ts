import * as tf from "@tensorflow/tfjs-core";
import { inputGradient } from "./conv-input-gradient";
import {
  batchSlicer,
  depthwiseChunkFloats,
  type GroupedConvImpl,
  groupedConv2d,
} from "./grouped-conv";
import { saveShared, shareData } from "./share-saved-tensors";

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
  /**
   * The grouped formulation of the stride-1 grouped input gradient (itself a grouped
   * convolution). Default `"auto"`.
   */
  impl?: GroupedConvImpl | "auto";
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
  const { stride = 1, pad = 0, groups = 1, impl = "auto" } = options;
  const forward =
    options.forward ??
    ((a: tf.Tensor4D, w: tf.Tensor4D) =>
      groups === 1
        ? (tf.conv2d(a, w, stride, pad) as tf.Tensor4D)
        : groupedConv2d(a, w, { groups, stride, pad }));
  const xShape = x.shape;
  // A frozen (non-trainable) variable is a constant here, as tfjs' variableGrads treats it.
  const frozen = filter instanceof tf.Variable && !filter.trainable;
  // A trainable filter gets new values at every optimizer step, so the backend's cache of
  // prepared filters (wasm: XNNPACK's packed copy, one per filter, freed only with the filter's
  // data) would keep a copy of it from this forward pass until the next update, between the
  // step's activations. Convolving a transient copy lets that cache entry go at once; a
  // frozen filter keeps its entry, which every later step reuses.
  const forwardOnce = (xi: tf.Tensor4D): tf.Tensor4D => {
    if (frozen) return forward(xi, filter);
    const transient = tf.clone(filter);
    const y = forward(xi, transient);
    transient.dispose();
    return y;
  };
  // Node 1: y = conv(x, filter) with x as the only input; the filter is a saved constant.
  const inputNode = tf.customGrad((xIn, save) => {
    const xi = xIn as tf.Tensor4D;
    saveShared(save as tf.GradSaveFunc, [filter]);
    return {
      value: forwardOnce(xi),
      gradFunc: (dy, saved) => {
        const dx = inputGradient(dy as tf.Tensor4D, saved[0] as tf.Tensor4D, xShape, {
          stride,
          pad,
          groups,
          impl,
        });
        // tfjs would keep these until the whole backward pass ends. With node 2 in front, dy
        // is node 2's clone, read only here; without it, it may be the caller's own.
        for (const t of saved) t.dispose();
        if (!frozen) dy.dispose();
        return dx;
      },
    };
  });
  if (frozen) return inputNode(x) as tf.Tensor4D;
  // Node 2: an identity on y that also takes the filter as input; its gradient passes dy on
  // to y and gives the filter its gradient from the saved input.
  const filterNode = tf.customGrad((yIn, _filter, save) => {
    saveShared(save as tf.GradSaveFunc, [x]);
    return {
      // A new tensor on the same data (tf.clone copies on wasm).
      value: shareData(yIn as tf.Tensor4D),
      gradFunc: (dy, saved) => {
        const dw = filterGradient(
          saved[0] as tf.Tensor4D,
          dy as tf.Tensor4D,
          filter.shape,
          stride,
          pad,
          groups,
        );
        for (const t of saved) t.dispose();
        // A second handle on the same data: node 1 frees what it gets, and this dy may be the
        // caller's.
        return [shareData(dy), dw];
      },
    };
  });
  return tf.tidy(() => filterNode(inputNode(x), filter) as tf.Tensor4D);
}

/**
 * The patches of `x` that a `kh x kw` convolution with `stride` and `pad` multiplies, as
 * `[N, H', W', in * kh * kw]` with channel order (input channel, kernel row, kernel column).
 *
 * One depthwise convolution with one-hot filters copies every tap (x * 1 plus zeros is exact):
 * it pads and strides by itself, and on wasm it took 176 ms where 9 slices and a concat took
 * 316 ms (1470 ms with a stride, wasm's strided slice being slow) for resnext50's layer3.
 */
function patches(x: tf.Tensor4D, kh: number, kw: number, stride: number, pad: number): tf.Tensor4D {
  const c = x.shape[3];
  const taps = kh * kw;
  if (taps === 1 && stride === 1 && pad === 0) return x;
  return tf.tidy(() => {
    const oneHot = tf.tile(tf.reshape(tf.eye(taps), [kh, kw, 1, taps]), [1, 1, c, 1]);
    return tf.depthwiseConv2d(x, oneHot as tf.Tensor4D, stride, pad);
  });
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
  const taps = kh * kw;
  return tf.tidy(() => {
    let dw: tf.Tensor; // [groups, inPerGroup * taps, outPerGroup]
    if (groups === 1) {
      const rows = n * oh * ow;
      // Columns ordered (input channel, tap).
      const cols = tf.reshape(patches(x, kh, kw, stride, pad), [rows, inPerGroup * taps]);
      const dy2 = tf.reshape(dy, [rows, out]);
      // colsᵀ · dy without matMul's transpose flags, which send wasm to a kernel ~30x slower
      // than an explicit transpose plus a plain product. The smaller operand is transposed.
      dw =
        inPerGroup * taps <= out
          ? tf.matMul(tf.transpose(cols), dy2)
          : tf.transpose(tf.matMul(tf.transpose(dy2), cols));
    } else {
      // The patches and their group-first copy are the largest tensors of the backward pass
      // (47 MB each for resnext50_32x4d's layer3 at batch 16): past the chunk limit they are
      // made a few images at a time and the partial products summed.
      const perImage = oh * ow * groups * inPerGroup * taps;
      const chunk = Math.max(1, Math.floor(depthwiseChunkFloats() / perImage));
      if (chunk >= n) {
        dw = groupedFilterProduct(x, dy, kh, kw, stride, pad, groups);
      } else {
        let sum: tf.Tensor | undefined;
        const xOf = batchSlicer(x);
        const dyOf = batchSlicer(dy);
        for (let i = 0; i < n; i += chunk) {
          const m = Math.min(chunk, n - i);
          const part = tf.tidy(() =>
            groupedFilterProduct(xOf(i, m), dyOf(i, m), kh, kw, stride, pad, groups),
          );
          if (sum === undefined) {
            sum = part;
          } else {
            const next = tf.add(sum, part);
            tf.dispose([sum, part]);
            sum = next;
          }
        }
        dw = sum as tf.Tensor;
      }
    }
    return tf.reshape(
      tf.transpose(tf.reshape(dw, [groups, inPerGroup, kh, kw, out / groups]), [2, 3, 1, 0, 4]),
      filterShape,
    ) as tf.Tensor4D;
  });
}

/**
 * The grouped filter gradient as one batched product over groups, `[groups, inPerGroup * taps,
 * outPerGroup]`: each group's patch columns (ordered input channel, tap) and `dy` brought
 * group-first.
 */
function groupedFilterProduct(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kh: number,
  kw: number,
  stride: number,
  pad: number,
  groups: number,
): tf.Tensor {
  const [n, oh, ow, out] = dy.shape;
  const rows = n * oh * ow;
  const columns = (x.shape[3] / groups) * kh * kw;
  return tf.tidy(() => {
    const taken = patches(x, kh, kw, stride, pad);
    const byRow = tf.reshape(taken, [rows, groups, columns]);
    const colsG = tf.transpose(byRow, [1, 0, 2]);
    // The patches are freed before the product: only their group-first copy is needed.
    byRow.dispose();
    if (taken !== x) taken.dispose();
    const dyG = tf.transpose(tf.reshape(dy, [rows, groups, out / groups]), [1, 0, 2]);
    return tf.matMul(colsG, dyG, true, false);
  });
}

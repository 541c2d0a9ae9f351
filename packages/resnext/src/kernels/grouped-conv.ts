import * as tf from "@tensorflow/tfjs-core";
import { InvalidInputError, InvalidOptionError } from "../model-errors";
import { isTapeRecording } from "../tfjs-internals";
import { readsBackCheaply } from "./backend-capabilities";

/**
 * How a grouped convolution is computed from tfjs-core ops (tfjs has no grouped conv2d):
 * - `"split"`: split input and filter into `groups` slices, one `conv2d` each, concat.
 * - `"depthwise"`: one `depthwiseConv2d` with channel multiplier `outPerGroup`, then sum the
 *   `inPerGroup` partial products of each output channel (reshape + sum).
 * - `"blockDiagonal"`: expand the filter to a dense block-diagonal `[kh, kw, in, out]` filter
 *   (tile + mask) and run one ordinary `conv2d` (`groups` times the arithmetic).
 *
 * All three are exact reformulations; every op they use has a gradient in tfjs-core.
 */
export type GroupedConvImpl = "split" | "depthwise" | "blockDiagonal";

/**
 * The grouped-convolution formulations, in the order {@link GroupedConvImpl} lists them.
 *
 * @example
 * for (const impl of GROUPED_CONV_IMPLS) {
 *   const model = resnext_tiny({ groupedConvImpl: impl }); // all give the same outputs
 * }
 */
export const GROUPED_CONV_IMPLS: readonly GroupedConvImpl[] = [
  "split",
  "depthwise",
  "blockDiagonal",
];

/**
 * The formulation `"auto"` resolves to, from measurements on resnext50_32x4d's grouped layers
 * at 218x178 (package README, `pnpm bench:grouped-conv`): `depthwise` on wasm at every batch
 * size and on cpu for small batches; `split` on cpu from batch 8 (its 32 small convs stop being
 * overhead-bound); `split` on other backends (tfjs-node, webgl, webgpu), since it needs only
 * `conv2d`, which those run natively.
 *
 * @param backend - A tfjs backend name, e.g. `tf.getBackend()`.
 * @param batch - The batch size of the input. Default 1.
 * @returns The fastest measured {@link GroupedConvImpl} for that backend and batch size.
 * @example
 * import * as tf from "@tensorflow/tfjs-core";
 * const impl = fastestGroupedConvImpl(tf.getBackend(), 16);
 * console.log(impl); // "depthwise" on wasm
 */
export function fastestGroupedConvImpl(backend: string, batch = 1): GroupedConvImpl {
  if (backend === "wasm") return "depthwise";
  if (backend === "cpu") return batch >= 8 ? "split" : "depthwise";
  return "split";
}

/**
 * The largest depthwise intermediate (in floats) that the `depthwise` formulation makes at once:
 * 4M floats, 16 MB; larger ones are made a few images at a time. resnext50_32x4d's grouped
 * convolutions make 20M-22M (80-84 MB) each at batch 16 and 218x178, its layer3 input gradient
 * 84M. A block that size needs fresh memory above the activations a training step keeps (the
 * wasm heap never shrinks), where 16 MB pieces fit into the gaps between them: with 32M floats
 * the heap of a resnext50_32x4d step peaked about 160 MB higher, but the step took 20-30 % less
 * CPU time (chunked depthwise convolutions are slower on wasm). The im2col filter gradient of
 * grouped convolutions chunks its patches by the same limit (that costs no measurable time).
 */
let DEPTHWISE_CHUNK_FLOATS = 4 * 2 ** 20;

/** The current chunk limit in floats (see {@link setDepthwiseChunkFloats}). Not part of the API. */
export function depthwiseChunkFloats(): number {
  return DEPTHWISE_CHUNK_FLOATS;
}

/**
 * Sets the `depthwise` formulation's chunk limit in floats and returns the previous one; for
 * tests, which check the chunked path on small tensors. Not part of the package's API.
 */
export function setDepthwiseChunkFloats(floats: number): number {
  const previous = DEPTHWISE_CHUNK_FLOATS;
  DEPTHWISE_CHUNK_FLOATS = floats;
  return previous;
}

/**
 * The chunk limit while a training step runs its frozen leading layers off the gradient tape:
 * 32M floats, 128 MB. They run first, when only the weights, optimizer state and the batch are
 * live, so their transients reuse heap that the step's activations fill later and do not raise
 * its peak; chunking them only cost time (about 1.2 s of a resnext50_32x4d step at batch 16).
 */
export const FROZEN_PREFIX_CHUNK_FLOATS = 32 * 2 ** 20;

/**
 * Runs `fn` with the `depthwise` formulation's chunk limit set to `floats`, then restores it.
 * Not part of the API.
 *
 * @param floats - The limit while `fn` runs.
 * @param fn - The work.
 * @returns What `fn` returns.
 */
export function withDepthwiseChunkFloats<T>(floats: number, fn: () => T): T {
  const previous = setDepthwiseChunkFloats(floats);
  try {
    return fn();
  } finally {
    setDepthwiseChunkFloats(previous);
  }
}

/**
 * Returns `slice(begin, size)`, making images `begin .. begin + size - 1` of the batch `x` as a
 * new tensor. Chunked loops use it instead of `tf.slice`: the wasm backend's `Slice` copies its
 * whole input out of the heap on every call (k chunks read the tensor k times) and its `Gather`
 * is slower still (1.8 s of a resnext50_32x4d step at batch 16), so `x` is read out once here and
 * each chunk is uploaded from that copy when asked for. While a gradient tape is recording (an
 * op differentiated by tfjs itself), and on GPU backends, it uses `tf.slice`, which the tape can
 * follow and which keeps the data on the device.
 * Not part of the API.
 *
 * @param x - `[N, ...]`.
 * @returns The slicer; each result is a new tensor the caller disposes.
 */
export function batchSlicer<T extends tf.Tensor>(x: T): (begin: number, size: number) => T {
  const rest = x.shape.slice(1);
  // On a GPU backend a slice stays on the device, where reading the batch back would stall it.
  if (isTapeRecording() || !readsBackCheaply(tf.getBackend())) {
    return (begin, size) => tf.slice(x, [begin, ...rest.map(() => 0)], [size, ...rest]) as T;
  }
  const values = x.dataSync();
  const perImage = rest.reduce((a, b) => a * b, 1);
  return (begin, size) =>
    tf.tensor(
      values.subarray(begin * perImage, (begin + size) * perImage),
      [size, ...rest],
      x.dtype,
    ) as T;
}

/**
 * The `depthwise` formulation's last step: each output channel of a group is the sum of the
 * group's `inPerGroup` partial products, which the depthwise output holds side by side
 * (`[N, H, W, groups * inPerGroup * outPerGroup]`). The sum runs as an average pool over them
 * times `inPerGroup`: backends reduce a middle axis by transposing first, and on wasm
 * `tf.sum` was 1.5-3.5x slower (resnext50_32x4d's shapes). Not part of the package's API.
 *
 * @param y - The depthwise output.
 * @param groups - Groups of the grouped convolution.
 * @param inPerGroup - Input channels per group.
 * @returns `[N, H, W, groups * outPerGroup]`.
 */
export function sumPartialProducts(
  y: tf.Tensor4D,
  groups: number,
  inPerGroup: number,
): tf.Tensor4D {
  const [n, h, w, c] = y.shape;
  const outPerGroup = c / (groups * inPerGroup);
  return tf.tidy(() => {
    const partial = tf.reshape(y, [n * h * w * groups, 1, inPerGroup, outPerGroup]) as tf.Tensor4D;
    const mean = tf.avgPool(partial, [1, inPerGroup], 1, "valid");
    return tf.reshape(tf.mul(mean, inPerGroup), [n, h, w, groups * outPerGroup]) as tf.Tensor4D;
  });
}

/** Options of {@link groupedConv2d}. */
export interface GroupedConv2dOptions {
  /** Number of groups; must divide the input channels and the filter's output channels. */
  groups: number;
  /** Stride in both spatial dimensions. Default 1. */
  stride?: number;
  /** Zero padding on every side, as PyTorch's `padding`. Default 0. */
  pad?: number;
  /** Formulation, or `"auto"` for the fastest on the current backend. Default `"auto"`. */
  impl?: GroupedConvImpl | "auto";
}

/**
 * A grouped 2-D convolution, PyTorch's `Conv2d(groups=g)` in NHWC: input channel group `g`
 * (channels `g*inPerGroup .. (g+1)*inPerGroup-1`) produces output channel group `g`.
 *
 * @param x - Input `[N, H, W, in]`.
 * @param filter - `[kh, kw, in / groups, out]`: tfjs's HWIO layout with PyTorch's grouped `I`.
 * @param options - Groups, stride, padding and formulation.
 * @returns Output `[N, H', W', out]` with PyTorch's output size.
 * @throws {InvalidInputError} when the shapes do not fit the group count.
 * @throws {InvalidOptionError} when `impl` is not a known formulation.
 * @example
 * const x = tf.randomNormal<tf.Rank.R4>([1, 8, 8, 16]);
 * const w = tf.randomNormal<tf.Rank.R4>([3, 3, 4, 32]);
 * const y = groupedConv2d(x, w, { groups: 4, pad: 1 }); // [1, 8, 8, 32]
 */
export function groupedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  options: GroupedConv2dOptions,
): tf.Tensor4D {
  const { groups, stride = 1, pad = 0, impl = "auto" } = options;
  const [kh, kw, inPerGroup, out] = filter.shape;
  const inChannels = x.shape[3];
  if (!Number.isInteger(groups) || groups < 1) {
    throw new InvalidOptionError({
      option: "groups",
      value: groups,
      hint: "Pass a positive integer.",
    });
  }
  if (inPerGroup * groups !== inChannels || out % groups !== 0) {
    throw new InvalidInputError({
      shape: x.shape,
      message:
        `groupedConv2d: input has ${inChannels} channels and the filter is [${filter.shape.join(", ")}] ` +
        `with groups=${groups}; the input needs filter.shape[2] * groups = ${inPerGroup * groups} ` +
        `channels and filter.shape[3] (${out}) must be divisible by groups.`,
    });
  }
  const chosen = impl === "auto" ? fastestGroupedConvImpl(tf.getBackend(), x.shape[0]) : impl;
  if (groups === 1) return tf.conv2d(x, filter, stride, pad) as tf.Tensor4D;
  return tf.tidy(() => {
    switch (chosen) {
      case "split": {
        const xs = tf.split(x, groups, 3);
        const fs = tf.split(filter, groups, 3);
        return tf.concat(
          xs.map(
            (xi, g) =>
              tf.conv2d(xi as tf.Tensor4D, fs[g] as tf.Tensor4D, stride, pad) as tf.Tensor4D,
          ),
          3,
        );
      }
      case "depthwise": {
        const outPerGroup = out / groups;
        // depthwiseConv2d's filter [kh, kw, in, mult]: entry (c = g*inPerGroup + i, m) is
        // the grouped weight (i, g*outPerGroup + m); its output channel is c*mult + m.
        const dw = tf.reshape(
          tf.transpose(
            tf.reshape(filter, [kh, kw, inPerGroup, groups, outPerGroup]),
            [0, 1, 3, 2, 4],
          ),
          [kh, kw, inChannels, outPerGroup],
        ) as tf.Tensor4D;
        const run = (xs: tf.Tensor4D) =>
          tf.tidy(() => {
            const y = tf.depthwiseConv2d(xs, dw, stride, pad);
            return sumPartialProducts(y, groups, inPerGroup);
          });
        // The depthwise product is inPerGroup times the output; past DEPTHWISE_CHUNK_FLOATS it
        // runs a few images at a time (slices and a concat along the batch are plain copies).
        const [n, h, w] = x.shape;
        const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
        const ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
        const perImage = oh * ow * inChannels * outPerGroup;
        const chunk = Math.max(1, Math.floor(DEPTHWISE_CHUNK_FLOATS / perImage));
        if (chunk >= n) return run(x);
        const parts: tf.Tensor4D[] = [];
        const sliceOf = batchSlicer(x);
        for (let i = 0; i < n; i += chunk) {
          const slice = sliceOf(i, Math.min(chunk, n - i));
          parts.push(run(slice));
          slice.dispose();
        }
        const joined = tf.concat(parts, 0);
        tf.dispose(parts);
        return joined;
      }
      case "blockDiagonal": {
        const outPerGroup = out / groups;
        const inGroup = tf.floorDiv(tf.range(0, inChannels, 1, "int32"), inPerGroup);
        const outGroup = tf.floorDiv(tf.range(0, out, 1, "int32"), outPerGroup);
        const mask = tf.equal(tf.reshape(inGroup, [inChannels, 1]), tf.reshape(outGroup, [1, out]));
        const dense = tf.mul(tf.tile(filter, [1, 1, groups, 1]), tf.cast(mask, "float32"));
        return tf.conv2d(x, dense as tf.Tensor4D, stride, pad);
      }
      default:
        throw new InvalidOptionError({
          option: "groupedConvImpl",
          value: chosen,
          hint: "Pick one of the formulations or 'auto'.",
          validChoices: [...GROUPED_CONV_IMPLS, "auto"],
        });
    }
  });
}

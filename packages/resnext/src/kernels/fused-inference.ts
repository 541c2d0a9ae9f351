import * as tf from "@tensorflow/tfjs-core";
import { InvalidOptionError } from "../model-errors";
import {
  fastestGroupedConvImpl,
  GROUPED_CONV_IMPLS,
  type GroupedConvImpl,
  sumPartialProducts,
} from "./grouped-conv";

/** A convolution of the model: HWIO filter with PyTorch's grouped `I`. */
export interface FoldableConv {
  weight: tf.Variable<tf.Rank.R4>;
  stride: number;
  pad: number;
  groups: number;
}

/** The eval-mode parameters of the BatchNorm that follows a convolution. */
export interface FoldableBatchNorm {
  weight: tf.Variable<tf.Rank.R1>;
  bias: tf.Variable<tf.Rank.R1>;
  runningMean: tf.Variable<tf.Rank.R1>;
  runningVar: tf.Variable<tf.Rank.R1>;
}

/**
 * An eval-mode BatchNorm folded into the convolution before it: `filter = W * gamma /
 * sqrt(var + eps)` (scaled along the output channels of `layout`) and `bias = beta - mean *
 * gamma / sqrt(var + eps)`. The same folding serves the fused tfjs path (HWIO) and the ONNX
 * export (OIHW). The caller owns the returned tensors.
 */
export function foldBatchNorm(
  weight: tf.Tensor4D,
  bn: { [K in keyof FoldableBatchNorm]: tf.Tensor1D },
  eps: number,
  layout: "HWIO" | "OIHW",
): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const scale = tf.mul(bn.weight, tf.rsqrt(tf.add(bn.runningVar, eps))) as tf.Tensor1D;
    const perOutput = layout === "HWIO" ? scale : tf.reshape(scale, [-1, 1, 1, 1]);
    return {
      filter: tf.mul(weight, perOutput) as tf.Tensor4D,
      bias: tf.sub(bn.bias, tf.mul(bn.runningMean, scale)) as tf.Tensor1D,
    };
  });
}

interface FoldedEntry {
  /** The source variables' data ids when this entry was folded (see `isFresh`). */
  sources: object[];
  /** Per formulation: the tensors that formulation runs with. */
  byImpl: Map<GroupedConvImpl, tf.Tensor[]>;
  /** `W * gamma / sqrt(var + eps)`, HWIO. */
  filter: tf.Tensor4D;
  /** `beta - mean * gamma / sqrt(var + eps)`. */
  bias: tf.Tensor1D;
}

/**
 * Eval-mode conv + BatchNorm (+ ReLU) as one fused convolution with folded weights, cached per
 * convolution. A cached entry remembers the data ids of the five variables it was folded from;
 * `tf.Variable.assign` (optimizers, `loadStateDict`, BN running-statistic updates) gives a
 * variable a new data id, so any write makes the entry stale and it is re-folded on next use.
 */
export class FoldedConvCache {
  private readonly entries = new Map<FoldableConv, FoldedEntry>();

  constructor(private readonly eps: number) {}

  /** Number of cached convolutions (for tests and tooling). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * `relu?(batchNorm(conv(x)))` in eval mode, as fused convolutions with folded weights.
   *
   * @param impl - The grouped formulation (ignored for `groups = 1`); `"auto"` resolves per
   * backend and batch size like `groupedConv2d`.
   */
  apply(
    x: tf.Tensor4D,
    conv: FoldableConv,
    bn: FoldableBatchNorm,
    relu: boolean,
    impl: GroupedConvImpl | "auto",
  ): tf.Tensor4D {
    const { stride, pad, groups } = conv;
    const activation = relu ? "relu" : "linear";
    const entry = this.entry(conv, bn);
    if (groups === 1) {
      return tf.fused.conv2d({
        x,
        filter: entry.filter,
        strides: stride,
        pad,
        bias: entry.bias,
        activation,
      }) as tf.Tensor4D;
    }
    const chosen = impl === "auto" ? fastestGroupedConvImpl(tf.getBackend(), x.shape[0]) : impl;
    if (!GROUPED_CONV_IMPLS.includes(chosen)) {
      throw new InvalidOptionError({
        option: "groupedConvImpl",
        value: chosen,
        hint: "Pick one of the formulations or 'auto'.",
        validChoices: [...GROUPED_CONV_IMPLS, "auto"],
      });
    }
    const prepared = this.prepared(entry, chosen, groups);
    return tf.tidy(() => {
      switch (chosen) {
        case "depthwise": {
          const inPerGroup = entry.filter.shape[2];
          const y = tf.fused.depthwiseConv2d({
            x,
            filter: prepared[0] as tf.Tensor4D,
            strides: stride,
            pad,
            bias: prepared[1],
          });
          const summed = sumPartialProducts(y, groups, inPerGroup);
          return relu ? tf.relu(summed) : summed;
        }
        case "split": {
          const xs = tf.split(x, groups, 3);
          return tf.concat(
            xs.map((xi, g) =>
              tf.fused.conv2d({
                x: xi as tf.Tensor4D,
                filter: prepared[2 * g] as tf.Tensor4D,
                strides: stride,
                pad,
                bias: prepared[2 * g + 1],
                activation,
              }),
            ),
            3,
          );
        }
        default:
          return tf.fused.conv2d({
            x,
            filter: prepared[0] as tf.Tensor4D,
            strides: stride,
            pad,
            bias: entry.bias,
            activation,
          });
      }
    });
  }

  /** Disposes every cached tensor; the next `apply` folds again. */
  clear(): void {
    for (const e of this.entries.values()) disposeEntry(e);
    this.entries.clear();
  }

  private entry(conv: FoldableConv, bn: FoldableBatchNorm): FoldedEntry {
    const vars = [conv.weight, bn.weight, bn.bias, bn.runningMean, bn.runningVar];
    const old = this.entries.get(conv);
    if (old !== undefined && vars.every((v, i) => v.dataId === old.sources[i])) return old;
    if (old !== undefined) disposeEntry(old);
    // tf.keep: apply may run inside a caller's tidy, which must not dispose the cache.
    const [filter, bias] = tf.tidy(() => {
      const folded = foldBatchNorm(conv.weight, bn, this.eps, "HWIO");
      return [tf.keep(folded.filter), tf.keep(folded.bias)];
    });
    const entry: FoldedEntry = {
      sources: vars.map((v) => v.dataId as object),
      byImpl: new Map(),
      filter: filter as tf.Tensor4D,
      bias: bias as tf.Tensor1D,
    };
    this.entries.set(conv, entry);
    return entry;
  }

  /** The formulation's filters/biases, built once per folded entry. */
  private prepared(entry: FoldedEntry, impl: GroupedConvImpl, groups: number): tf.Tensor[] {
    const cached = entry.byImpl.get(impl);
    if (cached !== undefined) return cached;
    const { filter, bias } = entry;
    const [kh, kw, inPerGroup, out] = filter.shape;
    const inChannels = inPerGroup * groups;
    const outPerGroup = out / groups;
    const tensors = tf.tidy(() => {
      switch (impl) {
        case "depthwise": {
          // Same rearrangement as groupedConv2d's depthwise formulation: output channel
          // c * outPerGroup + m of the depthwise conv, c = g * inPerGroup + i, is the partial
          // product of input channel c with grouped weight (i, g * outPerGroup + m).
          const dw = tf.reshape(
            tf.transpose(
              tf.reshape(filter, [kh, kw, inPerGroup, groups, outPerGroup]),
              [0, 1, 3, 2, 4],
            ),
            [kh, kw, inChannels, outPerGroup],
          );
          // The bias goes on the i = 0 partial only, so the partial sum adds it exactly once.
          // A fresh tensor, not a reshape: the wasm kernel checks the rank of the data a
          // reshape shares with its (rank-3) source.
          const padded = tf.reshape(
            tf.pad(tf.reshape(bias, [groups, 1, outPerGroup]), [
              [0, 0],
              [0, inPerGroup - 1],
              [0, 0],
            ]),
            [inChannels * outPerGroup],
          );
          return [dw, tf.tensor1d(padded.dataSync() as Float32Array)];
        }
        case "split": {
          const fs = tf.split(filter, groups, 3);
          const bs = tf.split(bias, groups, 0);
          return fs.flatMap((f, g) => [f, bs[g]!]);
        }
        default: {
          const inGroup = tf.floorDiv(tf.range(0, inChannels, 1, "int32"), inPerGroup);
          const outGroup = tf.floorDiv(tf.range(0, out, 1, "int32"), outPerGroup);
          const mask = tf.equal(
            tf.reshape(inGroup, [inChannels, 1]),
            tf.reshape(outGroup, [1, out]),
          );
          return [tf.mul(tf.tile(filter, [1, 1, groups, 1]), tf.cast(mask, "float32"))];
        }
      }
    });
    for (const t of tensors) tf.keep(t);
    entry.byImpl.set(impl, tensors);
    return tensors;
  }
}

function disposeEntry(e: FoldedEntry): void {
  e.filter.dispose();
  e.bias.dispose();
  for (const ts of e.byImpl.values()) for (const t of ts) t.dispose();
}

// The execution modes of a forward pass, as strategies for `blockForward` (./block): batch
// statistics or running statistics with tensors tfjs can differentiate, BatchNorm folded into
// the convolutions for inference, and gradient checkpointing around a whole block.
import * as tf from "@tensorflow/tfjs-core";
import { addRelu, batchNormTraining, releaseBackwardInputs } from "../kernels/batch-norm-training";
import { type ConvGradient, conv2dIm2colGrad } from "../kernels/conv-gradient";
import type { FoldedConvCache } from "../kernels/fused-inference";
import { type GroupedConvImpl, groupedConv2d } from "../kernels/grouped-conv";
import { saveShared } from "../kernels/share-saved-tensors";
import { InvalidInputError } from "../model-errors";
import { keepingOuterTape } from "../tfjs-internals";
import type { Block, BlockOps } from "./block";
import { type BatchNorm, BN_EPS, type Conv, type ConvBn } from "./conv-bn";

const BN_MOMENTUM = 0.1;

/** What the differentiable forward pass reads from the model. Internal. */
export interface UnfusedSettings {
  arch: string;
  groupedConvImpl: GroupedConvImpl | "auto";
  convGradient: ConvGradient;
  freezeBatchNormStats: boolean;
  /** True while a checkpointed block re-runs its forward pass: BN statistics stay as they are. */
  isReplaying(): boolean;
}

/**
 * Ops tfjs can differentiate: `training` normalises with batch statistics and updates the BN
 * running statistics (PyTorch's `model.train()`), otherwise with the running statistics.
 * Internal.
 */
export function unfusedOps(
  settings: UnfusedSettings,
  training: boolean,
): BlockOps<tf.Tensor4D, ConvBn> {
  return {
    convBn: (x, layer, relu) => {
      const convolved = conv(settings, x, layer.conv);
      const y = batchNorm(settings, convolved, layer.bn, training, relu);
      convolved.dispose();
      return y;
    },
    addRelu: (out, identity) => addRelu(out, identity),
    release: (x) => x.dispose(),
  };
}

/**
 * Eval-mode ops with every BatchNorm folded into the convolution before it, from `cache`.
 * Internal.
 */
export function foldedOps(
  cache: FoldedConvCache,
  impl: GroupedConvImpl | "auto",
): BlockOps<tf.Tensor4D, ConvBn> {
  return {
    convBn: (x, layer, relu) => cache.apply(x, layer.conv, layer.bn, relu, impl),
    addRelu: (out, identity) => tf.relu(tf.add(out, identity)) as tf.Tensor4D,
    release: (x) => x.dispose(),
  };
}

function conv(settings: UnfusedSettings, x: tf.Tensor4D, c: Conv): tf.Tensor4D {
  const { stride, pad, groups } = c;
  const impl = settings.groupedConvImpl;
  if (settings.convGradient === "im2col") {
    // The forward formulation is never differentiated here, so any of them trains.
    const forward =
      groups === 1
        ? undefined
        : (a: tf.Tensor4D, w: tf.Tensor4D) => groupedConv2d(a, w, { groups, stride, pad, impl });
    return conv2dIm2colGrad(x, c.weight, { stride, pad, groups, forward, impl });
  }
  if (groups === 1) return tf.conv2d(x, c.weight, stride, pad) as tf.Tensor4D;
  return groupedConv2d(x, c.weight, { groups, stride, pad, impl });
}

/** BatchNorm, followed by a ReLU when `relu`. */
function batchNorm(
  settings: UnfusedSettings,
  x: tf.Tensor4D,
  bn: BatchNorm,
  training: boolean,
  relu: boolean,
): tf.Tensor4D {
  const statsFrozen = settings.freezeBatchNormStats && !bn.weight.trainable;
  if (!training || statsFrozen) {
    const y = tf.batchNorm(
      x,
      bn.runningMean,
      bn.runningVar,
      bn.bias,
      bn.weight,
      BN_EPS,
    ) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  }
  const [n, h, w, c] = x.shape;
  const count = n * h * w;
  if (count < 2) {
    throw new InvalidInputError({
      shape: x.shape,
      message:
        `${settings.arch}: BatchNorm in training mode needs more than 1 value per channel, got ` +
        `input of shape [${x.shape.join(", ")}] (${c} channels). Use a larger batch or ` +
        "image, or training: false.",
    });
  }
  return batchNormTraining(x, bn.weight, bn.bias, {
    eps: BN_EPS,
    relu,
    onStatistics: (mean, variance) => {
      // A checkpointed block's second forward pass sees the same batch: counted once.
      if (settings.isReplaying()) return;
      // PyTorch normalises with the biased variance but tracks the unbiased one.
      const unbiased = tf.mul(variance, count / (count - 1));
      assignInPlace(
        bn.runningMean,
        tf.add(tf.mul(bn.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)),
      );
      assignInPlace(
        bn.runningVar,
        tf.add(tf.mul(bn.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)),
      );
      assignInPlace(bn.numBatchesTracked, tf.add(bn.numBatchesTracked, tf.scalar(1, "int32")));
    },
  });
}

/**
 * `variable.assign(value)`, keeping the variable's data where it was in memory: once the old
 * data is released, `value` is copied into a fresh allocation of the same size, which the wasm
 * backend's allocator (best fit) serves from the block just released. The BN running
 * statistics are replaced in the middle of every training forward pass; left where `value`
 * was made, each would be a small long-lived block between that step's activations, splitting
 * the free memory that the next steps need (the wasm heap never shrinks). On the cpu backend
 * `tf.clone` copies nothing.
 */
function assignInPlace(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  variable.assign(tf.clone(value));
}

/**
 * Gradient checkpointing of one block: its backward pass re-runs `forward` from the saved
 * input, under a tape of its own, instead of keeping its activations; one op whose inputs are
 * the block's input and its trainable `params`. `replay` brackets the second forward pass (so
 * that BN statistics are counted once). Internal.
 */
export function checkpointed<L>(
  x: tf.Tensor4D,
  block: Block<L>,
  params: tf.Variable[],
  forward: (x: tf.Tensor4D, block: Block<L>) => tf.Tensor4D,
  replay: (f: () => tf.Tensor[]) => tf.Tensor[],
): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor4D;
    // The tape is off inside a custom op's forward function: nothing here is kept.
    const y = forward(input, block);
    saveShared(save, [input]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const replayInput = tf.variable(saved[0] as tf.Tensor4D, true);
        try {
          return replay(() => {
            // The outer backward pass still needs its tape once this inner gradient is done.
            const { value, grads } = keepingOuterTape(() =>
              tf.variableGrads(
                () => tf.sum(tf.mul(forward(replayInput, block), dy)) as tf.Scalar,
                [replayInput, ...params],
              ),
            );
            const result = [replayInput, ...params].map((v) => grads[v.name]!);
            value.dispose();
            releaseBackwardInputs(dy, saved);
            return result;
          });
        } finally {
          replayInput.dispose();
        }
      },
    };
  });
  return op(x, ...params) as tf.Tensor4D;
}

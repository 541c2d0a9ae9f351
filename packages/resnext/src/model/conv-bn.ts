import type * as tf from "@tensorflow/tfjs-core";
import type { FoldableBatchNorm, FoldableConv } from "../kernels/fused-inference";
import type { Block, ConvBnLayout } from "./block";
import type { Entry } from "./torch-layout";

/** BatchNorm epsilon of every layer (torchvision's `nn.BatchNorm2d` default); internal. */
export const BN_EPS = 1e-5;

/** A convolution's weight (HWIO) and geometry. Internal. */
export type Conv = FoldableConv;

/** A BatchNorm's parameters and running statistics. Internal. */
export interface BatchNorm extends FoldableBatchNorm {
  numBatchesTracked: tf.Variable<tf.Rank.R0>;
}

/** A conv-bn layer of a live model. Internal. */
export interface ConvBn {
  conv: Conv;
  bn: BatchNorm;
}

/** The model's variables for a conv-bn layout, found by their state-dict keys. Internal. */
export function convBnOf(layout: ConvBnLayout, entries: ReadonlyMap<string, Entry>): ConvBn {
  const v = (key: string) => entries.get(key)!.variable;
  const { conv, bn, stride, pad, groups } = layout;
  return {
    conv: { weight: v(`${conv}.weight`) as tf.Variable<tf.Rank.R4>, stride, pad, groups },
    bn: {
      weight: v(`${bn}.weight`) as tf.Variable<tf.Rank.R1>,
      bias: v(`${bn}.bias`) as tf.Variable<tf.Rank.R1>,
      runningMean: v(`${bn}.running_mean`) as tf.Variable<tf.Rank.R1>,
      runningVar: v(`${bn}.running_var`) as tf.Variable<tf.Rank.R1>,
      numBatchesTracked: v(`${bn}.num_batches_tracked`) as tf.Variable<tf.Rank.R0>,
    },
  };
}

/** The live block of a block layout. Internal. */
export function blockOf(
  layout: Block<ConvBnLayout>,
  entries: ReadonlyMap<string, Entry>,
): Block<ConvBn> {
  const block: Block<ConvBn> = {
    name: layout.name,
    steps: layout.steps.map((s) => convBnOf(s, entries)),
  };
  if (layout.downsample !== undefined) block.downsample = convBnOf(layout.downsample, entries);
  return block;
}

/** A layer's parameters (convolution weight, BN weight and bias). Internal. */
export function convBnParameters(layer: ConvBn): tf.Variable[] {
  return [layer.conv.weight, layer.bn.weight, layer.bn.bias];
}

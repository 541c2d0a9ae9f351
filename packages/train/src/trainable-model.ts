import type { StateDict } from "@celeba/resnext/weights";
import type * as tf from "@tensorflow/tfjs-core";

/**
 * What the training loop needs from a model. `@celeba/resnext` models
 * implement it; any other tfjs model can too.
 *
 * @example
 * ```ts
 * const model: TrainableModel = resnext_tiny({ numClasses: 40 });
 * const scores = model.apply(images, { training: false });
 * ```
 */
export interface TrainableModel {
  /** Architecture name recorded in checkpoints, e.g. `"resnext50_32x4d"` (`@celeba/resnext` models set it). */
  readonly arch?: string;
  /** Forward pass: x is NHWC float32, returns [N, numClasses]. training=true uses batch statistics and updates BN running stats. */
  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D;
  /** Variables the optimizer should update (not frozen), keyed by state_dict name, e.g. "layer4.0.conv1.weight". */
  trainableVariables(): Map<string, tf.Variable>;
  /** All parameters and buffers, torchvision keys and layouts. */
  stateDict(): StateDict;
  /** Replaces parameters and buffers from a state dict (torchvision keys and layouts). */
  loadStateDict(sd: StateDict, options?: { strict?: boolean }): void;
}

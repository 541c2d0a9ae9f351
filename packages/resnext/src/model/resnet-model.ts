import type * as tf from "@tensorflow/tfjs-core";
import type { ConvGradient } from "../kernels/conv-gradient";
import type { GroupedConvImpl } from "../kernels/grouped-conv";
import type { StateDict } from "../weights/state-dict";
import type { ResNetSpec } from "./architectures";
import type { FreezeSpec } from "./freeze";
import type { LoadStateDictOptions, LoadStateDictResult } from "./load-state-dict";

/** Options shared by every architecture factory and by `createModel`. */
export interface ResNetOptions {
  /** Outputs of the final `fc` layer. Default 1000 (ImageNet); the paper uses 40. */
  numClasses?: number;
  /**
   * Keep the `fc` head. Default `true`. With `false` the model has no `fc.*` parameters and
   * `apply` returns the globally average-pooled features `[N, numFeatures]`.
   */
  includeTop?: boolean;
  /** Seed of the weight initialisation (torchvision's distributions). Default 0. */
  seed?: number | string;
  /** Grouped-convolution formulation, or `"auto"` (fastest measured per backend). Default `"auto"`. */
  groupedConvImpl?: GroupedConvImpl | "auto";
  /**
   * How convolutions are differentiated: `"im2col"` (this package's backward pass: im2col
   * matrix products from kernels every backend has, so wasm can train; much faster on cpu) or
   * `"native"` (tfjs' registered `Conv2DBackpropFilter`/`Input` gradients). Default `"im2col"`.
   */
  convGradient?: ConvGradient;
  /**
   * When `true`, BatchNorm layers whose parameters are frozen use their running statistics
   * and do not update them, even in training mode. Default `false`, which is PyTorch's
   * behaviour (`requires_grad=False` does not stop `model.train()` from updating BN stats).
   */
  freezeBatchNormStats?: boolean;
  /**
   * When `false`, the leading layers whose parameters are all frozen (the paper's conv1 to
   * layer2) run without recording a gradient tape, as PyTorch builds no graph for them: their
   * activations are freed at once instead of being kept for a backward pass that never
   * reaches them. This is what lets resnext50_32x4d train at batch 16 within wasm's 4 GiB.
   * A gradient with respect to the input then cannot pass through them, and asking for one
   * throws; set `true` to record them (for example for saliency maps). Default `false`.
   */
  recordFrozenLayers?: boolean;
  /**
   * Gradient checkpointing: when `true`, each trainable block keeps only its input for the
   * backward pass and runs its forward pass again there (without touching the BN running
   * statistics a second time), as `torch.utils.checkpoint` does. Less memory, one more forward
   * pass of the trainable blocks per step. Same gradients. Default `false`.
   */
  checkpointBlocks?: boolean;
}

/**
 * A ResNet/ResNeXt on TensorFlow.js with torchvision's parameter names (NHWC tensors).
 * Implements `@celeba/train`'s `TrainableModel`.
 *
 * @example
 * const model: ResNetModel = createModel({ arch: "resnext_tiny", numClasses: 40 });
 * const y = model.apply(tf.zeros([2, 218, 178, 3]), { training: true }); // [2, 40]
 * model.dispose();
 */
export interface ResNetModel {
  /** The architecture name, e.g. `"resnext50_32x4d"`. */
  readonly arch: string;
  /** The architecture's block counts and widths. */
  readonly spec: Readonly<ResNetSpec>;
  /** Outputs of `fc`, or `null` without the head. */
  readonly numClasses: number | null;
  /** Channels of the pooled features fed to `fc` (2048 for resnext50_32x4d). */
  readonly numFeatures: number;
  /** Grouped-convolution formulation used by `apply` (set with {@link ResNetOptions}). */
  readonly groupedConvImpl: GroupedConvImpl | "auto";
  /** See {@link ResNetOptions.convGradient}. */
  readonly convGradient: ConvGradient;
  /** See {@link ResNetOptions.freezeBatchNormStats}. */
  readonly freezeBatchNormStats: boolean;
  /** See {@link ResNetOptions.recordFrozenLayers}. */
  readonly recordFrozenLayers: boolean;
  /** See {@link ResNetOptions.checkpointBlocks}. */
  readonly checkpointBlocks: boolean;
  /**
   * Forward pass. `x` is NHWC float32 `[N, H, W, 3]` of any size (global average pooling).
   * `training: true` normalises with batch statistics and updates the BN running statistics
   * (momentum 0.1, unbiased variance, as PyTorch); `false` uses the running statistics.
   * Outside a gradient tape, `training: false` runs each conv + BatchNorm (+ ReLU) as one
   * fused convolution with folded weights, cached until a variable they come from changes.
   */
  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D;
  /**
   * Frees the folded conv + BatchNorm weights that eval-mode `apply` caches (one extra copy of
   * the convolution weights). Never needed for correctness: the cache notices any
   * `tf.Variable.assign` to the model's variables (optimizers, `loadStateDict`, BN statistics
   * updated by a training-mode `apply`, which also frees it) and re-folds on the next eval call.
   */
  invalidateInferenceCache(): void;
  /** All parameters (weights and biases), by torchvision key, in state_dict order. */
  namedParameters(): Map<string, tf.Variable>;
  /** All buffers (`running_mean`, `running_var`, `num_batches_tracked`), by torchvision key. */
  namedBuffers(): Map<string, tf.Variable>;
  /** The parameters that are not frozen: what an optimizer should update. */
  trainableVariables(): Map<string, tf.Variable>;
  /** A copy of parameters and buffers in torchvision's layout (OIHW conv, [out, in] fc). */
  stateDict(): StateDict;
  /** Loads torchvision-layout weights; validates everything before changing anything. */
  loadStateDict(sd: StateDict, options?: LoadStateDictOptions): LoadStateDictResult;
  /** Freezes parameters (no gradient, not in `trainableVariables()`); returns the frozen keys. */
  freeze(spec: FreezeSpec): string[];
  /** Makes every parameter trainable again. */
  unfreeze(): void;
  /** Releases every variable; the model is unusable afterwards. */
  dispose(): void;
}

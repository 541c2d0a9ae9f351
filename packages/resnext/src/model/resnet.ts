import * as tf from "@tensorflow/tfjs-core";
import { addRelu, batchNormTraining, releaseBackwardInputs } from "../kernels/batch-norm-training";
import { type ConvGradient, conv2dIm2colGrad } from "../kernels/conv-gradient";
import { FoldedConvCache } from "../kernels/fused-inference";
import {
  FROZEN_PREFIX_CHUNK_FLOATS,
  type GroupedConvImpl,
  groupedConv2d,
  withDepthwiseChunkFloats,
} from "../kernels/grouped-conv";
import { saveShared } from "../kernels/share-saved-tensors";
import { withoutGradientTape } from "../kernels/without-gradient-tape";
import {
  InvalidInputError,
  InvalidOptionError,
  type ShapeMismatch,
  StateDictMismatchError,
} from "../model-errors";
import { type StateDict, type StateTensor, stateTensorToFloat32 } from "../weights/state-dict";
import { blockExpansion, type ResNetSpec } from "./architectures";
import { InitRandom } from "./init-random";

/**
 * torchvision's top-level children of a ResNet, in order; `freeze(n)` freezes the first `n`
 * (the paper freezes 6: conv1, bn1, relu, maxpool, layer1, layer2).
 *
 * @example
 * const model = resnext50_32x4d({ numClasses: 40 });
 * model.freeze(6); // RESNET_CHILDREN.slice(0, 6)
 * console.log(RESNET_CHILDREN[6]); // "layer3": the first trainable child
 */
export const RESNET_CHILDREN = [
  "conv1",
  "bn1",
  "relu",
  "maxpool",
  "layer1",
  "layer2",
  "layer3",
  "layer4",
  "avgpool",
  "fc",
] as const;

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

/** Options of {@link ResNetModel.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Missing and unexpected keys are errors, as PyTorch's `strict=True`. Default `true`.
   * Shape mismatches are always errors; missing `num_batches_tracked` keys (old files) never are.
   */
  strict?: boolean;
  /**
   * When the state dict's `fc` has another class count than the model (e.g. ImageNet's 1000
   * vs 40), re-initialise `fc` with PyTorch's `nn.Linear` init instead of failing. Default `true`.
   */
  reinitializeHead?: boolean;
}

/** What {@link ResNetModel.loadStateDict} did. */
export interface LoadStateDictResult {
  /** Model keys the state dict lacked (only with `strict: false`; they kept their values). */
  missing: string[];
  /** State-dict keys the model does not have (ignored; only with `strict: false`). */
  unexpected: string[];
  /** Keys that were re-initialised instead of loaded, e.g. `["fc.weight", "fc.bias"]`. */
  reinitialized: string[];
  /** Human-readable notes on everything that was not a plain load. */
  warnings: string[];
}

/** What to freeze: the first `n` of {@link RESNET_CHILDREN}, or parameters by name prefix. */
export type FreezeSpec = number | { prefixes: readonly string[] };

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
  /** Grouped-convolution formulation used by `apply`; may be changed at any time. */
  groupedConvImpl: GroupedConvImpl | "auto";
  /** See {@link ResNetOptions.convGradient}; may be changed at any time. */
  convGradient: ConvGradient;
  /** See {@link ResNetOptions.freezeBatchNormStats}; may be changed at any time. */
  freezeBatchNormStats: boolean;
  /** See {@link ResNetOptions.recordFrozenLayers}; may be changed at any time. */
  recordFrozenLayers: boolean;
  /** See {@link ResNetOptions.checkpointBlocks}; may be changed at any time. */
  checkpointBlocks: boolean;
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

type EntryKind = "conv" | "vector" | "fcWeight" | "count";

interface Entry {
  key: string;
  kind: EntryKind;
  variable: tf.Variable;
  isBuffer: boolean;
  /** The shape PyTorch gives this tensor. */
  torchShape: number[];
}

interface Conv {
  weight: tf.Variable<tf.Rank.R4>;
  stride: number;
  pad: number;
  groups: number;
}

interface BatchNorm {
  weight: tf.Variable<tf.Rank.R1>;
  bias: tf.Variable<tf.Rank.R1>;
  runningMean: tf.Variable<tf.Rank.R1>;
  runningVar: tf.Variable<tf.Rank.R1>;
  numBatchesTracked: tf.Variable<tf.Rank.R0>;
}

interface Block {
  conv1: Conv;
  bn1: BatchNorm;
  conv2: Conv;
  bn2: BatchNorm;
  conv3: Conv | undefined;
  bn3: BatchNorm | undefined;
  downsample: { conv: Conv; bn: BatchNorm } | undefined;
}

/** BatchNorm epsilon of every layer (torchvision's `nn.BatchNorm2d` default); internal. */
export const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

class ResNet implements ResNetModel {
  readonly arch: string;
  readonly spec: Readonly<ResNetSpec>;
  readonly numClasses: number | null;
  readonly numFeatures: number;
  groupedConvImpl: GroupedConvImpl | "auto";
  convGradient: ConvGradient;
  freezeBatchNormStats: boolean;
  recordFrozenLayers: boolean;
  checkpointBlocks: boolean;

  private readonly seed: number | string;
  private readonly entries = new Map<string, Entry>();
  private readonly rng: InitRandom;
  private readonly conv1: Conv;
  private readonly bn1: BatchNorm;
  private readonly stages: Block[][] = [];
  /** Every block in forward order (`stages` flattened). */
  private readonly blocks: Block[];
  private readonly fc: { weight: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> } | null;
  private disposed = false;
  /** True while a checkpointed block re-runs its forward pass: BN statistics stay as they are. */
  private replaying = false;
  /** Eval-mode folded conv + BN weights (see `invalidateInferenceCache`). */
  private readonly folded = new FoldedConvCache(BN_EPS);

  /** With `dryRun`, only keys and shapes are planned: no tensor is created or initialised. */
  private readonly dryRun: boolean;

  constructor(arch: string, spec: ResNetSpec, options: Required<ResNetOptions>, dryRun = false) {
    this.dryRun = dryRun;
    this.arch = arch;
    this.spec = spec;
    this.seed = options.seed;
    this.groupedConvImpl = options.groupedConvImpl;
    this.convGradient = options.convGradient;
    this.freezeBatchNormStats = options.freezeBatchNormStats;
    this.recordFrozenLayers = options.recordFrozenLayers;
    this.checkpointBlocks = options.checkpointBlocks;
    this.rng = new InitRandom(options.seed);
    const expansion = blockExpansion(spec.block);

    this.conv1 = this.makeConv("conv1", 3, spec.stemWidth, 7, 2, 3, 1);
    this.bn1 = this.makeBn("bn1", spec.stemWidth);
    // Mirrors torchvision's ResNet._make_layer, including where the stride goes (conv2).
    let inplanes = spec.stemWidth;
    for (let s = 0; s < 4; s++) {
      const planes = spec.planes[s]!;
      const blocks: Block[] = [];
      for (let b = 0; b < spec.layers[s]!; b++) {
        const stride = b === 0 && s > 0 ? 2 : 1;
        const p = `layer${s + 1}.${b}`;
        const outChannels = planes * expansion;
        let block: Block;
        if (spec.block === "basic") {
          block = {
            conv1: this.makeConv(`${p}.conv1`, inplanes, planes, 3, stride, 1, 1),
            bn1: this.makeBn(`${p}.bn1`, planes),
            conv2: this.makeConv(`${p}.conv2`, planes, planes, 3, 1, 1, 1),
            bn2: this.makeBn(`${p}.bn2`, planes),
            conv3: undefined,
            bn3: undefined,
            downsample: undefined,
          };
        } else {
          const width = Math.floor(planes * (spec.widthPerGroup / 64)) * spec.groups;
          block = {
            conv1: this.makeConv(`${p}.conv1`, inplanes, width, 1, 1, 0, 1),
            bn1: this.makeBn(`${p}.bn1`, width),
            conv2: this.makeConv(`${p}.conv2`, width, width, 3, stride, 1, spec.groups),
            bn2: this.makeBn(`${p}.bn2`, width),
            conv3: this.makeConv(`${p}.conv3`, width, outChannels, 1, 1, 0, 1),
            bn3: this.makeBn(`${p}.bn3`, outChannels),
            downsample: undefined,
          };
        }
        if (stride !== 1 || inplanes !== outChannels) {
          block.downsample = {
            conv: this.makeConv(`${p}.downsample.0`, inplanes, outChannels, 1, stride, 0, 1),
            bn: this.makeBn(`${p}.downsample.1`, outChannels),
          };
        }
        blocks.push(block);
        inplanes = outChannels;
      }
      this.stages.push(blocks);
    }
    this.blocks = this.stages.flat();
    this.numFeatures = inplanes;
    if (options.includeTop) {
      this.numClasses = options.numClasses;
      const bound = 1 / Math.sqrt(inplanes);
      const weight = this.variable(() =>
        tf.tensor2d(this.rng.uniformArray(inplanes * options.numClasses, bound), [
          inplanes,
          options.numClasses,
        ]),
      ) as tf.Variable<tf.Rank.R2>;
      const bias = this.variable(() =>
        tf.tensor1d(this.rng.uniformArray(options.numClasses, bound)),
      ) as tf.Variable<tf.Rank.R1>;
      this.fc = { weight, bias };
      this.register("fc.weight", "fcWeight", weight, false, [options.numClasses, inplanes]);
      this.register("fc.bias", "vector", bias, false, [options.numClasses]);
    } else {
      this.numClasses = null;
      this.fc = null;
    }
  }

  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D {
    this.assertAlive();
    if (x.rank !== 4 || x.shape[3] !== 3) {
      throw new InvalidInputError({
        shape: x.shape,
        message:
          `${this.arch}.apply: expected an NHWC float32 tensor [N, H, W, 3], got shape ` +
          `[${x.shape.join(", ")}]. Convert NCHW input with x.transpose([0, 2, 3, 1]).`,
      });
    }
    if (x.dtype !== "float32") {
      throw new InvalidInputError({
        shape: x.shape,
        message: `${this.arch}.apply: expected a float32 tensor, got ${x.dtype}. Cast it with x.toFloat().`,
      });
    }
    const training = options.training;
    if (training) {
      // Training changes BN statistics and (via the optimizer) weights: free the stale copy.
      this.folded.clear();
    } else if (tf.engine().state.gradientDepth === 0) {
      // Folded weights are cached outside any tape, so under tf.grad & co. the unfused path
      // below keeps gradients flowing to the variables.
      return this.applyFolded(x);
    }
    return tf.tidy(() => {
      // Units: the stem, then every block. Each runs in its own tidy, so only what the
      // backward pass keeps outlives it.
      const units = this.blocks.length + 1;
      const checkpoint = this.checkpointBlocks && tf.engine().state.gradientDepth > 0;
      const runUnits = (input: tf.Tensor4D, from: number, to: number): tf.Tensor4D => {
        let h = input;
        for (let u = from; u < to; u++) {
          const prev = h;
          h = tf.tidy(() =>
            checkpoint && u > 0
              ? this.checkpointedBlock(prev, this.blocks[u - 1]!, training)
              : this.unit(prev, u, training),
          );
          if (prev !== input) prev.dispose();
        }
        return h;
      };
      const frozen =
        !this.recordFrozenLayers && tf.engine().state.gradientDepth > 0 ? this.frozenUnits() : 0;
      let h =
        frozen > 0
          ? withoutGradientTape(
              x,
              (input) =>
                withDepthwiseChunkFloats(FROZEN_PREFIX_CHUNK_FLOATS, () =>
                  runUnits(input, 0, frozen),
                ),
              () => this.throwFrozenGradient(frozen),
            )
          : x;
      h = runUnits(h, frozen, units);
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      if (this.fc === null) return pooled;
      return tf.add(tf.matMul(pooled, this.fc.weight), this.fc.bias) as tf.Tensor2D;
    });
  }

  invalidateInferenceCache(): void {
    this.folded.clear();
  }

  /** Unit `u` of the forward pass: 0 is the stem (conv1, bn1, relu, maxpool), then blocks. */
  private unit(h: tf.Tensor4D, u: number, training: boolean): tf.Tensor4D {
    if (u === 0) {
      const stem = this.convBatchNorm(h, this.conv1, this.bn1, training, true);
      const pooled = tf.maxPool(stem, 3, 2, 1);
      stem.dispose();
      return pooled;
    }
    return this.block(h, this.blocks[u - 1]!, training);
  }

  /**
   * A block whose backward pass re-runs its forward pass from its saved input, under a tape of
   * its own, instead of keeping its activations: one op whose inputs are the block's input and
   * its trainable parameters.
   */
  private checkpointedBlock(x: tf.Tensor4D, b: Block, training: boolean): tf.Tensor4D {
    const params = blockParameters(b).filter((v) => v.trainable);
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const input = args[0] as tf.Tensor4D;
      // The tape is off inside a custom op's forward function: nothing here is kept.
      const y = this.block(input, b, training);
      saveShared(save, [input]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const replayInput = tf.variable(saved[0] as tf.Tensor4D, true);
          // A gradient computed inside a backward pass replaces the engine's tape and, when it
          // ends, drops it (tfjs 4.22 `startTape`/`gradients`); the outer pass still needs it
          // to free its saved tensors, so it is put back.
          const engineState = tf.engine().state as unknown as { activeTape: unknown };
          const outerTape = engineState.activeTape;
          this.replaying = true;
          try {
            const { value, grads } = tf.variableGrads(
              () => tf.sum(tf.mul(this.block(replayInput, b, training), dy)) as tf.Scalar,
              [replayInput, ...params],
            );
            const result = [replayInput, ...params].map((v) => grads[v.name]!);
            value.dispose();
            releaseBackwardInputs(dy, saved);
            return result;
          } finally {
            engineState.activeTape = outerTape;
            this.replaying = false;
            replayInput.dispose();
          }
        },
      };
    });
    return op(x, ...params) as tf.Tensor4D;
  }

  /** How many leading units (stem, then blocks) have only frozen parameters. */
  private frozenUnits(): number {
    if ([this.conv1.weight, this.bn1.weight, this.bn1.bias].some((v) => v.trainable)) return 0;
    let n = 1;
    for (const b of this.blocks) {
      if (blockParameters(b).some((v) => v.trainable)) break;
      n++;
    }
    return n;
  }

  private throwFrozenGradient(frozenUnits: number): never {
    const blocks = this.stages.flatMap((stage, s) => stage.map((_, b) => `layer${s + 1}.${b}`));
    const last = frozenUnits === 1 ? "maxpool" : blocks[frozenUnits - 2];
    throw new InvalidOptionError({
      option: "recordFrozenLayers",
      value: false,
      hint:
        `A gradient with respect to the input of ${this.arch} was requested, but its frozen ` +
        `layers conv1 to ${last} ran without a gradient tape to save memory. Set ` +
        "model.recordFrozenLayers = true (or pass recordFrozenLayers: true) to differentiate " +
        "through them.",
    });
  }

  /** Eval-mode forward with every BatchNorm folded into the convolution before it. */
  private applyFolded(x: tf.Tensor4D): tf.Tensor2D {
    const impl = this.groupedConvImpl;
    const folded = this.folded;
    return tf.tidy(() => {
      // One tidy per block: only the block's output outlives it, which bounds peak memory.
      let h = tf.tidy(() => tf.maxPool(folded.apply(x, this.conv1, this.bn1, true, impl), 3, 2, 1));
      for (const b of this.blocks) {
        const input = h;
        h = tf.tidy(() => {
          let out = folded.apply(input, b.conv1, b.bn1, true, impl);
          if (b.conv3 === undefined || b.bn3 === undefined) {
            out = folded.apply(out, b.conv2, b.bn2, false, impl);
          } else {
            out = folded.apply(out, b.conv2, b.bn2, true, impl);
            out = folded.apply(out, b.conv3, b.bn3, false, impl);
          }
          const identity =
            b.downsample === undefined
              ? input
              : folded.apply(input, b.downsample.conv, b.downsample.bn, false, impl);
          return tf.relu(tf.add(out, identity)) as tf.Tensor4D;
        });
        input.dispose();
      }
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      if (this.fc === null) return pooled;
      return tf.add(tf.matMul(pooled, this.fc.weight), this.fc.bias) as tf.Tensor2D;
    });
  }

  /** Keys and torchvision shapes, in state_dict order (works on dry-run models). */
  plannedShapes(): Map<string, number[]> {
    return new Map([...this.entries.values()].map((e) => [e.key, [...e.torchShape]]));
  }

  namedParameters(): Map<string, tf.Variable> {
    return this.select((e) => !e.isBuffer);
  }

  namedBuffers(): Map<string, tf.Variable> {
    return this.select((e) => e.isBuffer);
  }

  trainableVariables(): Map<string, tf.Variable> {
    return this.select((e) => !e.isBuffer && e.variable.trainable);
  }

  stateDict(): StateDict {
    this.assertAlive();
    const sd: StateDict = new Map();
    for (const e of this.entries.values()) sd.set(e.key, toStateTensor(e));
    return sd;
  }

  loadStateDict(sd: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    this.assertAlive();
    const { strict = true, reinitializeHead = true } = options;
    const missing: string[] = [];
    const unexpected: string[] = [];
    const mismatches: ShapeMismatch[] = [];
    const warnings: string[] = [];
    const reinitialized: string[] = [];

    const sdFc = sd.get("fc.weight");
    const headReinit =
      this.fc !== null &&
      reinitializeHead &&
      sdFc !== undefined &&
      sdFc.shape.length === 2 &&
      sdFc.shape[1] === this.numFeatures &&
      sdFc.shape[0] !== this.numClasses;

    for (const e of this.entries.values()) {
      const t = sd.get(e.key);
      if (headReinit && e.key.startsWith("fc.")) continue;
      if (t === undefined) {
        // PyTorch fills num_batches_tracked for files saved before the buffer existed.
        if (e.kind !== "count") missing.push(e.key);
        continue;
      }
      if (!sameShape(e.torchShape, t.shape)) {
        mismatches.push({ key: e.key, expected: [...e.torchShape], actual: [...t.shape] });
      }
    }
    const ignoredHead: string[] = [];
    for (const key of sd.keys()) {
      if (this.entries.has(key)) continue;
      if (this.fc === null && key.startsWith("fc.")) ignoredHead.push(key);
      else unexpected.push(key);
    }
    if (mismatches.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
      throw new StateDictMismatchError({
        arch: this.arch,
        missing,
        unexpected,
        shapeMismatches: mismatches,
      });
    }

    this.folded.clear();
    tf.tidy(() => {
      for (const e of this.entries.values()) {
        if (headReinit && e.key.startsWith("fc.")) continue;
        const t = sd.get(e.key);
        if (t !== undefined) e.variable.assign(fromStateTensor(e, t));
      }
    });
    if (headReinit && this.fc !== null) {
      const rng = new InitRandom(`${String(this.seed)}/fc-reinit`);
      const [w, b] = this.linearInit(rng, this.numFeatures, this.numClasses!);
      tf.tidy(() => {
        this.fc!.weight.assign(tf.tensor2d(w, [this.numFeatures, this.numClasses!]));
        this.fc!.bias.assign(tf.tensor1d(b));
      });
      reinitialized.push("fc.weight", "fc.bias");
      warnings.push(
        `fc.weight is [${sdFc!.shape.join(", ")}] in the state dict but the model has ` +
          `numClasses=${this.numClasses}: re-initialised fc.weight and fc.bias with PyTorch's ` +
          `nn.Linear init (as \`model.fc = nn.Linear(${this.numFeatures}, ${this.numClasses})\`).`,
      );
    }
    if (ignoredHead.length > 0) {
      warnings.push(
        `ignored ${ignoredHead.join(", ")}: the model was built with includeTop: false.`,
      );
    }
    if (missing.length > 0) {
      warnings.push(`missing keys kept their current values: ${missing.join(", ")}`);
    }
    if (unexpected.length > 0) warnings.push(`unexpected keys ignored: ${unexpected.join(", ")}`);
    return { missing, unexpected, reinitialized, warnings };
  }

  freeze(spec: FreezeSpec): string[] {
    this.assertAlive();
    let prefixes: readonly string[];
    if (typeof spec === "number") {
      if (!Number.isInteger(spec) || spec < 0 || spec > RESNET_CHILDREN.length) {
        throw new InvalidOptionError({
          option: "freeze",
          value: spec,
          hint:
            `Pass an integer from 0 to ${RESNET_CHILDREN.length} (the number of leading children ` +
            `of ${RESNET_CHILDREN.join(", ")} to freeze; the paper uses 6), or { prefixes }.`,
        });
      }
      prefixes = RESNET_CHILDREN.slice(0, spec);
    } else {
      prefixes = spec.prefixes;
      for (const p of prefixes) {
        const known = (RESNET_CHILDREN as readonly string[]).includes(p);
        const matches = [...this.entries.keys()].some((k) => matchesPrefix(k, p));
        if (typeof p !== "string" || (!known && !matches)) {
          throw new InvalidOptionError({
            option: "freeze.prefixes",
            value: p,
            hint:
              "A prefix must be a child name or a dotted parameter-name prefix such as " +
              "'layer3' or 'layer4.0.bn1' (see namedParameters()).",
            validChoices: RESNET_CHILDREN,
          });
        }
      }
    }
    const frozen: string[] = [];
    for (const e of this.entries.values()) {
      if (e.isBuffer) continue;
      if (prefixes.some((p) => matchesPrefix(e.key, p))) {
        e.variable.trainable = false;
        frozen.push(e.key);
      }
    }
    return frozen;
  }

  unfreeze(): void {
    for (const e of this.entries.values()) if (!e.isBuffer) e.variable.trainable = true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.folded.clear();
    for (const e of this.entries.values()) e.variable.dispose();
  }

  private select(pred: (e: Entry) => boolean): Map<string, tf.Variable> {
    this.assertAlive();
    const out = new Map<string, tf.Variable>();
    for (const e of this.entries.values()) if (pred(e)) out.set(e.key, e.variable);
    return out;
  }

  private assertAlive(): void {
    if (this.disposed) {
      throw new InvalidOptionError({
        option: "model",
        value: this.arch,
        hint: "This model was disposed; create a new one with createModel().",
      });
    }
  }

  /**
   * One residual block. Every intermediate is disposed as soon as the next op has it (ops that
   * need one for their backward pass keep their own handle), so at most a few activations of
   * the block are alive at once instead of all of them until the caller's tidy ends. `x` is
   * the caller's.
   */
  private block(x: tf.Tensor4D, b: Block, training: boolean): tf.Tensor4D {
    let out = this.convBatchNorm(x, b.conv1, b.bn1, training, true);
    const steps: [Conv, BatchNorm, boolean][] =
      b.conv3 === undefined || b.bn3 === undefined
        ? [[b.conv2, b.bn2, false]]
        : [
            [b.conv2, b.bn2, true],
            [b.conv3, b.bn3, false],
          ];
    for (const [conv, bn, relu] of steps) {
      const input = out;
      out = this.convBatchNorm(input, conv, bn, training, relu);
      input.dispose();
    }
    const identity =
      b.downsample === undefined
        ? x
        : this.convBatchNorm(x, b.downsample.conv, b.downsample.bn, training, false);
    const y = addRelu(out, identity);
    out.dispose();
    if (identity !== x) identity.dispose();
    return y;
  }

  /** `batchNorm(conv(x))`, freeing the convolution's output once the BatchNorm has it. */
  private convBatchNorm(
    x: tf.Tensor4D,
    c: Conv,
    bn: BatchNorm,
    training: boolean,
    relu: boolean,
  ): tf.Tensor4D {
    const convolved = this.conv(x, c);
    const y = this.batchNorm(convolved, bn, training, relu);
    convolved.dispose();
    return y;
  }

  private conv(x: tf.Tensor4D, c: Conv): tf.Tensor4D {
    const { stride, pad, groups } = c;
    const impl = this.groupedConvImpl;
    if (this.convGradient === "im2col") {
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
  private batchNorm(x: tf.Tensor4D, bn: BatchNorm, training: boolean, relu: boolean): tf.Tensor4D {
    const statsFrozen = this.freezeBatchNormStats && !bn.weight.trainable;
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
          `${this.arch}: BatchNorm in training mode needs more than 1 value per channel, got ` +
          `input of shape [${x.shape.join(", ")}] (${c} channels). Use a larger batch or ` +
          "image, or training: false.",
      });
    }
    return batchNormTraining(x, bn.weight, bn.bias, {
      eps: BN_EPS,
      relu,
      onStatistics: (mean, variance) => {
        // A checkpointed block's second forward pass sees the same batch: counted once.
        if (this.replaying) return;
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

  private register(
    key: string,
    kind: EntryKind,
    variable: tf.Variable,
    isBuffer: boolean,
    torchShape: number[],
  ): void {
    this.entries.set(key, { key, kind, variable, isBuffer, torchShape });
  }

  private makeConv(
    key: string,
    inChannels: number,
    outChannels: number,
    kernel: number,
    stride: number,
    pad: number,
    groups: number,
  ): Conv {
    const inPerGroup = inChannels / groups;
    // kaiming_normal_(mode="fan_out", nonlinearity="relu"): fan_out = out * kh * kw.
    const std = Math.sqrt(2 / (outChannels * kernel * kernel));
    const n = kernel * kernel * inPerGroup * outChannels;
    const weight = this.variable(() =>
      tf.tensor4d(this.rng.normalArray(n, std), [kernel, kernel, inPerGroup, outChannels]),
    ) as tf.Variable<tf.Rank.R4>;
    this.register(`${key}.weight`, "conv", weight, false, [
      outChannels,
      inPerGroup,
      kernel,
      kernel,
    ]);
    return { weight, stride, pad, groups };
  }

  private makeBn(key: string, channels: number): BatchNorm {
    const bn: BatchNorm = {
      weight: this.variable(() => tf.ones([channels])) as tf.Variable<tf.Rank.R1>,
      bias: this.variable(() => tf.zeros([channels])) as tf.Variable<tf.Rank.R1>,
      runningMean: this.variable(() => tf.zeros([channels]), false) as tf.Variable<tf.Rank.R1>,
      runningVar: this.variable(() => tf.ones([channels]), false) as tf.Variable<tf.Rank.R1>,
      numBatchesTracked: this.variable(
        () => tf.scalar(0, "int32"),
        false,
      ) as tf.Variable<tf.Rank.R0>,
    };
    this.register(`${key}.weight`, "vector", bn.weight, false, [channels]);
    this.register(`${key}.bias`, "vector", bn.bias, false, [channels]);
    this.register(`${key}.running_mean`, "vector", bn.runningMean, true, [channels]);
    this.register(`${key}.running_var`, "vector", bn.runningVar, true, [channels]);
    this.register(`${key}.num_batches_tracked`, "count", bn.numBatchesTracked, true, []);
    return bn;
  }

  private variable(init: () => tf.Tensor, trainable = true): tf.Variable {
    // A dry run only plans names and shapes; its entries are never read.
    if (this.dryRun) return DRY_VARIABLE;
    return tf.tidy(() => tf.variable(init(), trainable));
  }

  /** nn.Linear's init: kaiming_uniform_(a=√5) for the weight, U(±1/√fan_in) for the bias. */
  private linearInit(rng: InitRandom, fanIn: number, fanOut: number): [Float32Array, Float32Array] {
    const bound = 1 / Math.sqrt(fanIn);
    return [rng.uniformArray(fanIn * fanOut, bound), rng.uniformArray(fanOut, bound)];
  }
}

const DRY_VARIABLE = { trainable: true } as tf.Variable;

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

/** A block's parameters (convolution weights, BN weights and biases), in forward order. */
function blockParameters(b: Block): tf.Variable[] {
  const pairs: [Conv, BatchNorm][] = [
    [b.conv1, b.bn1],
    [b.conv2, b.bn2],
  ];
  if (b.conv3 !== undefined && b.bn3 !== undefined) pairs.push([b.conv3, b.bn3]);
  if (b.downsample !== undefined) pairs.push([b.downsample.conv, b.downsample.bn]);
  return pairs.flatMap(([c, bn]) => [c.weight, bn.weight, bn.bias]);
}

function matchesPrefix(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}.`);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function toStateTensor(e: Entry): StateTensor {
  if (e.kind === "count") {
    const v = e.variable.dataSync()[0] ?? 0;
    return { dtype: "int64", shape: [], data: BigInt64Array.of(BigInt(v)) };
  }
  // tfjs's generic transpose walks indices per element; plain loops are ~100x faster here.
  const values = e.variable.dataSync() as Float32Array;
  let data: Float32Array;
  if (e.kind === "conv") {
    const [o, i, kh, kw] = e.torchShape as [number, number, number, number];
    data = hwioToOihw(values, o, i, kh, kw);
  } else if (e.kind === "fcWeight") {
    const [out, inp] = e.torchShape as [number, number];
    data = transpose2d(values, inp, out);
  } else {
    data = Float32Array.from(values);
  }
  return { dtype: "float32", shape: [...e.torchShape], data };
}

function fromStateTensor(e: Entry, t: StateTensor): tf.Tensor {
  if (e.kind === "count") {
    return tf.scalar(Number(t.data[0] ?? 0), "int32");
  }
  const values = stateTensorToFloat32(t);
  if (e.kind === "conv") {
    const [o, i, kh, kw] = e.torchShape as [number, number, number, number];
    return tf.tensor4d(oihwToHwio(values, o, i, kh, kw), [kh, kw, i, o]);
  }
  if (e.kind === "fcWeight") {
    const [out, inp] = e.torchShape as [number, number];
    return tf.tensor2d(transpose2d(values, out, inp), [inp, out]);
  }
  return tf.tensor1d(values);
}

/** [kh, kw, i, o] (tfjs) to [o, i, kh, kw] (PyTorch). */
function hwioToOihw(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  const k = kh * kw;
  for (let s = 0; s < k; s++) {
    for (let c = 0; c < i; c++) {
      const base = (s * i + c) * o;
      for (let n = 0; n < o; n++) dst[(n * i + c) * k + s] = src[base + n]!;
    }
  }
  return dst;
}

/** [o, i, kh, kw] (PyTorch) to [kh, kw, i, o] (tfjs). */
function oihwToHwio(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  const k = kh * kw;
  for (let n = 0; n < o; n++) {
    for (let c = 0; c < i; c++) {
      const base = (n * i + c) * k;
      for (let s = 0; s < k; s++) dst[(s * i + c) * o + n] = src[base + s]!;
    }
  }
  return dst;
}

/** A row-major [rows, cols] matrix transposed to [cols, rows]. */
function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c]!;
  }
  return dst;
}

/**
 * Builds a model from an explicit spec (architecture factories call this with their table
 * entry). Options must already be validated and defaulted.
 */
export function buildResNet(
  arch: string,
  spec: ResNetSpec,
  options: Required<ResNetOptions>,
): ResNetModel {
  return new ResNet(arch, spec, options);
}

/**
 * The state_dict keys and torchvision shapes a model would have, without creating tensors
 * (for tests and tooling that check the architecture table against torchvision).
 */
export function plannedStateDictShapes(
  arch: string,
  spec: ResNetSpec,
  options: Required<ResNetOptions>,
): Map<string, number[]> {
  const model = new ResNet(arch, spec, options, true);
  return model.plannedShapes();
}

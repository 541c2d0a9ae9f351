import * as tf from "@tensorflow/tfjs-core";
import type { ConvGradient } from "../kernels/conv-gradient";
import { FoldedConvCache } from "../kernels/fused-inference";
import {
  FROZEN_PREFIX_CHUNK_FLOATS,
  type GroupedConvImpl,
  withDepthwiseChunkFloats,
} from "../kernels/grouped-conv";
import { withoutGradientTape } from "../kernels/without-gradient-tape";
import { InvalidInputError, InvalidOptionError } from "../model-errors";
import { isComputingGradients } from "../tfjs-internals";
import type { StateDict } from "../weights/state-dict";
import type { ResNetSpec } from "./architectures";
import { type Block, type BlockOps, blockForward, blockLayers } from "./block";
import { BN_EPS, blockOf, type ConvBn, convBnOf, convBnParameters } from "./conv-bn";
import { checkpointed, foldedOps, type UnfusedSettings, unfusedOps } from "./execution-modes";
import { type FreezeSpec, freezeEntries } from "./freeze";
import { initialVariable } from "./init";
import { InitRandom } from "./init-random";
import { networkLayout, plannedEntries } from "./layout";
import {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  loadStateDictInto,
} from "./load-state-dict";
import type { ResNetModel, ResNetOptions } from "./resnet-model";
import { type Entry, toStateTensor } from "./torch-layout";

/** The stem (conv1, bn1, relu, maxpool) in any execution mode. */
function stemForward(
  x: tf.Tensor4D,
  stem: ConvBn,
  ops: BlockOps<tf.Tensor4D, ConvBn>,
): tf.Tensor4D {
  const y = ops.convBn(x, stem, true);
  const pooled = tf.maxPool(y, 3, 2, 1);
  ops.release(y);
  return pooled;
}

class ResNet implements ResNetModel, UnfusedSettings {
  readonly arch: string;
  readonly spec: Readonly<ResNetSpec>;
  readonly numClasses: number | null;
  readonly numFeatures: number;
  readonly groupedConvImpl: GroupedConvImpl | "auto";
  readonly convGradient: ConvGradient;
  readonly freezeBatchNormStats: boolean;
  readonly recordFrozenLayers: boolean;
  readonly checkpointBlocks: boolean;

  private readonly seed: number | string;
  /** Every parameter and buffer, by torchvision key, in state_dict order. */
  private readonly entries = new Map<string, Entry>();
  private readonly stem: ConvBn;
  /** Every block in forward order. */
  private readonly blocks: Block<ConvBn>[];
  private readonly fc: { weight: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> } | null;
  private disposed = false;
  /** True while a checkpointed block re-runs its forward pass: BN statistics stay as they are. */
  private replaying = false;
  /** Eval-mode folded conv + BN weights (see `invalidateInferenceCache`). */
  private readonly folded = new FoldedConvCache(BN_EPS);

  constructor(arch: string, spec: ResNetSpec, options: Required<ResNetOptions>) {
    this.arch = arch;
    this.spec = spec;
    this.seed = options.seed;
    this.groupedConvImpl = options.groupedConvImpl;
    this.convGradient = options.convGradient;
    this.freezeBatchNormStats = options.freezeBatchNormStats;
    this.recordFrozenLayers = options.recordFrozenLayers;
    this.checkpointBlocks = options.checkpointBlocks;
    const layout = networkLayout(spec);
    this.numFeatures = layout.numFeatures;
    this.numClasses = options.includeTop ? options.numClasses : null;
    // Drawn in state_dict order, which is torchvision's order of initialisation.
    const rng = new InitRandom(options.seed);
    for (const planned of plannedEntries(layout, this.numClasses)) {
      this.entries.set(planned.key, initialVariable(planned, rng));
    }
    this.stem = convBnOf(layout.stem, this.entries);
    this.blocks = layout.blocks.map((b) => blockOf(b, this.entries));
    this.fc =
      this.numClasses === null
        ? null
        : {
            weight: this.entries.get("fc.weight")!.variable as tf.Variable<tf.Rank.R2>,
            bias: this.entries.get("fc.bias")!.variable as tf.Variable<tf.Rank.R1>,
          };
  }

  isReplaying(): boolean {
    return this.replaying;
  }

  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D {
    this.assertAlive();
    this.validateInput(x);
    const training = options.training;
    if (training) {
      // Training changes BN statistics and (via the optimizer) weights: free the stale copy.
      this.folded.clear();
    } else if (!isComputingGradients()) {
      // Folded weights are cached outside any tape, so under tf.grad & co. the unfused path
      // keeps gradients flowing to the variables.
      const ops = foldedOps(this.folded, this.groupedConvImpl);
      return tf.tidy(() => this.head(this.runUnits(x, 0, this.blocks.length + 1, ops, false)));
    }
    return tf.tidy(() => {
      const ops = unfusedOps(this, training);
      const units = this.blocks.length + 1;
      const recording = isComputingGradients();
      const checkpoint = this.checkpointBlocks && recording;
      const frozen = !this.recordFrozenLayers && recording ? this.frozenUnits() : 0;
      const h =
        frozen > 0
          ? withoutGradientTape(
              x,
              (input) =>
                withDepthwiseChunkFloats(FROZEN_PREFIX_CHUNK_FLOATS, () =>
                  this.runUnits(input, 0, frozen, ops, checkpoint),
                ),
              () => this.throwFrozenGradient(frozen),
            )
          : x;
      const out = this.runUnits(h, frozen, units, ops, checkpoint);
      return this.head(out);
    });
  }

  /**
   * Units `from` to `to` of the forward pass (0 is the stem, then the blocks), each in its own
   * tidy so that only what the backward pass keeps outlives it. `input` stays the caller's.
   */
  private runUnits(
    input: tf.Tensor4D,
    from: number,
    to: number,
    ops: BlockOps<tf.Tensor4D, ConvBn>,
    checkpoint: boolean,
  ): tf.Tensor4D {
    const forward = (x: tf.Tensor4D, b: Block<ConvBn>) => blockForward(x, b, ops);
    const replay = (f: () => tf.Tensor[]) => {
      this.replaying = true;
      try {
        return f();
      } finally {
        this.replaying = false;
      }
    };
    let h = input;
    for (let u = from; u < to; u++) {
      const prev = h;
      const block = this.blocks[u - 1]!;
      h = tf.tidy(() => {
        if (u === 0) return stemForward(prev, this.stem, ops);
        if (!checkpoint) return forward(prev, block);
        const params = blockLayers(block).flatMap(convBnParameters);
        return checkpointed(
          prev,
          block,
          params.filter((v) => v.trainable),
          forward,
          replay,
        );
      });
      if (prev !== input) prev.dispose();
    }
    return h;
  }

  /** Global average pooling, then `fc` when the model has it. */
  private head(h: tf.Tensor4D): tf.Tensor2D {
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    if (this.fc === null) return pooled;
    return tf.add(tf.matMul(pooled, this.fc.weight), this.fc.bias) as tf.Tensor2D;
  }

  private validateInput(x: tf.Tensor4D): void {
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
  }

  invalidateInferenceCache(): void {
    this.folded.clear();
  }

  /** How many leading units (stem, then blocks) have only frozen parameters. */
  private frozenUnits(): number {
    if (convBnParameters(this.stem).some((v) => v.trainable)) return 0;
    let n = 1;
    for (const b of this.blocks) {
      if (
        blockLayers(b)
          .flatMap(convBnParameters)
          .some((v) => v.trainable)
      )
        break;
      n++;
    }
    return n;
  }

  private throwFrozenGradient(frozenUnits: number): never {
    const last = frozenUnits === 1 ? "maxpool" : this.blocks[frozenUnits - 2]!.name;
    throw new InvalidOptionError({
      option: "recordFrozenLayers",
      value: false,
      hint:
        `A gradient with respect to the input of ${this.arch} was requested, but its frozen ` +
        `layers conv1 to ${last} ran without a gradient tape to save memory. Set ` +
        "recordFrozenLayers = true when creating the model (createModel({ ..., " +
        "recordFrozenLayers: true })) to differentiate through them.",
    });
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
    const target = {
      arch: this.arch,
      seed: this.seed,
      entries: this.entries,
      numFeatures: this.numFeatures,
      numClasses: this.numClasses,
      beforeWrite: () => this.folded.clear(),
    };
    return loadStateDictInto(target, sd, options);
  }

  freeze(spec: FreezeSpec): string[] {
    this.assertAlive();
    return freezeEntries([...this.entries.values()], spec);
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
  spec: ResNetSpec,
  options: Required<ResNetOptions>,
): Map<string, number[]> {
  const numClasses = options.includeTop ? options.numClasses : null;
  return new Map(
    plannedEntries(networkLayout(spec), numClasses).map((e) => [e.key, [...e.torchShape]]),
  );
}

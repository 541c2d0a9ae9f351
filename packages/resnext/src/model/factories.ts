import { assertOptionKeys } from "@celeba/internal";
import { CONV_GRADIENTS } from "../kernels/conv-gradient";
import { GROUPED_CONV_IMPLS } from "../kernels/grouped-conv";
import { InvalidOptionError } from "../model-errors";
import { ARCH_NAMES, ARCHITECTURES, type ArchName } from "./architectures";
import { buildResNet } from "./resnet";
import type { ResNetModel, ResNetOptions } from "./resnet-model";

/** The config of {@link createModel}: an architecture name plus {@link ResNetOptions}. */
export interface CreateModelConfig extends ResNetOptions {
  /** Architecture, named as torchvision's function (no default), or `"resnext_tiny"`. */
  arch: ArchName;
}

const OPTION_KEYS = [
  "numClasses",
  "includeTop",
  "seed",
  "groupedConvImpl",
  "convGradient",
  "freezeBatchNormStats",
  "recordFrozenLayers",
  "checkpointBlocks",
] as const;

/**
 * Validates `options` and fills in every default. Used by the factories, and by tests that
 * build models from a spec; not part of the package's API.
 */
export function resolveOptions(
  options: ResNetOptions,
  extraKeys: string[] = [],
): Required<ResNetOptions> {
  assertOptionKeys(InvalidOptionError, options, [...extraKeys, ...OPTION_KEYS], {
    option: "option name",
    hint: "Remove or rename this option.",
  });
  const {
    numClasses = 1000,
    includeTop = true,
    seed = 0,
    groupedConvImpl = "auto",
    convGradient = "im2col",
    freezeBatchNormStats = false,
    recordFrozenLayers = false,
    checkpointBlocks = false,
  } = options;
  if (!Number.isSafeInteger(numClasses) || numClasses < 1) {
    throw new InvalidOptionError({
      option: "numClasses",
      value: numClasses,
      hint: "Pass a positive integer (1000 for ImageNet weights, 40 for CelebA attributes).",
    });
  }
  if (typeof includeTop !== "boolean") {
    throw new InvalidOptionError({
      option: "includeTop",
      value: includeTop,
      hint: "Pass true or false.",
    });
  }
  if (typeof seed !== "string" && !Number.isSafeInteger(seed)) {
    throw new InvalidOptionError({
      option: "seed",
      value: seed,
      hint: "Pass a safe integer or a string.",
    });
  }
  if (groupedConvImpl !== "auto" && !GROUPED_CONV_IMPLS.includes(groupedConvImpl)) {
    throw new InvalidOptionError({
      option: "groupedConvImpl",
      value: groupedConvImpl,
      hint: "Pick a formulation, or 'auto' for the fastest one on the current backend.",
      validChoices: ["auto", ...GROUPED_CONV_IMPLS],
    });
  }
  if (!CONV_GRADIENTS.includes(convGradient)) {
    throw new InvalidOptionError({
      option: "convGradient",
      value: convGradient,
      hint: "Pick how convolutions are differentiated ('im2col' is faster and trains on wasm).",
      validChoices: CONV_GRADIENTS,
    });
  }
  if (typeof freezeBatchNormStats !== "boolean") {
    throw new InvalidOptionError({
      option: "freezeBatchNormStats",
      value: freezeBatchNormStats,
      hint: "Pass true or false.",
    });
  }
  if (typeof recordFrozenLayers !== "boolean") {
    throw new InvalidOptionError({
      option: "recordFrozenLayers",
      value: recordFrozenLayers,
      hint: "Pass true or false.",
    });
  }
  if (typeof checkpointBlocks !== "boolean") {
    throw new InvalidOptionError({
      option: "checkpointBlocks",
      value: checkpointBlocks,
      hint: "Pass true or false.",
    });
  }
  return {
    checkpointBlocks,
    numClasses,
    includeTop,
    seed,
    groupedConvImpl,
    convGradient,
    freezeBatchNormStats,
    recordFrozenLayers,
  };
}

/**
 * Creates a ResNet-family model by architecture name, initialised like torchvision
 * (kaiming-normal fan-out convolutions, BN weight 1 / bias 0, `nn.Linear`'s default head).
 *
 * @param config - `arch` (required) plus {@link ResNetOptions}: `numClasses` (default 1000),
 *   `includeTop` (default true), `seed` (default 0), `groupedConvImpl` (default "auto"), `convGradient` (default "im2col"),
 *   `freezeBatchNormStats` (default false), `recordFrozenLayers` (default false), `checkpointBlocks` (default false).
 * @returns A new {@link ResNetModel}; call `dispose()` when done.
 * @throws {InvalidOptionError} when `arch` or an option is invalid (lists valid choices).
 * @example
 * const model = createModel({ arch: "resnext50_32x4d", numClasses: 40 });
 * model.loadStateDict(await readStateDict("resnext50_32x4d-7cdf4587.pth"));
 * model.freeze(6);
 */
export function createModel(config: CreateModelConfig): ResNetModel {
  if (typeof config !== "object" || config === null) {
    throw new InvalidOptionError({
      option: "config",
      value: config,
      hint: 'Pass a config object such as { arch: "resnext50_32x4d" }.',
    });
  }
  const { arch, ...rest } = config;
  if (!Object.hasOwn(ARCHITECTURES, arch)) {
    throw new InvalidOptionError({
      option: "arch",
      value: arch,
      hint: "Use one of torchvision's architecture names.",
      validChoices: ARCH_NAMES,
    });
  }
  return buildResNet(arch, ARCHITECTURES[arch], resolveOptions(rest));
}

function factory(arch: ArchName) {
  return (options: ResNetOptions = {}): ResNetModel =>
    buildResNet(arch, ARCHITECTURES[arch], resolveOptions(options));
}

/**
 * ResNet-18 (torchvision's `resnet18`): BasicBlock, [2, 2, 2, 2].
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnet18({ numClasses: 10 });
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const resnet18 = factory("resnet18");
/**
 * ResNet-34 (torchvision's `resnet34`): BasicBlock, [3, 4, 6, 3].
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnet34();
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const resnet34 = factory("resnet34");
/**
 * ResNet-50 (torchvision's `resnet50`): Bottleneck, [3, 4, 6, 3].
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnet50({ includeTop: false });
 * const features = model.apply(tf.zeros([1, 224, 224, 3]), { training: false }); // [1, 2048]
 * model.dispose();
 */
export const resnet50 = factory("resnet50");
/**
 * ResNet-101 (torchvision's `resnet101`): Bottleneck, [3, 4, 23, 3].
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnet101();
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const resnet101 = factory("resnet101");
/**
 * ResNet-152 (torchvision's `resnet152`): Bottleneck, [3, 8, 36, 3].
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnet152();
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const resnet152 = factory("resnet152");
/**
 * ResNeXt-50 32x4d (torchvision's `resnext50_32x4d`, the paper's model): Bottleneck,
 * [3, 4, 6, 3], 32 groups of width 4.
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnext50_32x4d({ numClasses: 40 });
 * const scores = model.apply(tf.zeros([1, 218, 178, 3]), { training: false }); // [1, 40]
 * model.dispose();
 */
export const resnext50_32x4d = factory("resnext50_32x4d");
/**
 * ResNeXt-101 32x8d (torchvision's `resnext101_32x8d`): Bottleneck, [3, 4, 23, 3], 32x8.
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnext101_32x8d();
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const resnext101_32x8d = factory("resnext101_32x8d");
/**
 * ResNeXt-101 64x4d (torchvision's `resnext101_64x4d`): Bottleneck, [3, 4, 23, 3], 64x4.
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnext101_64x4d();
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const resnext101_64x4d = factory("resnext101_64x4d");
/**
 * Wide ResNet-50-2 (torchvision's `wide_resnet50_2`): Bottleneck, [3, 4, 6, 3], width 128.
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = wide_resnet50_2();
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const wide_resnet50_2 = factory("wide_resnet50_2");
/**
 * Wide ResNet-101-2 (torchvision's `wide_resnet101_2`): Bottleneck, [3, 4, 23, 3], width 128.
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = wide_resnet101_2();
 * const logits = model.apply(tf.zeros([1, 224, 224, 3]), { training: false });
 * model.dispose();
 */
export const wide_resnet101_2 = factory("wide_resnet101_2");
/**
 * `resnext_tiny`, this package's small ResNeXt for demos and tests (same code path as
 * resnext50_32x4d): Bottleneck, [1, 1, 1, 1], stem 8, planes [8, 16, 32, 64], 4 groups,
 * widthPerGroup 16; 256 features. Buildable in PyTorch from torchvision's ResNet/Bottleneck.
 *
 * @param options - {@link ResNetOptions}; every field has a default (1000 classes, seed 0).
 * @returns A new {@link ResNetModel}.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const model = resnext_tiny({ numClasses: 40 });
 * const scores = model.apply(tf.zeros([2, 218, 178, 3]), { training: true });
 * model.dispose();
 */
export const resnext_tiny = factory("resnext_tiny");

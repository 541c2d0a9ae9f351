/** The residual block of an architecture: torchvision's `BasicBlock` or `Bottleneck`. */
export type BlockType = "basic" | "bottleneck";

/**
 * Everything that distinguishes one member of the ResNet family from another, with
 * torchvision's meaning: `groups` and `widthPerGroup` as in `torchvision.models.resnet.ResNet`,
 * plus the stem width and per-stage `planes`, which torchvision fixes at 64 and
 * [64, 128, 256, 512] and `resnext_tiny` narrows.
 */
export interface ResNetSpec {
  /** Residual block type. */
  block: BlockType;
  /** Blocks per stage (`layer1`..`layer4`). */
  layers: [number, number, number, number];
  /** Convolution groups of each bottleneck's 3x3 convolution (cardinality). */
  groups: number;
  /** torchvision's `width_per_group`; the 3x3 width is `planes * widthPerGroup / 64 * groups`. */
  widthPerGroup: number;
  /** Output channels of `conv1` (torchvision: 64). */
  stemWidth: number;
  /** `planes` of `layer1`..`layer4` (torchvision: [64, 128, 256, 512]). */
  planes: [number, number, number, number];
}

const STANDARD_PLANES: [number, number, number, number] = [64, 128, 256, 512];

function spec(
  block: BlockType,
  layers: [number, number, number, number],
  groups = 1,
  widthPerGroup = 64,
): ResNetSpec {
  return { block, layers, groups, widthPerGroup, stemWidth: 64, planes: STANDARD_PLANES };
}

/**
 * The architectures `createModel` knows, by torchvision's function name. `resnext_tiny` is this
 * package's own: a Bottleneck ResNeXt with one block per stage, a 8-channel stem, planes
 * [8, 16, 32, 64], 4 groups and widthPerGroup 16 (3x3 widths 8, 16, 32, 64; 256 features).
 *
 * @example
 * const spec = ARCHITECTURES.resnext50_32x4d;
 * console.log(spec.groups, spec.widthPerGroup); // 32 4
 * console.log(spec.layers); // [3, 4, 6, 3]
 */
export const ARCHITECTURES = {
  resnet18: spec("basic", [2, 2, 2, 2]),
  resnet34: spec("basic", [3, 4, 6, 3]),
  resnet50: spec("bottleneck", [3, 4, 6, 3]),
  resnet101: spec("bottleneck", [3, 4, 23, 3]),
  resnet152: spec("bottleneck", [3, 8, 36, 3]),
  resnext50_32x4d: spec("bottleneck", [3, 4, 6, 3], 32, 4),
  resnext101_32x8d: spec("bottleneck", [3, 4, 23, 3], 32, 8),
  resnext101_64x4d: spec("bottleneck", [3, 4, 23, 3], 64, 4),
  wide_resnet50_2: spec("bottleneck", [3, 4, 6, 3], 1, 128),
  wide_resnet101_2: spec("bottleneck", [3, 4, 23, 3], 1, 128),
  resnext_tiny: {
    block: "bottleneck",
    layers: [1, 1, 1, 1],
    groups: 4,
    widthPerGroup: 16,
    stemWidth: 8,
    planes: [8, 16, 32, 64],
  },
} as const satisfies Record<string, ResNetSpec>;

/** The name of an architecture in {@link ARCHITECTURES}, e.g. `"resnext50_32x4d"`. */
export type ArchName = keyof typeof ARCHITECTURES;

/**
 * All architecture names, in table order (what `createModel`'s `arch` accepts).
 *
 * @example
 * for (const arch of ARCH_NAMES) console.log(arch);
 * // resnet18, resnet34, ..., resnext_tiny
 * ARCH_NAMES.includes("resnext50_32x4d"); // true
 */
export const ARCH_NAMES = Object.keys(ARCHITECTURES) as ArchName[];

/** The channel expansion of a block type's output (torchvision's `block.expansion`); internal. */
export function blockExpansion(block: BlockType): number {
  return block === "basic" ? 1 : 4;
}

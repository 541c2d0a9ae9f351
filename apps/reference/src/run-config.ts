import { ARCH_NAMES, type ArchName, RESNET_CHILDREN } from "@celeba/resnext";
import type { LossName, OptimizerName } from "@celeba/train";
import { LOSS_NAMES } from "@celeba/train/losses";
import { OPTIMIZER_NAMES } from "@celeba/train/optimizers";
import { BACKEND_CHOICES, type BackendChoice } from "./backend";
import type { CommandContext } from "./command-context";
import { CliError } from "./errors";

/** Everything a training run needs, kept as the `settings` of the run's `run.json` so `--resume` needs no flags. */
export interface RunConfig {
  /** CelebA root folder (absolute). */
  data: string;
  arch: ArchName;
  /** torchvision ImageNet weights (`.pth` or `.safetensors`), or null to start from random init. */
  weights: string | null;
  epochs: number;
  batchSize: number;
  lr: number;
  loss: LossName;
  optimizer: OptimizerName;
  /** How many leading children (conv1, bn1, relu, maxpool, layer1, layer2, …) are frozen. */
  freeze: number;
  split: "random" | "official";
  seed: number;
  backend: BackendChoice;
  /** Network input (crop) size. The paper's is 178x218. */
  imageSize: { width: number; height: number };
  /** Size the training transform resizes to before its random crop. The paper's is 220x270. */
  resize: { width: number; height: number };
  /** Cap on images per split, for quick runs (0 = all). */
  limit: number;
  /** Leave out missing and undecodable images with a warning (`--skip-bad-images`) instead of stopping. */
  skipBadImages?: boolean;
}

/** The paper's training defaults. */
export const PAPER_DEFAULTS = {
  arch: "resnext50_32x4d",
  epochs: 12,
  batchSize: 32,
  lr: 0.002,
  loss: "mse",
  optimizer: "adamax",
  freeze: 6,
  split: "random",
  seed: 0,
  backend: "auto",
  imageSize: { width: 178, height: 218 },
} as const;

export function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new CliError(`--${flag} "${value}" is not valid: choose one of ${choices.join(", ")}.`);
  }
  return value as T;
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`--${flag} "${value}" is not valid: give a positive number, e.g. 0.002.`);
  return n;
}

/** Parses `WIDTHxHEIGHT`, e.g. `178x218`. */
export function parseSize(flag: string, value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(value.trim());
  if (!m || Number(m[1]) < 8 || Number(m[2]) < 8) {
    throw new CliError(
      `--${flag} "${value}" is not valid: give WIDTHxHEIGHT in pixels, at least 8x8, e.g. 178x218.`,
    );
  }
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** The paper's resize-before-crop size (220x270 for a 178x218 crop), scaled to another crop size. */
export function resizeForCrop(size: { width: number; height: number }): {
  width: number;
  height: number;
} {
  return {
    width: Math.round((size.width * 220) / 178),
    height: Math.round((size.height * 270) / 218),
  };
}

/** `--freeze N`: how many of torchvision's top-level children to freeze, checked before any work. */
function freezeCount(ctx: CommandContext): number {
  const n = ctx.int("freeze", PAPER_DEFAULTS.freeze, { allowZero: true });
  if (n > RESNET_CHILDREN.length) {
    throw new CliError(
      `--freeze ${n} is not valid: a ResNet has ${RESNET_CHILDREN.length} top-level children ` +
        `(${RESNET_CHILDREN.join(", ")}); give 0 to ${RESNET_CHILDREN.length} (the paper freezes 6).`,
    );
  }
  return n;
}

/** Defaults another command (the demo) puts in place of the paper's. */
export interface RunDefaults {
  arch?: ArchName;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  imageSize?: { width: number; height: number };
}

/** Builds and validates a run config from a command's flags over the paper's defaults (or `overrides`). */
export function runConfigFromFlags(
  ctx: CommandContext,
  data: string,
  overrides: RunDefaults = {},
): RunConfig {
  const defaults = { ...PAPER_DEFAULTS, ...overrides };
  const size = ctx.string("image-size");
  const imageSize = size ? parseSize("image-size", size) : { ...defaults.imageSize };
  const lr = ctx.string("lr");
  return {
    data,
    arch: oneOf("arch", ctx.string("arch") ?? defaults.arch, ARCH_NAMES),
    weights: ctx.string("weights") ?? null,
    epochs: ctx.int("epochs", defaults.epochs),
    batchSize: ctx.int("batch-size", defaults.batchSize),
    lr: lr === undefined ? defaults.lr : positiveNumber("lr", lr),
    loss: oneOf("loss", ctx.string("loss") ?? PAPER_DEFAULTS.loss, LOSS_NAMES),
    optimizer: oneOf(
      "optimizer",
      ctx.string("optimizer") ?? PAPER_DEFAULTS.optimizer,
      OPTIMIZER_NAMES,
    ),
    freeze: freezeCount(ctx),
    split: oneOf("split", ctx.string("split") ?? PAPER_DEFAULTS.split, [
      "random",
      "official",
    ] as const),
    seed: ctx.int("seed", PAPER_DEFAULTS.seed, { allowZero: true }),
    backend: oneOf("backend", ctx.string("backend") ?? PAPER_DEFAULTS.backend, BACKEND_CHOICES),
    imageSize,
    resize: resizeForCrop(imageSize),
    limit: ctx.int("limit", 0, { allowZero: true }),
    skipBadImages: ctx.bool("skip-bad-images"),
  };
}

import { formatValue } from "@celeba/internal";
import { ARCH_NAMES, type ArchName } from "@celeba/resnext";
import { RESNET_CHILDREN } from "@celeba/resnext/weights";
import { LOSS_NAMES, type LossName, OPTIMIZER_NAMES, type OptimizerName } from "@celeba/train";
import { BACKEND_CHOICES, type BackendChoice } from "./backend";
import { CliError } from "./errors";

/** How a run splits its images: the paper's seeded 80/10/10, or CelebA's list_eval_partition.txt. */
export const SPLIT_CHOICES = ["random", "official"] as const;

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
  split: (typeof SPLIT_CHOICES)[number];
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

/**
 * The paper's settings for a data folder, what `train --data DIR` runs with no other flag, with
 * `changes` over them; the training resize follows a changed `imageSize` unless `changes` gives one.
 */
export function paperRunConfig(
  data: string,
  changes: Partial<Omit<RunConfig, "data">> = {},
): RunConfig {
  const imageSize = changes.imageSize ?? { ...PAPER_DEFAULTS.imageSize };
  return {
    ...PAPER_DEFAULTS,
    weights: null,
    resize: resizeForCrop(imageSize),
    limit: 0,
    ...changes,
    data,
    imageSize,
  };
}

/**
 * Where a config's values came from, so that a message names what the user wrote: the
 * command's flags, or a saved file (a run's `run.json`, whose settings sit under `settings`).
 */
export type RunConfigSource = { kind: "flags" } | { kind: "file"; path: string; prefix: string };

/** The flag that sets each setting (`resize` follows `--image-size`). */
const FLAG_OF: Record<keyof RunConfig, string> = {
  data: "--data",
  arch: "--arch",
  weights: "--weights",
  epochs: "--epochs",
  batchSize: "--batch-size",
  lr: "--lr",
  loss: "--loss",
  optimizer: "--optimizer",
  freeze: "--freeze",
  split: "--split",
  seed: "--seed",
  backend: "--backend",
  imageSize: "--image-size",
  resize: "the resize of --image-size",
  limit: "--limit",
  skipBadImages: "--skip-bad-images",
};

const isInteger = (v: unknown, min: number): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min;
const isSize = (v: unknown, min: { width: number; height: number }): boolean =>
  typeof v === "object" &&
  v !== null &&
  isInteger((v as { width?: unknown }).width, min.width) &&
  isInteger((v as { height?: unknown }).height, min.height);
const oneOfChoices = (choices: readonly string[]) => ({
  ok: (v: unknown) => typeof v === "string" && choices.includes(v),
  fix: `choose one of ${choices.join(", ")}`,
});
const MIN_SIZE = { width: 8, height: 8 };

/** One rule per setting: whether a value passes, and what to give instead. */
function rules(
  config: RunConfig,
): Record<keyof RunConfig, { ok: (v: unknown) => boolean; fix: string }> {
  const children = RESNET_CHILDREN.length;
  return {
    data: { ok: (v) => typeof v === "string" && v !== "", fix: "give the CelebA root folder" },
    arch: oneOfChoices(ARCH_NAMES),
    weights: {
      ok: (v) => v === null || (typeof v === "string" && v !== ""),
      fix: "give torchvision's .pth or a .safetensors file, or none for random init",
    },
    epochs: { ok: (v) => isInteger(v, 1), fix: "give a positive integer" },
    batchSize: { ok: (v) => isInteger(v, 1), fix: "give a positive integer" },
    lr: {
      ok: (v) => typeof v === "number" && Number.isFinite(v) && v > 0,
      fix: "give a positive number, e.g. 0.002",
    },
    loss: oneOfChoices(LOSS_NAMES),
    optimizer: oneOfChoices(OPTIMIZER_NAMES),
    freeze: {
      ok: (v) => isInteger(v, 0) && v <= children,
      fix:
        `a ResNet has ${children} top-level children (${RESNET_CHILDREN.join(", ")}); ` +
        `give 0 to ${children} (the paper freezes 6)`,
    },
    split: oneOfChoices(SPLIT_CHOICES),
    seed: { ok: (v) => isInteger(v, 0), fix: "give a non-negative integer" },
    backend: oneOfChoices(BACKEND_CHOICES),
    imageSize: {
      ok: (v) => isSize(v, MIN_SIZE),
      fix: "give WIDTHxHEIGHT in pixels, at least 8x8, e.g. 178x218",
    },
    resize: {
      // The training transform crops imageSize out of resize, so resize cannot be smaller.
      ok: (v) => isSize(v, isSize(config.imageSize, MIN_SIZE) ? config.imageSize : MIN_SIZE),
      fix: "give a width and height at least the image size's, e.g. 220x270 for 178x218",
    },
    limit: { ok: (v) => isInteger(v, 0), fix: "give a non-negative integer (0 = all images)" },
    skipBadImages: {
      ok: (v) => v === undefined || typeof v === "boolean",
      fix: "give true or false",
    },
  };
}

/**
 * Checks every setting of a run config: present, of its type, in its range or among its
 * choices. The message names the flag (or, for a saved file, the file and the key), the value,
 * and what to give instead.
 *
 * @param config - The config to check, e.g. parsed from flags or read from `run.json`.
 * @param source - Where the values came from; default: the command's flags.
 * @returns `config`, unchanged.
 * @throws {CliError} At the first setting that is not valid.
 */
export function checkRunConfig(
  config: RunConfig,
  source: RunConfigSource = { kind: "flags" },
): RunConfig {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new CliError(settingMessage(source, undefined, config, "give an object of settings"));
  }
  for (const [key, rule] of Object.entries(rules(config)) as Array<
    [keyof RunConfig, { ok: (v: unknown) => boolean; fix: string }]
  >) {
    if (!rule.ok(config[key])) {
      throw new CliError(settingMessage(source, key, config[key], rule.fix));
    }
  }
  return config;
}

function settingMessage(
  source: RunConfigSource,
  key: keyof RunConfig | undefined,
  value: unknown,
  fix: string,
): string {
  const shown =
    key === "imageSize" && isSize(value, { width: 0, height: 0 })
      ? `${(value as RunConfig["imageSize"]).width}x${(value as RunConfig["imageSize"]).height}`
      : formatValue(value);
  if (source.kind === "flags") {
    return `${key ? FLAG_OF[key] : "the run config"} ${shown} is not valid: ${fix}.`;
  }
  const where =
    key === undefined ? source.prefix.replace(/\.$/, "") || "the file" : `${source.prefix}${key}`;
  return (
    `${source.path}: "${where}" is ${value === undefined ? "missing" : shown}: ${fix}. ` +
    "Correct it, or start a new run with --force."
  );
}

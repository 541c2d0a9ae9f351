import type { ArchName } from "@celeba/resnext";
import type { LossName, OptimizerName } from "@celeba/train";
import type { BackendChoice } from "./backend";
import type { CommandContext } from "./command-context";
import { parsePositiveNumber, parseSize } from "./flag-values";
import { checkRunConfig, PAPER_DEFAULTS, type RunConfig, resizeForCrop } from "./run-config";

/** Defaults another command (the demo) puts in place of the paper's, for the settings a flag sets. */
export type RunDefaults = Partial<
  Pick<
    RunConfig,
    | "arch"
    | "epochs"
    | "batchSize"
    | "lr"
    | "loss"
    | "optimizer"
    | "freeze"
    | "split"
    | "seed"
    | "backend"
    | "imageSize"
  >
>;

/**
 * Builds a run config from a command's flags over the paper's defaults (or `overrides`), and
 * checks it with {@link checkRunConfig}, so every message names the flag to change.
 *
 * @throws {CliError} At the first flag that does not parse or is out of range.
 */
export function runConfigFromFlags(
  ctx: CommandContext,
  data: string,
  overrides: RunDefaults = {},
): RunConfig {
  const defaults = { ...PAPER_DEFAULTS, ...overrides };
  const size = ctx.string("image-size");
  const imageSize = size ? parseSize("image-size", size) : { ...defaults.imageSize };
  const lr = ctx.string("lr");
  // Choices are checked by checkRunConfig, with the same message a parse would give.
  return checkRunConfig({
    data,
    arch: (ctx.string("arch") ?? defaults.arch) as ArchName,
    weights: ctx.string("weights") ?? null,
    epochs: ctx.int("epochs", defaults.epochs),
    batchSize: ctx.int("batch-size", defaults.batchSize),
    lr: lr === undefined ? defaults.lr : parsePositiveNumber("lr", lr),
    loss: (ctx.string("loss") ?? defaults.loss) as LossName,
    optimizer: (ctx.string("optimizer") ?? defaults.optimizer) as OptimizerName,
    freeze: ctx.int("freeze", defaults.freeze, { allowZero: true }),
    split: (ctx.string("split") ?? defaults.split) as RunConfig["split"],
    seed: ctx.int("seed", defaults.seed, { allowZero: true }),
    backend: (ctx.string("backend") ?? defaults.backend) as BackendChoice,
    imageSize,
    resize: resizeForCrop(imageSize),
    limit: ctx.int("limit", 0, { allowZero: true }),
    skipBadImages: ctx.bool("skip-bad-images"),
  });
}

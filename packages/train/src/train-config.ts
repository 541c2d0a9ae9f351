import type { Normalization } from "./checkpoint-metadata";
import type { OptimizerConfig } from "./create-optimizer";
import { InvalidOptionError } from "./errors";
import { LOSS_NAMES, type LossName } from "./losses";
import type { TrainableModel } from "./trainable-model";

/** The `run.json` file: train's settings of a run (and the caller's, under `settings`). */
export interface RunConfig {
  version: 1;
  epochs: number;
  loss: LossName | "custom";
  optimizer: OptimizerConfig;
  attributeNames: string[] | null;
  seed: number | string;
  checkpointMetadata: Record<string, unknown>;
  checkpointEverySteps: number;
  threshold: number;
  /** Absent in runs started before the typed metadata. */
  architecture?: string;
  normalization?: Normalization | null;
  /** The caller's settings, when it gave some. */
  settings?: Record<string, unknown>;
}

/** Checks a run's settings before any work, naming the bad option and what is valid. */
export function validateConfig(config: RunConfig): void {
  if (!Number.isInteger(config.epochs) || config.epochs < 1) {
    throw new InvalidOptionError({
      option: "epochs",
      value: config.epochs,
      hint: "Expected a positive integer (the paper used 12).",
    });
  }
  if (config.loss !== "custom" && !LOSS_NAMES.includes(config.loss)) {
    throw new InvalidOptionError({
      option: "loss",
      value: config.loss,
      hint: "Pass a built-in loss name or a loss function.",
      validChoices: LOSS_NAMES,
    });
  }
  if (!Number.isInteger(config.checkpointEverySteps) || config.checkpointEverySteps < 0) {
    throw new InvalidOptionError({
      option: "checkpointEverySteps",
      value: config.checkpointEverySteps,
      hint: "Expected an integer >= 0 (0 = checkpoint only at epoch ends).",
    });
  }
  if (!Number.isFinite(config.threshold)) {
    throw new InvalidOptionError({
      option: "threshold",
      value: config.threshold,
      hint: "Expected a finite number (the paper used 0).",
    });
  }
  if (typeof config.seed !== "number" && typeof config.seed !== "string") {
    throw new InvalidOptionError({
      option: "seed",
      value: config.seed,
      hint: "Expected a number or a string.",
    });
  }
}

/** The architecture to record: given, else named in the extra metadata, else the model's own `arch`. */
export function architectureOf(options: {
  architecture?: string;
  checkpointMetadata?: Record<string, unknown>;
  model: TrainableModel;
}): string {
  const extra = options.checkpointMetadata?.architecture;
  return (
    options.architecture ??
    (typeof extra === "string" ? extra : undefined) ??
    options.model.arch ??
    "unknown"
  );
}

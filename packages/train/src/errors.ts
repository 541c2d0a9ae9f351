import {
  CelebaError,
  errorClass,
  errorMarker,
  invalidOptionErrorClass,
  invalidOptionMessage,
} from "@celeba/internal";

/**
 * Base class of every error thrown by `@celeba/train`, so callers can catch
 * them all with one `TrainError.isInstance(e)` check (which, unlike `instanceof`, also
 * works across the ESM and CJS copies of the package).
 *
 * @example
 * ```ts
 * try { await train(options); } catch (e) { if (TrainError.isInstance(e)) console.error(e.message); }
 * ```
 */
export class TrainError extends CelebaError {
  static override readonly marker: symbol = errorMarker("train", "TrainError");
}

/**
 * A configuration value is not valid (unknown loss/optimizer name, negative
 * learning rate, ...). Thrown before any work starts.
 *
 * @example
 * ```ts
 * try { createOptimizer({ name: "adamw" }); }
 * catch (e) { if (InvalidOptionError.isInstance(e)) console.log(e.option, e.validChoices); }
 * ```
 */
export class InvalidOptionError extends invalidOptionErrorClass(TrainError, (init) =>
  invalidOptionMessage(init, { quoteChoices: true }),
) {
  static override readonly marker: symbol = errorMarker("train", "InvalidOptionError");
}

/**
 * The training loss became NaN or ±Infinity. The run stops before the
 * offending gradient is applied; the last good checkpoint (see `latest.json`)
 * is kept untouched, so the run can be resumed with a smaller learning rate.
 *
 * @example
 * ```ts
 * try { await train(options); }
 * catch (e) { if (NonFiniteLossError.isInstance(e)) console.log(e.epoch, e.step, e.loss); }
 * ```
 */
export class NonFiniteLossError extends errorClass(
  TrainError,
  ["epoch", "step", "loss", "lastCheckpoint"],
  (init: {
    /** 1-based epoch in which the loss diverged. */
    epoch: number;
    /** 0-based step (batch index) within that epoch. */
    step: number;
    /** The offending loss value (NaN, Infinity or -Infinity). */
    loss: number;
    /** Path of the last good checkpoint, if one was written. */
    lastCheckpoint?: string | undefined;
  }) =>
    `Training loss is ${init.loss} at epoch ${init.epoch}, step ${init.step}; the run was stopped before applying this step. ` +
    `${init.lastCheckpoint ? `The last good checkpoint is ${init.lastCheckpoint}. ` : ""}` +
    "Fix: lower the learning rate, check the inputs/labels for NaN, or use a numerically stable loss, then resume().",
) {
  static override readonly marker: symbol = errorMarker("train", "NonFiniteLossError");
}

/**
 * A checkpoint or run directory is missing, incomplete or does not match the
 * model being resumed.
 *
 * @example
 * ```ts
 * try { await resume(runDir, options); }
 * catch (e) { if (CheckpointError.isInstance(e)) console.log(e.path); }
 * ```
 */
export class CheckpointError extends errorClass(
  TrainError,
  ["path"],
  (init: {
    /** The file or directory involved. */
    path: string;
    /** What is wrong and how to fix it. */
    message: string;
  }) => `${init.path}: ${init.message}`,
) {
  static override readonly marker: symbol = errorMarker("train", "CheckpointError");
}

/**
 * A batch from a data source has an inconsistent shape (labels not `n x numClasses`,
 * images not `n*h*w*c` floats, ...).
 *
 * @example
 * ```ts
 * try { await evaluate(model, data); }
 * catch (e) { if (BatchShapeError.isInstance(e)) console.log(e.batchIndex); }
 * ```
 */
export class BatchShapeError extends errorClass(
  TrainError,
  ["batchIndex"],
  (init: {
    /** 0-based index of the offending batch in its epoch. */
    batchIndex: number;
    /** What is inconsistent and how to fix it. */
    message: string;
  }) => `Batch ${init.batchIndex}: ${init.message}`,
) {
  static override readonly marker: symbol = errorMarker("train", "BatchShapeError");
}

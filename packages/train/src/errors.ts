import {
  assignInvalidOption,
  CelebaError,
  errorMarker,
  type InvalidOptionInit,
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
export class InvalidOptionError extends TrainError {
  static override readonly marker: symbol = errorMarker("train", "InvalidOptionError");
  /** The offending option, e.g. `"optimizer.name"`. */
  declare readonly option: string;
  /** The value that was given. */
  readonly value: unknown;
  /** The accepted values, when the option is an enumeration. */
  readonly validChoices: readonly string[] | undefined;
  /** How to fix it. */
  readonly hint: string | undefined;

  /**
   * @param init - The offending option, the value given, how to fix it, and the accepted values
   *   when the option is an enumeration.
   */
  constructor(init: InvalidOptionInit) {
    super({ message: invalidOptionMessage(init, { quoteChoices: true }) });
    assignInvalidOption(this, init);
  }
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
export class NonFiniteLossError extends TrainError {
  static override readonly marker: symbol = errorMarker("train", "NonFiniteLossError");
  /** 1-based epoch in which the loss diverged. */
  readonly epoch: number;
  /** 0-based step (batch index) within that epoch. */
  readonly step: number;
  /** The offending loss value (NaN, Infinity or -Infinity). */
  readonly loss: number;
  /** Path of the last good checkpoint, if one was written. */
  readonly lastCheckpoint: string | undefined;

  /**
   * @param init - 1-based epoch, 0-based step in the epoch, the non-finite loss value, and the
   *   path of the last good checkpoint, if any.
   */
  constructor({
    epoch,
    step,
    loss,
    lastCheckpoint,
  }: {
    epoch: number;
    step: number;
    loss: number;
    lastCheckpoint?: string | undefined;
  }) {
    super({
      message:
        `Training loss is ${loss} at epoch ${epoch}, step ${step}; the run was stopped before applying this step. ` +
        `${lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}. ` : ""}` +
        "Fix: lower the learning rate, check the inputs/labels for NaN, or use a numerically stable loss, then resume().",
    });
    this.epoch = epoch;
    this.step = step;
    this.loss = loss;
    this.lastCheckpoint = lastCheckpoint;
  }
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
export class CheckpointError extends TrainError {
  static override readonly marker: symbol = errorMarker("train", "CheckpointError");
  /** The file or directory involved. */
  readonly path: string;

  /**
   * @param init - The file or directory involved, and what is wrong and how to fix it.
   */
  constructor({ path, message }: { path: string; message: string }) {
    super({ message: `${path}: ${message}` });
    this.path = path;
  }
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
export class BatchShapeError extends TrainError {
  static override readonly marker: symbol = errorMarker("train", "BatchShapeError");
  /** 0-based index of the offending batch in its epoch. */
  readonly batchIndex: number;

  /**
   * @param init - 0-based index of the batch, and what is inconsistent and how to fix it.
   */
  constructor({ batchIndex, message }: { batchIndex: number; message: string }) {
    super({ message: `Batch ${batchIndex}: ${message}` });
    this.batchIndex = batchIndex;
  }
}

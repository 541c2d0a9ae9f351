import { formatValue } from "@celeba/internal";
/**
 * Base class of every error thrown by `@celeba/train`, so callers can catch
 * them all with one `instanceof` check.
 *
 * @example
 * ```ts
 * try { await train(options); } catch (e) { if (e instanceof TrainError) console.error(e.message); }
 * ```
 */
export class TrainError extends Error {
  /**
   * @param message - What went wrong and how to fix it.
   */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A configuration value is not valid (unknown loss/optimizer name, negative
 * learning rate, ...). Thrown before any work starts.
 *
 * @example
 * ```ts
 * try { createOptimizer({ name: "adamw" }); }
 * catch (e) { if (e instanceof InvalidConfigError) console.log(e.field, e.validChoices); }
 * ```
 */
export class InvalidConfigError extends TrainError {
  /** The offending option, e.g. `"optimizer.name"`. */
  readonly field: string;
  /** The value that was given. */
  readonly value: unknown;
  /** The accepted values, when the option is an enumeration. */
  readonly validChoices: readonly string[] | undefined;

  /**
   * @param field - The offending option.
   * @param value - The value that was given.
   * @param hint - How to fix it.
   * @param validChoices - The accepted values, if the option is an enumeration.
   */
  constructor(field: string, value: unknown, hint: string, validChoices?: readonly string[]) {
    const choices = validChoices
      ? ` Valid choices: ${validChoices.map((c) => JSON.stringify(c)).join(", ")}.`
      : "";
    super(`Invalid ${field}: ${formatValue(value)}. ${hint}${choices}`);
    this.field = field;
    this.value = value;
    this.validChoices = validChoices;
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
 * catch (e) { if (e instanceof NonFiniteLossError) console.log(e.epoch, e.step, e.loss); }
 * ```
 */
export class NonFiniteLossError extends TrainError {
  /** 1-based epoch in which the loss diverged. */
  readonly epoch: number;
  /** 0-based step (batch index) within that epoch. */
  readonly step: number;
  /** The offending loss value (NaN, Infinity or -Infinity). */
  readonly loss: number;
  /** Path of the last good checkpoint, if one was written. */
  readonly lastCheckpoint: string | undefined;

  /**
   * @param epoch - 1-based epoch.
   * @param step - 0-based step in the epoch.
   * @param loss - The non-finite loss value.
   * @param lastCheckpoint - Path of the last good checkpoint, if any.
   */
  constructor(epoch: number, step: number, loss: number, lastCheckpoint?: string) {
    super(
      `Training loss is ${loss} at epoch ${epoch}, step ${step}; the run was stopped before applying this step. ` +
        `${lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}. ` : ""}` +
        "Fix: lower the learning rate, check the inputs/labels for NaN, or use a numerically stable loss, then resume().",
    );
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
 * catch (e) { if (e instanceof CheckpointError) console.log(e.path); }
 * ```
 */
export class CheckpointError extends TrainError {
  /** The file or directory involved. */
  readonly path: string;

  /**
   * @param path - The file or directory involved.
   * @param message - What is wrong and how to fix it.
   */
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
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
 * catch (e) { if (e instanceof BatchShapeError) console.log(e.batchIndex); }
 * ```
 */
export class BatchShapeError extends TrainError {
  /** 0-based index of the offending batch in its epoch. */
  readonly batchIndex: number;

  /**
   * @param batchIndex - 0-based index of the batch.
   * @param message - What is inconsistent and how to fix it.
   */
  constructor(batchIndex: number, message: string) {
    super(`Batch ${batchIndex}: ${message}`);
    this.batchIndex = batchIndex;
  }
}

import { errorMarker, invalidOptionErrorClass, invalidOptionMessage } from "@celeba/internal";
import { ResnextError } from "./errors";

/**
 * A model option has an invalid value. `option` names it, `value` is what was given and
 * `validChoices` (when the choices are finite) lists what would have been accepted.
 *
 * @example
 * try { resnext50_32x4d({ numClasses: 0 }); }
 * catch (e) { if (InvalidOptionError.isInstance(e)) console.log(e.option); } // "numClasses"
 * // the message says which values are accepted
 */
export class InvalidOptionError extends invalidOptionErrorClass(ResnextError, (init) =>
  invalidOptionMessage(init),
) {
  static override readonly marker: symbol = errorMarker("resnext", "InvalidOptionError");
}

/**
 * A tensor passed to a model has the wrong rank, channel count, dtype or batch size.
 *
 * @example
 * try { model.apply(tf.zeros([1, 3, 224, 224]), { training: false }); }
 * catch (e) { if (InvalidInputError.isInstance(e)) console.log(e.shape); } // [1, 3, 224, 224]
 * // the message says to pass NHWC with 3 channels
 */
export class InvalidInputError extends ResnextError {
  static override readonly marker: symbol = errorMarker("resnext", "InvalidInputError");
  /** The shape of the rejected tensor. */
  readonly shape: readonly number[];
  constructor({ shape, message }: { shape: readonly number[]; message: string }) {
    super({ message });
    this.shape = [...shape];
  }
}

/** One state-dict entry whose shape differs from the model's parameter of the same name. */
export interface ShapeMismatch {
  /** The torchvision key, e.g. `"layer1.0.conv2.weight"`. */
  key: string;
  /** The model's shape, in torchvision's layout. */
  expected: number[];
  /** The shape found in the state dict. */
  actual: number[];
}

/**
 * `loadStateDict` found keys the model lacks, keys the state dict lacks, or shape mismatches.
 * All of them are listed in one error, by name; nothing was loaded.
 *
 * @example
 * try { model.loadStateDict(sd); }
 * catch (e) { if (StateDictMismatchError.isInstance(e)) console.log(e.missing, e.unexpected); }
 * // pass { strict: false } to load the matching keys only
 */
export class StateDictMismatchError extends ResnextError {
  static override readonly marker: symbol = errorMarker("resnext", "StateDictMismatchError");
  /** Model keys absent from the state dict. */
  readonly missing: string[];
  /** State-dict keys the model does not have. */
  readonly unexpected: string[];
  /** Keys present on both sides with different shapes. */
  readonly shapeMismatches: ShapeMismatch[];
  constructor({
    arch,
    missing,
    unexpected,
    shapeMismatches,
  }: {
    arch: string;
    missing: string[];
    unexpected: string[];
    shapeMismatches: ShapeMismatch[];
  }) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing keys (${missing.length}): ${list(missing)}`);
    if (unexpected.length > 0) {
      parts.push(`unexpected keys (${unexpected.length}): ${list(unexpected)}`);
    }
    if (shapeMismatches.length > 0) {
      const items = shapeMismatches.map(
        (m) => `${m.key} (model [${m.expected.join(", ")}], state dict [${m.actual.join(", ")}])`,
      );
      parts.push(`shape mismatches (${shapeMismatches.length}): ${list(items)}`);
    }
    super({
      message:
        `Error(s) in loading state_dict for ${arch}: ${parts.join("; ")}. Nothing was loaded. ` +
        "Check that the weights belong to this architecture (keys follow torchvision's " +
        "state_dict names); pass { strict: false } to ignore missing and unexpected keys " +
        "(shape mismatches are always errors).",
    });
    this.missing = missing;
    this.unexpected = unexpected;
    this.shapeMismatches = shapeMismatches;
  }
}

function list(items: string[]): string {
  const shown = items.slice(0, 20).join(", ");
  return items.length > 20 ? `${shown}, … (${items.length - 20} more)` : shown;
}

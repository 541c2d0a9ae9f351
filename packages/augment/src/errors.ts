import {
  assignInvalidOption,
  CelebaError,
  errorMarker,
  formatValue,
  type InvalidOptionInit,
} from "@celeba/internal";
/**
 * Base class of every error thrown by `@celeba/augment`; catch this to handle all of them.
 *
 * @example
 * try { crop(img, { left: 0, top: 0, width: 9999, height: 1 }); }
 * catch (e) { if (AugmentError.isInstance(e)) console.error(e.message); }
 * // prints which value was wrong and how to fix it
 */
export class AugmentError extends CelebaError {
  static override readonly marker: symbol = errorMarker("augment", "AugmentError");
}

/**
 * An argument (size, probability, seed, option) has an invalid value.
 *
 * @example
 * try { resize(img, { width: 0, height: 10 }); }
 * catch (e) { if (InvalidOptionError.isInstance(e)) console.log(e.option, e.value); }
 * // "width" 0
 */
export class InvalidOptionError extends AugmentError {
  static override readonly marker: symbol = errorMarker("augment", "InvalidOptionError");
  /** Name of the offending argument or option, e.g. `"width"` or `"mean"`. */
  declare readonly option: string;
  /** The offending value as given. */
  readonly value: unknown;
  /** The accepted values, when there is a finite list of them. */
  readonly validChoices: readonly string[] | undefined;
  /** What would be accepted. */
  readonly hint: string | undefined;
  constructor(init: InvalidOptionInit) {
    const choices = init.validChoices ? ` Valid choices: ${init.validChoices.join(", ")}.` : "";
    super({
      message: `Invalid ${init.option}: got ${formatValue(init.value)}; expected ${init.hint ?? "another value"}.${choices}`,
    });
    assignInvalidOption(this, init);
  }
}

/**
 * A {@link RawImage} is malformed: bad dimensions, channel count, or data length.
 *
 * @example
 * try { assertRawImage({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 }); }
 * catch (e) { if (InvalidImageError.isInstance(e)) console.log(e.field); }
 * // "data.length"
 */
export class InvalidImageError extends AugmentError {
  static override readonly marker: symbol = errorMarker("augment", "InvalidImageError");
  /** Which field of the image is wrong: `"width"`, `"height"`, `"channels"`, `"data"` or `"data.length"`. */
  readonly field: string;
  /** The offending value. */
  readonly value: unknown;
  constructor({ field, value, fix }: { field: string; value: unknown; fix: string }) {
    super({ message: `Invalid RawImage ${field}: got ${formatValue(value)}. ${fix}` });
    this.field = field;
    this.value = value;
  }
}

/**
 * A crop box (or a random crop size) does not fit inside the image.
 *
 * @example
 * try { crop(img178x218, { left: 100, top: 0, width: 100, height: 10 }); }
 * catch (e) { if (CropOutOfBoundsError.isInstance(e)) console.log(e.box, e.imageWidth); }
 * // { left: 100, top: 0, width: 100, height: 10 } 178
 */
export class CropOutOfBoundsError extends AugmentError {
  static override readonly marker: symbol = errorMarker("augment", "CropOutOfBoundsError");
  /** The requested box. */
  readonly box: { left: number; top: number; width: number; height: number };
  /** Width of the image being cropped. */
  readonly imageWidth: number;
  /** Height of the image being cropped. */
  readonly imageHeight: number;
  constructor({
    box,
    imageWidth,
    imageHeight,
    fix,
  }: {
    box: { left: number; top: number; width: number; height: number };
    imageWidth: number;
    imageHeight: number;
    fix: string;
  }) {
    super({
      message:
        `Crop box left=${box.left}, top=${box.top}, width=${box.width}, height=${box.height} ` +
        `(right=${box.left + box.width}, bottom=${box.top + box.height}) does not fit inside the ` +
        `${imageWidth}x${imageHeight} (width x height) image. ${fix}`,
    });
    this.box = box;
    this.imageWidth = imageWidth;
    this.imageHeight = imageHeight;
  }
}

/**
 * The image's channel count does not match what the operation was given (e.g. 3 mean values for a 1-channel image).
 *
 * @example
 * try { toFloat32(grayImage, { normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } }); }
 * catch (e) { if (ChannelMismatchError.isInstance(e)) console.log(e.expected, e.actual); }
 * // 1 3
 */
export class ChannelMismatchError extends AugmentError {
  static override readonly marker: symbol = errorMarker("augment", "ChannelMismatchError");
  /** Channel count the operation needs (the image's channel count). */
  readonly expected: number;
  /** Channel count it was given. */
  readonly actual: number;
  constructor({
    what,
    expected,
    actual,
    fix,
  }: {
    what: string;
    expected: number;
    actual: number;
    fix: string;
  }) {
    super({ message: `${what}: expected ${expected} channel(s), got ${actual}. ${fix}` });
    this.expected = expected;
    this.actual = actual;
  }
}

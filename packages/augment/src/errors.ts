import {
  CelebaError,
  errorClass,
  errorMarker,
  formatValue,
  invalidOptionErrorClass,
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
export class InvalidOptionError extends invalidOptionErrorClass(
  AugmentError,
  (init, shown) =>
    `Invalid ${init.option}: got ${shown.value}; expected ${init.hint ?? "another value"}.${shown.choices}`,
) {
  static override readonly marker: symbol = errorMarker("augment", "InvalidOptionError");
}

/**
 * A {@link RawImage} is malformed: bad dimensions, channel count, or data length.
 *
 * @example
 * try { assertRawImage({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 }); }
 * catch (e) { if (InvalidImageError.isInstance(e)) console.log(e.field); }
 * // "data.length"
 */
export class InvalidImageError extends errorClass(
  AugmentError,
  ["field", "value"],
  (init: {
    /** Which field of the image is wrong: `"width"`, `"height"`, `"channels"`, `"data"` or `"data.length"`. */
    field: string;
    /** The offending value. */
    value: unknown;
    /** How to fix it. */
    fix: string;
  }) => `Invalid RawImage ${init.field}: got ${formatValue(init.value)}. ${init.fix}`,
) {
  static override readonly marker: symbol = errorMarker("augment", "InvalidImageError");
}

/**
 * A crop box (or a random crop size) does not fit inside the image.
 *
 * @example
 * try { crop(img178x218, { left: 100, top: 0, width: 100, height: 10 }); }
 * catch (e) { if (CropOutOfBoundsError.isInstance(e)) console.log(e.box, e.imageWidth); }
 * // { left: 100, top: 0, width: 100, height: 10 } 178
 */
export class CropOutOfBoundsError extends errorClass(
  AugmentError,
  ["box", "imageWidth", "imageHeight"],
  ({
    box,
    imageWidth,
    imageHeight,
    fix,
  }: {
    /** The requested box. */
    box: { left: number; top: number; width: number; height: number };
    /** Width of the image being cropped. */
    imageWidth: number;
    /** Height of the image being cropped. */
    imageHeight: number;
    /** How to fix it. */
    fix: string;
  }) =>
    `Crop box left=${box.left}, top=${box.top}, width=${box.width}, height=${box.height} ` +
    `(right=${box.left + box.width}, bottom=${box.top + box.height}) does not fit inside the ` +
    `${imageWidth}x${imageHeight} (width x height) image. ${fix}`,
) {
  static override readonly marker: symbol = errorMarker("augment", "CropOutOfBoundsError");
}

/**
 * The image's channel count does not match what the operation was given (e.g. 3 mean values for a 1-channel image).
 *
 * @example
 * try { toFloat32(grayImage, { normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } }); }
 * catch (e) { if (ChannelMismatchError.isInstance(e)) console.log(e.expected, e.actual); }
 * // 1 3
 */
export class ChannelMismatchError extends errorClass(
  AugmentError,
  ["expected", "actual"],
  (init: {
    /** What was given, e.g. `normalize mean [0.5, 0.5, 0.5]`. */
    what: string;
    /** Channel count the operation needs (the image's channel count). */
    expected: number;
    /** Channel count it was given. */
    actual: number;
    /** How to fix it. */
    fix: string;
  }) => `${init.what}: expected ${init.expected} channel(s), got ${init.actual}. ${init.fix}`,
) {
  static override readonly marker: symbol = errorMarker("augment", "ChannelMismatchError");
}

import { CropOutOfBoundsError, InvalidOptionError } from "./errors";
import { assertRawImage, type RawImage } from "./raw-image";

/** A crop rectangle in pixels. PIL's box `(left, upper, right, lower)` is `(left, top, left + width, top + height)`. */
export interface CropBox {
  /** First column kept (0-based). */
  left: number;
  /** First row kept (0-based). */
  top: number;
  /** Number of columns kept; a positive integer. */
  width: number;
  /** Number of rows kept; a positive integer. */
  height: number;
}

/** A target size in pixels. */
export interface Size {
  /** Width in pixels; a positive integer. */
  width: number;
  /** Height in pixels; a positive integer. */
  height: number;
}

/**
 * Cuts a rectangle out of an image, like PIL's `img.crop((left, top, left + width, top + height))`.
 * Unlike PIL, a box reaching outside the image is an error rather than zero padding.
 *
 * @param img - Source image (not modified).
 * @param box - The rectangle to keep.
 * @returns A new image of `box.width` x `box.height`.
 * @throws {InvalidOptionError} when a box field is not an integer or a size is not positive.
 * @throws {CropOutOfBoundsError} when the box does not fit inside the image.
 * @example
 * const face = crop(img, { left: 21, top: 26, width: 178, height: 218 });
 * console.log(face.width, face.height); // 178 218
 * // same pixels as PIL img.crop((21, 26, 199, 244))
 */
export function crop(img: RawImage, box: CropBox): RawImage {
  assertRawImage(img);
  validateCropBox(box, img.width, img.height);
  const { left, top, width, height } = box;
  const c = img.channels;
  const rowBytes = width * c;
  const out = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const s = ((top + y) * img.width + left) * c;
    out.set(img.data.subarray(s, s + rowBytes), y * rowBytes);
  }
  return { data: out, width, height, channels: c };
}

/**
 * Crops the centre of an image with torchvision's `CenterCrop` rounding:
 * `top = round((H - height) / 2)`, `left = round((W - width) / 2)` (Python's round, ties to even).
 *
 * @param img - Source image (not modified).
 * @param size - Output size; must not exceed the image (torchvision would pad instead).
 * @returns A new image of `size`.
 * @throws {InvalidOptionError} when a size is not a positive integer.
 * @throws {CropOutOfBoundsError} when `size` is larger than the image.
 * @example
 * const big = resize(img, { width: 220, height: 270 });
 * const mid = centerCrop(big, { width: 178, height: 218 });
 * console.log(mid.width); // 178
 */
export function centerCrop(img: RawImage, size: Size): RawImage {
  assertRawImage(img);
  validateSize(size, "size");
  const top = roundHalfEven((img.height - size.height) / 2);
  const left = roundHalfEven((img.width - size.width) / 2);
  return crop(img, { left, top, width: size.width, height: size.height });
}

/** Python 3's `round()` for the halves produced by (integer / 2). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Checks a size object, naming the argument in errors. */
export function validateSize(size: Size, name: string): void {
  if (size === null || typeof size !== "object") {
    throw new InvalidOptionError({
      option: name,
      value: size,
      hint: "an object { width, height } of positive integers",
    });
  }
  if (!Number.isInteger(size.width) || size.width <= 0) {
    throw new InvalidOptionError({
      option: `${name}.width`,
      value: size.width,
      hint: "a positive integer number of pixels",
    });
  }
  if (!Number.isInteger(size.height) || size.height <= 0) {
    throw new InvalidOptionError({
      option: `${name}.height`,
      value: size.height,
      hint: "a positive integer number of pixels",
    });
  }
}

/** Checks a crop box against an image size. */
export function validateCropBox(box: CropBox, imageWidth: number, imageHeight: number): void {
  validateSize(box, "box");
  if (!Number.isInteger(box.left))
    throw new InvalidOptionError({
      option: "box.left",
      value: box.left,
      hint: "an integer column index",
    });
  if (!Number.isInteger(box.top))
    throw new InvalidOptionError({
      option: "box.top",
      value: box.top,
      hint: "an integer row index",
    });
  if (
    box.left < 0 ||
    box.top < 0 ||
    box.left + box.width > imageWidth ||
    box.top + box.height > imageHeight
  ) {
    throw new CropOutOfBoundsError({
      box: { left: box.left, top: box.top, width: box.width, height: box.height },
      imageWidth,
      imageHeight,
      fix:
        `Keep 0 <= left, left + width <= ${imageWidth}, 0 <= top and top + height <= ${imageHeight}; ` +
        "resize the image first if the crop should be larger.",
    });
  }
}

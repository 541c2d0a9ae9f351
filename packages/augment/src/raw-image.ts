import { InvalidImageError } from "./errors";

/**
 * A decoded 8-bit image, HWC interleaved (row-major, channels last), like transformers.js' RawImage.
 * Pixel (x, y) channel c lives at `data[(y * width + x) * channels + c]`.
 */
export interface RawImage {
  /** Pixel bytes, length `width * height * channels`. */
  data: Uint8Array;
  /** Width in pixels (columns). */
  width: number;
  /** Height in pixels (rows). */
  height: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
}

/** Options of {@link createRawImage}. */
export interface CreateRawImageOptions {
  /** Width in pixels; a positive integer. Required. */
  width: number;
  /** Height in pixels; a positive integer. Required. */
  height: number;
  /** Channel count, 1, 3 or 4. Default 3. */
  channels?: 1 | 3 | 4;
  /** Pixel bytes (HWC), used without copying. Default: a new zero-filled buffer. */
  data?: Uint8Array;
}

/**
 * Creates a validated {@link RawImage}, allocating a zeroed buffer when `data` is omitted.
 *
 * @param options - Dimensions, channel count and optional pixel data.
 * @returns The image (sharing `options.data` when given).
 * @throws {InvalidImageError} when a dimension is not a positive integer, channels is not 1/3/4,
 *   or `data.length !== width * height * channels`.
 * @example
 * const img = createRawImage({ width: 178, height: 218 });
 * img.data[0] = 255; // top-left pixel, red channel
 * console.log(img.data.length); // 116412
 */
export function createRawImage(options: CreateRawImageOptions): RawImage {
  const channels = options.channels ?? 3;
  const data =
    options.data ?? new Uint8Array(checkedLength(options.width, options.height, channels));
  const img: RawImage = { data, width: options.width, height: options.height, channels };
  assertRawImage(img);
  return img;
}

/**
 * Checks that a value is a well-formed {@link RawImage}.
 *
 * @param img - The value to check.
 * @param name - How to call it in error messages. Default `"image"`.
 * @throws {InvalidImageError} naming the bad field and its value.
 * @example
 * assertRawImage(decoded); // throws if decoded.data.length is wrong
 * const { width, height } = decoded;
 * console.log(width * height);
 */
export function assertRawImage(img: RawImage, name = "image"): void {
  if (img === null || typeof img !== "object") {
    throw new InvalidImageError({
      field: "(whole value)",
      value: img,
      fix: `Pass ${name} as { data, width, height, channels }.`,
    });
  }
  checkedLength(img.width, img.height, img.channels, name);
  if (!(img.data instanceof Uint8Array)) {
    throw new InvalidImageError({
      field: "data",
      value: img.data,
      fix: `${name}.data must be a Uint8Array (a Node Buffer is fine); convert with new Uint8Array(buffer).`,
    });
  }
  const expected = img.width * img.height * img.channels;
  if (img.data.length !== expected) {
    throw new InvalidImageError({
      field: "data.length",
      value: img.data.length,
      fix:
        `${name} is ${img.width}x${img.height}x${img.channels} (width x height x channels), so data must hold ` +
        `${expected} bytes; check the decoder's output dimensions and channel count.`,
    });
  }
}

/**
 * Returns a deep copy of an image (new pixel buffer).
 *
 * @param img - Image to copy.
 * @returns A new image with the same dimensions and a copied `data`.
 * @example
 * const copy = cloneRawImage(img);
 * copy.data[0] = 0;
 * console.log(img.data[0]); // unchanged
 */
export function cloneRawImage(img: RawImage): RawImage {
  return { data: img.data.slice(), width: img.width, height: img.height, channels: img.channels };
}

function checkedLength(width: number, height: number, channels: number, name = "image"): number {
  if (!Number.isInteger(width) || width <= 0) {
    throw new InvalidImageError({
      field: "width",
      value: width,
      fix: `${name}.width must be a positive integer number of pixels.`,
    });
  }
  if (!Number.isInteger(height) || height <= 0) {
    throw new InvalidImageError({
      field: "height",
      value: height,
      fix: `${name}.height must be a positive integer number of pixels.`,
    });
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InvalidImageError({
      field: "channels",
      value: channels,
      fix: `${name}.channels must be 1 (grey), 3 (RGB) or 4 (RGBA); decode to RGB first (e.g. sharp's .removeAlpha()).`,
    });
  }
  return width * height * channels;
}

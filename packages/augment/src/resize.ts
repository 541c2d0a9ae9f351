import { InvalidOptionError } from "./errors";
import { assertRawImage, type RawImage } from "./raw-image";
import { RESIZE_FILTERS, type ResizeFilter, resampleRegion } from "./resample";

export type { ResizeFilter } from "./resample";

/** Options of {@link resize}. */
export interface ResizeOptions {
  /** Target width in pixels; a positive integer. Required. */
  width: number;
  /** Target height in pixels; a positive integer. Required. */
  height: number;
  /**
   * Resampling filter, as in Pillow's `Image.Resampling`. Default `"bicubic"`, which is what
   * Pillow 9.4's `Image.resize` uses for RGB/L images when no filter is given.
   */
  filter?: ResizeFilter;
}

/**
 * Resizes an image exactly like Pillow 9.4's `Image.resize((width, height), filter)`: separable
 * two-pass (horizontal, then vertical) convolution with half-pixel centres, the kernel widened by
 * the scale factor when shrinking, 22-bit fixed-point weights, and rounding to uint8 between passes.
 * Channels are resampled independently (Pillow premultiplies alpha for RGBA; this does not).
 *
 * @param img - Source image (not modified).
 * @param options - Target size and filter.
 * @returns A new image of the target size (a copy when the size is unchanged).
 * @throws {InvalidOptionError} when a size is not a positive integer or the filter is unknown.
 * @throws {InvalidImageError} when `img` is malformed.
 * @example
 * const big = resize(img178x218, { width: 220, height: 270 });
 * console.log(big.width, big.height); // 220 270
 * const fast = resize(img, { width: 64, height: 64, filter: "bilinear" });
 */
export function resize(img: RawImage, options: ResizeOptions): RawImage {
  assertRawImage(img);
  const { width, height } = options;
  const filter = validateResize(width, height, options.filter);
  const data = resampleRegion({
    src: img.data,
    srcWidth: img.width,
    srcHeight: img.height,
    channels: img.channels,
    outWidth: width,
    outHeight: height,
    filter,
    regionLeft: 0,
    regionTop: 0,
    regionWidth: width,
    regionHeight: height,
    mirror: false,
  });
  return { data, width, height, channels: img.channels };
}

/** Validates resize sizes and filter, returning the filter with its default applied. */
export function validateResize(
  width: number,
  height: number,
  filter: ResizeFilter | undefined,
): ResizeFilter {
  if (!Number.isInteger(width) || width <= 0) {
    throw new InvalidOptionError({
      option: "width",
      value: width,
      hint: "a positive integer number of pixels",
    });
  }
  if (!Number.isInteger(height) || height <= 0) {
    throw new InvalidOptionError({
      option: "height",
      value: height,
      hint: "a positive integer number of pixels",
    });
  }
  const f = filter ?? "bicubic";
  if (!RESIZE_FILTERS.includes(f)) {
    throw new InvalidOptionError({
      option: "filter",
      value: filter,
      hint: `one of ${RESIZE_FILTERS.map((x) => `"${x}"`).join(", ")}`,
    });
  }
  return f;
}

import { crop, type Size, validateSize } from "./crop";
import { CropOutOfBoundsError } from "./errors";
import type { RawImage } from "./raw-image";
import type { Rng } from "./rng";
import type { Transform } from "./transform";

/**
 * Makes a transform that crops a random `size` window, with torchvision's `RandomCrop` semantics:
 * `top = randint(0, H - height)` then `left = randint(0, W - width)` (both inclusive, drawn in
 * that order with `rng.nextInt`); when the window equals the image, nothing is drawn.
 *
 * @param size - Window size, or one number for a square window.
 * @returns A {@link Transform}; it throws {@link CropOutOfBoundsError} for images smaller than `size`.
 * @throws {InvalidOptionError} when a size is not a positive integer.
 * @example
 * const cropBack = randomCrop({ width: 178, height: 218 });
 * const out = cropBack(resize(img, { width: 220, height: 270 }), createRng(deriveSeed(1, 0, 5)));
 * console.log(out.width, out.height); // 178 218
 */
export function randomCrop(size: Size | number): Transform {
  const s: Size =
    typeof size === "number"
      ? { width: size, height: size }
      : { width: size.width, height: size.height };
  validateSize(s, "size");
  return (img: RawImage, rng: Rng) => {
    const { left, top } = randomCropOffset(img.width, img.height, s, rng);
    return crop(img, { left, top, width: s.width, height: s.height });
  };
}

/** Draws torchvision's `RandomCrop.get_params` offsets; shared by the fused CelebA pipeline so both draw identically. */
export function randomCropOffset(
  imageWidth: number,
  imageHeight: number,
  size: Size,
  rng: Rng,
): { left: number; top: number } {
  if (size.width > imageWidth || size.height > imageHeight) {
    throw new CropOutOfBoundsError({
      box: { left: 0, top: 0, width: size.width, height: size.height },
      imageWidth,
      imageHeight,
      fix: "The random crop window must not be larger than the image; resize the image up first or crop smaller.",
    });
  }
  if (size.width === imageWidth && size.height === imageHeight) return { left: 0, top: 0 };
  const top = rng.nextInt(imageHeight - size.height + 1);
  const left = rng.nextInt(imageWidth - size.width + 1);
  return { left, top };
}

import { InvalidOptionError } from "./errors";
import { hflip } from "./hflip";
import type { RawImage } from "./raw-image";
import type { Rng } from "./rng";
import type { Transform } from "./transform";

/**
 * Makes a transform that mirrors the image left-right with probability `p`, like torchvision's
 * `RandomHorizontalFlip`: it draws `rng.next()` once and flips when the draw is `< p`. Unflipped
 * images are returned as is (not copied).
 *
 * @param p - Flip probability in [0, 1]. Default 0.5.
 * @returns A {@link Transform}.
 * @throws {InvalidOptionError} when `p` is not a number in [0, 1].
 * @example
 * const flip = randomHorizontalFlip();
 * const out = flip(img, createRng(7)); // flipped or not, the same for seed 7 every time
 * console.log(out.width === img.width); // true
 */
export function randomHorizontalFlip(p = 0.5): Transform {
  validateProbability(p);
  return (img: RawImage, rng: Rng) => (rng.next() < p ? hflip(img) : img);
}

/** Checks a probability argument. */
export function validateProbability(p: number, name = "p"): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new InvalidOptionError({
      option: name,
      value: p,
      hint: "a probability between 0 and 1 inclusive",
    });
  }
}

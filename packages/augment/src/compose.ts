import { InvalidOptionError } from "./errors";
import type { RawImage } from "./raw-image";
import type { Rng } from "./rng";
import type { Transform } from "./transform";

/**
 * Chains transforms left to right, all drawing from the same `rng`, like torchvision's `Compose`.
 * Deterministic operations fit in with a lambda, e.g. `(img) => resize(img, { width: 220, height: 270 })`.
 *
 * @param transforms - The transforms, applied in order.
 * @returns One {@link Transform} running them all.
 * @throws {InvalidOptionError} when an entry is not a function.
 * @example
 * const t = compose([randomHorizontalFlip(), (img) => resize(img, { width: 220, height: 270 }), randomCrop({ width: 178, height: 218 })]);
 * const out = t(img, createRng(deriveSeed(seed, epoch, index)));
 * console.log(out.width, out.height); // 178 218
 */
export function compose(transforms: readonly Transform[]): Transform {
  if (!Array.isArray(transforms)) {
    throw new InvalidOptionError({
      option: "transforms",
      value: transforms,
      hint: "an array of (img, rng) => RawImage functions",
    });
  }
  transforms.forEach((t, i) => {
    if (typeof t !== "function") {
      throw new InvalidOptionError({
        option: `transforms[${i}]`,
        value: t,
        hint: "a function (img, rng) => RawImage",
      });
    }
  });
  const list = transforms.slice();
  return (img: RawImage, rng: Rng) => {
    let out = img;
    for (const t of list) out = t(out, rng);
    return out;
  };
}

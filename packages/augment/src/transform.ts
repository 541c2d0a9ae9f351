import type { RawImage } from "./raw-image";
import type { Rng } from "./rng";

/**
 * An image transform: takes an image and a generator, returns a new image. Deterministic
 * transforms ignore `rng`; random ones draw from it, so replaying the same rng state replays them.
 */
export type Transform = (img: RawImage, rng: Rng) => RawImage;

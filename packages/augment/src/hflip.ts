import { assertRawImage, type RawImage } from "./raw-image";

/**
 * Mirrors an image left-right; bit-exact with Pillow's `Image.transpose(FLIP_LEFT_RIGHT)`
 * (and torchvision's `F.hflip` on PIL images).
 *
 * @param img - Image to flip (not modified).
 * @returns A new image of the same size.
 * @throws {InvalidImageError} when `img` is malformed.
 * @example
 * const flipped = hflip(img);
 * // flipped pixel (0, y) is img pixel (width - 1, y)
 * console.log(flipped.width === img.width); // true
 */
export function hflip(img: RawImage): RawImage {
  assertRawImage(img);
  const { width, height, channels: c, data } = img;
  const out = new Uint8Array(data.length);
  const stride = width * c;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) {
      const s = row + (width - 1 - x) * c;
      const d = row + x * c;
      for (let ch = 0; ch < c; ch++) out[d + ch] = data[s + ch] as number;
    }
  }
  return { data: out, width, height, channels: c };
}

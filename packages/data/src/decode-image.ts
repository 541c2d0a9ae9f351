import type { RawImage } from "@celeba/augment";
import sharp from "sharp";
import { decodeCmykJpeg, jpegComponentCount } from "./cmyk-jpeg";
import { decodeJpegWasm } from "./jpeg-wasm";

/**
 * Decodes an encoded image (JPEG, PNG, WebP, ...) into an interleaved 8-bit RGB {@link RawImage}, like
 * PIL's `Image.open(f).convert("RGB")`: grey and CMYK become RGB, alpha is dropped, no EXIF rotation.
 * Plain baseline JPEGs are decoded by a WebAssembly decoder on the calling thread (same pixels as sharp
 * and Pillow); CMYK and YCCK JPEGs through sharp's raw CMYK and Pillow's own `cmyk2rgb` (same pixels
 * as Pillow); everything else by sharp on libuv's thread pool.
 *
 * @param bytes - The encoded file's bytes.
 * @returns The decoded image, `channels` = 3.
 * @throws {Error} sharp's error when the data is truncated, corrupt or not an image (callers wrap it in a BadImageError).
 * @example
 * const img = await decodeImage(await readFile("000001.jpg"));
 * img.width; // 178
 * img.height; // 218
 */
export async function decodeImage(bytes: Uint8Array): Promise<RawImage> {
  // Plain baseline JPEGs (all of CelebA) decode in WebAssembly to the same pixels without sharp's per-call
  // overhead; every other file, and every damaged one, goes to sharp as before.
  const fast = decodeJpegWasm(bytes);
  if (fast) return fast;
  if (jpegComponentCount(bytes) === 4) return decodeCmykJpeg(bytes);
  // failOn "warning" turns libjpeg's "premature end of data" into an error instead of a grey-padded image.
  const { data, info } = await sharp(bytes, { failOn: "warning" })
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: 3,
  };
}

import type { RawImage } from "@celeba/augment";
import sharp from "sharp";

/**
 * The component count of a JPEG's frame (1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK), read from the
 * markers before its first scan; undefined when `bytes` is not a JPEG or its headers are cut short.
 */
export function jpegComponentCount(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1] as number;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // a scan or the end before any frame
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    // A frame header: length, precision, height and width, then the component count.
    if (isFrame) return i + 9 < bytes.length ? (bytes[i + 9] as number) : undefined;
    i += 2 + (((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number));
  }
  return undefined;
}

/**
 * Decodes a 4-component (CMYK or YCCK) JPEG as Pillow's `Image.open(f).convert("RGB")` does:
 * libjpeg's CMYK (YCCK already converted by libjpeg), read as inverted ("Adobe conventions", which
 * Pillow and libvips both assume, Adobe marker or not), then Pillow's `cmyk2rgb`,
 * `R = 255 - K - C * (255 - K) / 255` in its integer form, with no colour profile. sharp alone
 * would convert through a CMYK profile and give other colours.
 *
 * @param bytes - The JPEG's bytes; {@link jpegComponentCount} must report 4.
 * @throws {Error} sharp's error for a truncated or corrupt file.
 */
export async function decodeCmykJpeg(bytes: Uint8Array): Promise<RawImage> {
  const { data, info } = await sharp(bytes, { failOn: "warning" })
    .pipelineColourspace("cmyk")
    .toColourspace("cmyk")
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected 4 CMYK channels, got ${info.channels}`);
  const pixels = info.width * info.height;
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const at = p * 4;
    const read = (c: number) => data[at + c] as number;
    const nk = 255 - read(3);
    for (let c = 0; c < 3; c++) {
      // Pillow's MULDIV255(a, b): (t = a * b + 128, ((t >> 8) + t) >> 8).
      const t = read(c) * nk + 128;
      // The product over 255 never exceeds nk, so Pillow's CLIP8 has nothing to clip.
      rgb[p * 3 + c] = nk - (((t >> 8) + t) >> 8);
    }
  }
  return { data: rgb, width: info.width, height: info.height, channels: 3 };
}

import { createRawImage, type RawImage } from "@celeba/augment";

/**
 * Decodes an image to RGB bytes at its own size. The browser only decodes: the canvas is the
 * image's size, so nothing is scaled, and colour-space conversion is off so a PNG's bytes come
 * out as stored. Resizing is @celeba/augment's, as in the CLI.
 *
 * @param source - An image file or blob, or a video frame.
 */
export async function decodeImage(source: ImageBitmapSource): Promise<RawImage> {
  const bitmap = await createImageBitmap(source, {
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("this browser has no 2D canvas to read pixels from");
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const rgb = new Uint8Array(bitmap.width * bitmap.height * 3);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      rgb[j] = rgba[i]!;
      rgb[j + 1] = rgba[i + 1]!;
      rgb[j + 2] = rgba[i + 2]!;
    }
    return createRawImage({ width: bitmap.width, height: bitmap.height, channels: 3, data: rgb });
  } finally {
    bitmap.close();
  }
}

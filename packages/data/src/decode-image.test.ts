import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeImage } from "./decode-image";

const fixtures = join(__dirname, "..", "fixtures");
const golden = JSON.parse(readFileSync(join(fixtures, "pil-decoded.json"), "utf8")) as {
  images: Record<string, { width: number; height: number; rgbBase64: string }>;
};

describe("decodeImage", () => {
  for (const name of ["tiny-rgb.jpg", "tiny-gray.jpg"]) {
    it(`${name}: bit-exact with PIL's Image.open().convert("RGB")`, async () => {
      const want = golden.images[name]!;
      const img = await decodeImage(readFileSync(join(fixtures, name)));
      expect([img.width, img.height, img.channels]).toEqual([want.width, want.height, 3]);
      const ref = Buffer.from(want.rgbBase64, "base64");
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(ref[i]! - img.data[i]!));
      expect(maxDiff).toBe(0);
    });
  }

  it("fails on a truncated JPEG instead of returning grey padding", async () => {
    const bytes = readFileSync(join(fixtures, "tiny-rgb.jpg"));
    await expect(decodeImage(bytes.subarray(0, Math.floor(bytes.length * 0.6)))).rejects.toThrow();
    await expect(decodeImage(Buffer.from("not an image"))).rejects.toThrow();
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jpegComponentCount } from "./cmyk-jpeg";
import { decodeImage } from "./decode-image";

interface Case {
  name: string;
  jpegBase64: string;
  width: number;
  height: number;
  rgbBase64: string;
}

// Made by scripts/make-cmyk-fixtures.py: CMYK JPEGs written by Pillow 9.4 (with and without the
// Adobe marker) and a YCCK one, each with Pillow's own Image.open(f).convert("RGB") as reference.
const { cases } = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "cmyk-jpegs.json"), "utf8"),
) as { cases: Case[] };

describe('CMYK and YCCK JPEGs decode like Pillow\'s convert("RGB")', () => {
  it("has the fixtures", () => {
    expect(cases.map((c) => c.name.replace(/-\d+x\d+$/, ""))).toEqual(
      expect.arrayContaining(["cmyk-adobe", "cmyk-no-adobe", "ycck"]),
    );
  });

  for (const c of cases) {
    it(`${c.name}: exactly Pillow's pixels`, async () => {
      const jpeg = Buffer.from(c.jpegBase64, "base64");
      expect(jpegComponentCount(jpeg)).toBe(4);
      const img = await decodeImage(jpeg);
      expect([img.width, img.height, img.channels]).toEqual([c.width, c.height, 3]);
      const want = Buffer.from(c.rgbBase64, "base64");
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs((img.data[i] as number) - (want[i] as number)));
      // Tolerance 0: the same libjpeg decode, then Pillow's integer formula.
      expect(maxDiff).toBe(0);
    });
  }

  it("reports 3 components for an RGB JPEG and nothing for other bytes", () => {
    const rgb = readFileSync(join(__dirname, "..", "fixtures", "tiny-rgb.jpg"));
    expect(jpegComponentCount(rgb)).toBe(3);
    expect(jpegComponentCount(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(jpegComponentCount(rgb.subarray(0, 6))).toBeUndefined();
  });

  it("still fails on a truncated CMYK JPEG", async () => {
    const jpeg = Buffer.from(cases[0]!.jpegBase64, "base64");
    await expect(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.7)))).rejects.toThrow();
  });
});

import { describe, expect, it } from "vitest";
import { manifest, readFloats, sourceImage } from "../test/fixtures";
import { ChannelMismatchError, InvalidOptionError } from "./errors";
import {
  IMAGENET_MEAN,
  IMAGENET_STD,
  normalize,
  toFloat32,
  toNormalizedFloat32,
} from "./normalize";

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe("toFloat32 / normalize vs torchvision ToTensor + Normalize", () => {
  for (const [i, t] of manifest.tensors.entries()) {
    const label = `${t.source} mean=[${t.mean}] std=[${t.std}]`;
    it(`toNormalizedFloat32 matches (${label})`, () => {
      const img = sourceImage(t.source);
      const ref = readFloats(t.file);
      const out = toNormalizedFloat32(img, { mean: t.mean, std: t.std });
      expect(maxAbsDiff(out, ref)).toBeLessThanOrEqual(1e-6);
      // Each float32 op is rounded like torch's, so the match is exact.
      expect(out).toEqual(ref);
      if (i === 0) expect(toFloat32(img, { normalize: {} })).toEqual(ref);
      expect(toFloat32(img, { normalize: { mean: t.mean, std: t.std } })).toEqual(ref);
      expect(toFloat32(img)).toEqual(readFloats(t.plainFile));
    });
    it(`toFloat32 then normalize matches (${label})`, () => {
      const img = sourceImage(t.source);
      const plain = toFloat32(img);
      expect(plain).toEqual(readFloats(t.plainFile));
      const out = normalize(plain, img.channels, { mean: t.mean, std: t.std });
      expect(maxAbsDiff(out, readFloats(t.file))).toBeLessThanOrEqual(1e-6);
    });
  }

  it("writes into a batch buffer at an offset without touching the rest", () => {
    const img = sourceImage("noise37x29");
    const n = img.data.length;
    const batch = new Float32Array(3 * n).fill(7);
    const ret = toNormalizedFloat32(img, {}, batch, n);
    expect(ret).toBe(batch);
    expect(batch.subarray(n, 2 * n)).toEqual(toFloat32(img, { normalize: {} }));
    expect(batch.subarray(0, n).every((v) => v === 7)).toBe(true);
    expect(batch.subarray(2 * n).every((v) => v === 7)).toBe(true);
  });

  it("defaults to ImageNet statistics", () => {
    expect(IMAGENET_MEAN).toEqual([0.485, 0.456, 0.406]);
    expect(IMAGENET_STD).toEqual([0.229, 0.224, 0.225]);
  });
});

describe("normalize errors", () => {
  const rgb = sourceImage("noise37x29");
  const gray = sourceImage("noise40x30gray");
  it("rejects mean/std whose length differs from the channel count", () => {
    expect(() => toFloat32(gray, { normalize: {} })).toThrow(ChannelMismatchError);
    expect(() => toNormalizedFloat32(gray)).toThrow(
      /mean \[0\.485, 0\.456, 0\.406\]: expected 1 channel\(s\), got 3/,
    );
    expect(() => toFloat32(rgb, { normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5] } })).toThrow(
      /std \[0\.5, 0\.5\]/,
    );
    expect(() => normalize(new Float32Array(6), 3, { mean: [0], std: [1] })).toThrow(
      ChannelMismatchError,
    );
  });
  it("rejects a zero std and a too-small output buffer", () => {
    expect(() => toFloat32(rgb, { normalize: { mean: [0, 0, 0], std: [1, 0, 1] } })).toThrow(
      InvalidOptionError,
    );
    expect(() => toNormalizedFloat32(rgb, {}, new Float32Array(rgb.data.length), 1)).toThrow(
      /offset: got 1.*out\.length/,
    );
    expect(() => normalize(new Float32Array(7), 3)).toThrow(/data\.length: got 7/);
  });
});

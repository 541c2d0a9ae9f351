import { describe, expect, it } from "vitest";
import { sourceImage } from "../test/fixtures";
import { scriptedRng } from "../test/scripted-rng";
import { compose } from "./compose";
import { crop } from "./crop";
import { CropOutOfBoundsError, InvalidOptionError } from "./errors";
import { hflip } from "./hflip";
import { randomCrop } from "./random-crop";
import { randomHorizontalFlip } from "./random-horizontal-flip";
import { createRng } from "./rng";

const img = sourceImage("noise37x29");

describe("randomCrop", () => {
  it("uses torchvision's draws: top in [0, H-h], then left in [0, W-w], inclusive", () => {
    const rng = scriptedRng([], [9, 17]);
    const out = randomCrop({ width: 20, height: 20 })(img, rng);
    expect(rng.intCalls).toEqual([10, 18]);
    expect(out.data).toEqual(crop(img, { left: 17, top: 9, width: 20, height: 20 }).data);
  });

  it("reaches every offset, is reproducible, and draws nothing for a full-size crop", () => {
    const t = randomCrop(20);
    const a = Array.from({ length: 30 }, (_, i) => t(img, createRng(i)).data);
    const b = Array.from({ length: 30 }, (_, i) => t(img, createRng(i)).data);
    expect(a).toEqual(b);
    const tops = new Set<number>();
    const rng = createRng(11);
    for (let i = 0; i < 2000; i++) tops.add(rng.nextInt(29 - 20 + 1));
    expect(tops.size).toBe(10);
    const full = scriptedRng([], []);
    expect(randomCrop({ width: 37, height: 29 })(img, full).data).toEqual(img.data);
  });

  it("rejects windows larger than the image and bad sizes", () => {
    expect(() => randomCrop({ width: 40, height: 5 })(img, createRng(1))).toThrow(
      CropOutOfBoundsError,
    );
    expect(() => randomCrop({ width: 40, height: 5 })(img, createRng(1))).toThrow(/37x29/);
    expect(() => randomCrop(0)).toThrow(/size\.width: got 0/);
  });
});

describe("randomHorizontalFlip", () => {
  it("flips exactly when rng.next() < p", () => {
    const t = randomHorizontalFlip(0.3);
    expect(t(img, scriptedRng([0.29], [])).data).toEqual(hflip(img).data);
    expect(t(img, scriptedRng([0.3], []))).toBe(img);
  });

  it("flips about half the time with p = 0.5 (fixed seed, 2000 trials)", () => {
    const t = randomHorizontalFlip();
    const rng = createRng(123);
    let flips = 0;
    for (let i = 0; i < 2000; i++) if (t(img, rng) !== img) flips++;
    // Binomial(2000, 0.5): sd ~ 22; 5 sd bound.
    expect(Math.abs(flips - 1000)).toBeLessThan(112);
  });

  it("rejects probabilities outside [0, 1]", () => {
    expect(() => randomHorizontalFlip(1.5)).toThrow(InvalidOptionError);
    expect(() => randomHorizontalFlip(Number.NaN)).toThrow(/p: got NaN/);
  });
});

describe("compose", () => {
  it("applies transforms in order with one shared rng", () => {
    const t = compose([randomHorizontalFlip(1), randomCrop(10)]);
    const rng = scriptedRng([0], [2, 3]);
    expect(t(img, rng).data).toEqual(
      crop(hflip(img), { left: 3, top: 2, width: 10, height: 10 }).data,
    );
  });
  it("rejects non-functions, naming the index", () => {
    expect(() => compose([randomCrop(3), 5 as never])).toThrow(/transforms\[1\]: got 5/);
  });
});

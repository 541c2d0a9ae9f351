import { afterAll, describe, expect, it } from "vitest";
import { caseLabel, casesOf, diffStats, sha256, sourceImage } from "../test/fixtures";
import { scriptedRng } from "../test/scripted-rng";
import { celebaEvalTransform, celebaTrainTransform } from "./celeba-transform";
import { compose } from "./compose";
import { centerCrop } from "./crop";
import { CropOutOfBoundsError, InvalidOptionError } from "./errors";
import { hflip } from "./hflip";
import { toNormalizedFloat32 } from "./normalize";
import { randomCrop } from "./random-crop";
import { randomHorizontalFlip } from "./random-horizontal-flip";
import { setResampleImplementation } from "./resample-wasm";
import { resize } from "./resize";
import { createRng, deriveSeed } from "./rng";

describe.each(["wasm", "typescript"] as const)(
  "celebaTrainTransform vs PIL transpose + resize((220, 270)) + crop (%s)",
  (impl) => {
    afterAll(() => setResampleImplementation("wasm"));
    for (const c of casesOf("celebaTrain")) {
      it(caseLabel(c), () => {
        setResampleImplementation(impl);
        const { flip, left, top } = c.params as { flip: number; left: number; top: number };
        const rng = scriptedRng([flip ? 0.25 : 0.75], [top, left]);
        const out = celebaTrainTransform().augment(sourceImage(c.source), rng);
        expect([out.width, out.height]).toEqual([178, 218]);
        // torchvision RandomCrop.get_params draws top from [0, 270-218], then left from [0, 220-178].
        expect(rng.intCalls).toEqual([53, 43]);
        expect(sha256(out.data)).toBe(c.sha256);
      });
    }
  },
);

describe("celebaTrainTransform", () => {
  const img = sourceImage("noise178x218");
  const unfused = compose([
    randomHorizontalFlip(0.5),
    (x) => resize(x, { width: 220, height: 270 }),
    randomCrop({ width: 178, height: 218 }),
  ]);

  it("fused path equals the composed transforms with the same rng, over many seeds", () => {
    const train = celebaTrainTransform();
    let flips = 0;
    for (let i = 0; i < 12; i++) {
      const seed = deriveSeed(2024, 0, i);
      const a = train.augment(img, createRng(seed));
      const b = unfused(img, createRng(seed));
      expect(diffStats(a.data, b.data).max).toBe(0);
      if (createRng(seed).next() < 0.5) flips++;
    }
    expect(flips).toBeGreaterThan(0);
    expect(flips).toBeLessThan(12);
  });

  it("fused path matches compose when an axis (or both) needs no resampling, and for other filters", () => {
    for (const [target, filter] of [
      [{ width: 178, height: 270 }, "bicubic"],
      [{ width: 220, height: 218 }, "bicubic"],
      [{ width: 178, height: 218 }, "bicubic"],
      [{ width: 200, height: 240 }, "bilinear"],
      [{ width: 190, height: 250 }, "nearest"],
      [{ width: 200, height: 230 }, "lanczos"],
    ] as const) {
      const t = celebaTrainTransform({ resize: target, filter, crop: { width: 150, height: 200 } });
      const ref = compose([
        randomHorizontalFlip(0.5),
        (x) => resize(x, { ...target, filter }),
        randomCrop({ width: 150, height: 200 }),
      ]);
      for (let i = 0; i < 4; i++) {
        const seed = deriveSeed("axes", i);
        expect(t.augment(img, createRng(seed)).data).toEqual(ref(img, createRng(seed)).data);
      }
    }
  });

  it("is deterministic per (seed, epoch, index) and varies across samples", () => {
    const train = celebaTrainTransform();
    const x1 = train.apply(img, createRng(deriveSeed(1, 0, 7)));
    const x2 = train.apply(img, createRng(deriveSeed(1, 0, 7)));
    const x3 = train.apply(img, createRng(deriveSeed(1, 0, 8)));
    expect(x1).toEqual(x2);
    expect(x1).not.toEqual(x3);
    expect(x1.length).toBe(218 * 178 * 3);
  });

  it("apply writes normalised values into a batch slot", () => {
    const train = celebaTrainTransform();
    const n = 218 * 178 * 3;
    const batch = new Float32Array(2 * n);
    train.apply(img, createRng(3), batch, n);
    expect(batch.subarray(n)).toEqual(toNormalizedFloat32(train.augment(img, createRng(3))));
    expect(batch.subarray(0, n).every((v) => v === 0)).toBe(true);
    expect(train.outputSize({ width: 500, height: 500 })).toEqual({ width: 178, height: 218 });
  });

  it("center mode crops the middle of the resized image", () => {
    const t = celebaTrainTransform({ cropMode: "center", flipProbability: 0 });
    const out = t.augment(img, createRng(1));
    expect(out.data).toEqual(
      centerCrop(resize(img, { width: 220, height: 270 }), { width: 178, height: 218 }).data,
    );
    const flipped = celebaTrainTransform({ cropMode: "center", flipProbability: 1 }).augment(
      img,
      createRng(1),
    );
    expect(flipped.data).toEqual(
      centerCrop(resize(hflip(img), { width: 220, height: 270 }), { width: 178, height: 218 }).data,
    );
  });

  it("validates its options", () => {
    expect(() => celebaTrainTransform({ flipProbability: 2 })).toThrow(/flipProbability: got 2/);
    expect(() => celebaTrainTransform({ crop: { width: 300, height: 10 } })).toThrow(
      CropOutOfBoundsError,
    );
    expect(() => celebaTrainTransform({ cropMode: "middle" as never })).toThrow(InvalidOptionError);
    expect(() => celebaTrainTransform({ mean: [0.5, 0.5] })).toThrow(/mean/);
  });
});

describe("celebaEvalTransform", () => {
  it("only normalises, never drawing from the rng", () => {
    const img = sourceImage("smooth178x218");
    const rng = scriptedRng([], []);
    const x = celebaEvalTransform().apply(img, rng);
    expect(x).toEqual(toNormalizedFloat32(img));
    expect(celebaEvalTransform().augment(img, rng)).toBe(img);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  centerCrop,
  compose,
  createRng,
  deriveSeed,
  hflip,
  type RawImage,
  randomCrop,
  randomHorizontalFlip,
  resize,
  type Transform,
  toFloat32,
} from "@celeba/augment";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Batch, createBatches } from "./create-batches";
import { InvalidOptionError } from "./errors";
import { createImageBatches, type ImageBatch, listImages } from "./image-batches";
import { type CelebADataset, loadCelebA } from "./load-celeba";
import { makeSyntheticCelebA } from "./synthetic-celeba";
import { resolveTransformSpec, type TransformSpec, type TransformStep } from "./transform-spec";

const tmp = mkdtempSync(join(tmpdir(), "celeba-spec-"));
let ds: CelebADataset;
let root: string;
beforeAll(async () => {
  const synth = await makeSyntheticCelebA(join(tmp, "ds"), { count: 13, seed: 5 });
  root = synth.root;
  ds = await loadCelebA({ root });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of iterable) out.push(b);
  return out;
}

/** Checks every batch against an independent per-image reference built from @celeba/augment's ops. */
async function expectReference(
  batches: Batch[],
  reference: Transform,
  normalize: { mean?: number[]; std?: number[] },
  seed: number,
  epoch: number,
): Promise<void> {
  for (const batch of batches) {
    const per = batch.shape[1] * batch.shape[2] * batch.shape[3];
    for (const [i, index] of batch.indices.entries()) {
      const img = await ds.readImage(ds.items[index]!.id);
      const expected = toFloat32(reference(img, createRng(deriveSeed(seed, epoch, index))), {
        normalize,
      });
      expect(sameBytes(batch.images.subarray(i * per, (i + 1) * per), expected)).toBe(true);
    }
  }
}

const PAPER_STEPS: TransformStep[] = [
  { op: "randomHorizontalFlip", p: 0.5 },
  { op: "resize", width: 220, height: 270 },
  { op: "randomCrop", width: 178, height: 218 },
];
const paperReference = compose([
  randomHorizontalFlip(0.5),
  (img: RawImage) => resize(img, { width: 220, height: 270 }),
  randomCrop({ width: 178, height: 218 }),
]);

// A list that is not the paper's, so it runs step by step (not fused).
const OTHER_STEPS: TransformStep[] = [
  { op: "resize", width: 150, height: 190, filter: "bilinear" },
  { op: "centerCrop", width: 128, height: 160 },
  { op: "hflip" },
  { op: "randomCrop", width: 120, height: 150 },
  { op: "normalize", mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] },
];
const otherReference = compose([
  (img: RawImage) => resize(img, { width: 150, height: 190, filter: "bilinear" }),
  (img: RawImage) => centerCrop(img, { width: 128, height: 160 }),
  (img: RawImage) => hflip(img),
  randomCrop({ width: 120, height: 150 }),
]);

describe("transform specs", () => {
  it("a step list matches the same ops composed by hand, on the main thread and in workers (same seed, bit-identical)", async () => {
    const cases: [TransformSpec, Transform, { mean?: number[]; std?: number[] }][] = [
      [PAPER_STEPS, paperReference, {}],
      [{ preset: "celebaTrain" }, paperReference, {}],
      [OTHER_STEPS, otherReference, { mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] }],
    ];
    for (const [transform, reference, normalize] of cases) {
      const opts = { batchSize: 4, seed: 9, epoch: 1, transform };
      const main = await collect(createBatches(ds, { ...opts, workers: 0 }));
      const threaded = await collect(createBatches(ds, { ...opts, workers: 2 }));
      await expectReference(main, reference, normalize, 9, 1);
      expect(threaded.map((b) => b.ids)).toEqual(main.map((b) => b.ids));
      threaded.forEach((b, k) => {
        expect(b.shape).toEqual(main[k]!.shape);
        expect(sameBytes(b.images, main[k]!.images)).toBe(true);
      });
    }
  });

  it("createImageBatches runs the same spec in workers as on the main thread", async () => {
    const paths = await listImages(join(root, "img_align_celeba"));
    const opts = { batchSize: 5, seed: 3, transform: OTHER_STEPS };
    const main: ImageBatch[] = await collect(createImageBatches(paths, opts));
    const threaded = await collect(createImageBatches(paths, { ...opts, workers: 2 }));
    expect(main[0]!.shape).toEqual([5, 150, 120, 3]);
    expect(threaded.map((b) => b.ids)).toEqual(main.map((b) => b.ids));
    for (const [k, b] of threaded.entries())
      expect(sameBytes(b.images, main[k]!.images)).toBe(true);
  });

  it("a step that fails on an image stops the epoch in workers as on the main thread, even with onBadImage: skip", async () => {
    // Not caught up front: the input size is only known per image.
    const transform: TransformStep[] = [{ op: "randomCrop", width: 500, height: 500 }];
    for (const workers of [0, 1]) {
      const batches = createBatches(ds, { batchSize: 4, workers, transform, onBadImage: "skip" });
      await expect(collect(batches)).rejects.toThrow(/500/);
    }
  });

  it("a step list without normalize uses the normalize option (default ImageNet's)", () => {
    expect(resolveTransformSpec([{ op: "hflip" }], undefined)).toEqual([
      { op: "hflip" },
      { op: "normalize" },
    ]);
    expect(resolveTransformSpec([], { mean: [0, 0, 0], std: [1, 1, 1] })).toEqual([
      { op: "normalize", mean: [0, 0, 0], std: [1, 1, 1] },
    ]);
    expect(resolveTransformSpec({ preset: "celebaTrain", cropMode: "center" }, undefined)).toEqual([
      { op: "randomHorizontalFlip", p: 0.5 },
      { op: "resize", width: 220, height: 270, filter: "bicubic" },
      { op: "centerCrop", width: 178, height: 218 },
      { op: "normalize" },
    ]);
  });

  it("rejects a bad spec before any work, naming the step index and key and the valid choices", () => {
    const fails = (transform: unknown, workers = 0) => {
      try {
        createBatches(ds, { batchSize: 2, workers, transform: transform as TransformSpec });
      } catch (error) {
        expect(InvalidOptionError.isInstance(error)).toBe(true);
        return error as InvalidOptionError;
      }
      throw new Error("expected an InvalidOptionError");
    };
    let e = fails([{ op: "hflip" }, { op: "rotate", degrees: 5 }]);
    expect(e.option).toBe("transform[1].op");
    expect(e.validChoices).toEqual([
      "hflip",
      "randomHorizontalFlip",
      "resize",
      "centerCrop",
      "randomCrop",
      "normalize",
    ]);
    e = fails([{ op: "resize", width: 220, hieght: 270 }]);
    expect(e.option).toBe("transform[0].hieght");
    expect(e.validChoices).toEqual(["op", "width", "height", "filter"]);
    e = fails([{ op: "hflip", p: 0.5 }]);
    expect(e.message).toMatch(/transform\[0\]\.p.*randomHorizontalFlip/);
    e = fails([{ op: "resize", width: 0, height: 270 }]);
    expect(e.option).toBe("transform[0].width");
    e = fails([{ op: "resize", width: 20, height: 20, filter: "cubic" }]);
    expect(e.option).toBe("transform[0].filter");
    expect(e.validChoices).toContain("bicubic");
    e = fails([{ op: "randomHorizontalFlip", p: 2 }]);
    expect(e.option).toBe("transform[0].p");
    e = fails([
      { op: "resize", width: 100, height: 100 },
      { op: "randomCrop", width: 178, height: 218 },
    ]);
    expect(e.message).toMatch(/transform\[1\].*fits the 100x100 resize/);
    e = fails([{ op: "normalize" }, { op: "hflip" }]);
    expect(e.option).toBe("transform[0].op");
    e = fails([{ op: "normalize", mean: [0.5, 0.5], std: [1, 1, 1] }]);
    expect(e.option).toMatch(/^transform\[0\]/);
    e = fails(["resize"]);
    expect(e.option).toBe("transform[0]");
    e = fails({ preset: "paper" });
    expect(e.option).toBe("transform.preset");
    expect(e.validChoices).toEqual(["celebaTrain", "celebaEval"]);
    e = fails({ preset: "celebaEval", crop: { width: 1, height: 1 } });
    expect(e.option).toBe("transform.crop");
    e = fails({ preset: "celebaTrain", crop: { width: 300, height: 300 } });
    expect(e.option).toBe("transform.crop");
    e = fails({ preset: "celebaTrain", cropMode: "middle" });
    expect(e.validChoices).toEqual(["random", "center"]);
    e = fails((img: RawImage) => img, 2);
    expect(e.option).toBe("transform");
    expect(e.validChoices).toEqual(["a TransformSpec", "workers: 0"]);
    expect(() =>
      createBatches(ds, {
        batchSize: 2,
        transform: [{ op: "normalize", mean: [0, 0, 0] }],
        normalize: { mean: [0, 0, 0] },
      }),
    ).toThrow(/Invalid option normalize/);
    expect(() =>
      createBatches(ds, {
        batchSize: 2,
        transform: { preset: "celebaTrain" },
        workerTransform: { factory: "celebaTrainTransform" },
      }),
    ).toThrow(/Invalid option workerTransform/);
  });
});

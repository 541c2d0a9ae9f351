import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  celebaTrainTransform,
  compose,
  createRng,
  deriveSeed,
  type RawImage,
  randomCrop,
  randomHorizontalFlip,
  resize,
  toFloat32,
} from "@celeba/augment";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Batch, createBatches } from "./create-batches";
import { BadImageError, ImageSizeError, InvalidOptionError } from "./errors";
import { type CelebADataset, loadCelebA } from "./load-celeba";
import { makeSyntheticCelebA } from "./synthetic-celeba";

const tmp = mkdtempSync(join(tmpdir(), "celeba-batches-"));
let ds: CelebADataset;
beforeAll(async () => {
  const synth = await makeSyntheticCelebA(join(tmp, "ds"), { count: 23, seed: 11 });
  ds = await loadCelebA({ root: synth.root });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bytewise equality: vitest's deep toEqual is far too slow on 100k-element typed arrays. */
function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

async function collect(iterable: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of iterable) out.push(b);
  return out;
}

describe("createBatches", () => {
  it("yields NHWC float batches with ±1 labels; order depends only on (seed, epoch)", async () => {
    const opts = { batchSize: 5, seed: 3, epoch: 2, transform: celebaTrainTransform() };
    const a = await collect(createBatches(ds, opts));
    const b = await collect(createBatches(ds, { ...opts, concurrency: 1, prefetch: 0 }));
    expect(a.map((x) => x.shape)).toEqual([
      [5, 218, 178, 3],
      [5, 218, 178, 3],
      [5, 218, 178, 3],
      [5, 218, 178, 3],
      [3, 218, 178, 3],
    ]);
    expect(b.map((x) => x.ids)).toEqual(a.map((x) => x.ids));
    a.forEach((batch, k) => {
      expect(sameBytes(batch.images, b[k]!.images)).toBe(true);
      batch.ids.forEach((id, i) => {
        const item = ds.items.find((x) => x.id === id)!;
        expect(Array.from(batch.labels.subarray(i * 40, (i + 1) * 40))).toEqual(
          Array.from(item.labels),
        );
        expect(ds.items[batch.indices[i]!]!.id).toBe(id);
      });
    });
    expect(new Set(a.flatMap((x) => x.ids)).size).toBe(23);
    const otherEpoch = await collect(createBatches(ds, { ...opts, epoch: 3 }));
    expect(otherEpoch.flatMap((x) => x.ids)).not.toEqual(a.flatMap((x) => x.ids));
    const unshuffled = await collect(createBatches(ds, { batchSize: 10, shuffle: false }));
    expect(unshuffled.flatMap((x) => x.ids)).toEqual(ds.items.map((x) => x.id));
  });

  it("matches augment's flip/resize/randomCrop/normalise applied by hand with rng deriveSeed(seed, epoch, index)", async () => {
    const seed = 9;
    const epoch = 1;
    const [batch] = await collect(
      createBatches(ds, {
        batchSize: 4,
        seed,
        epoch,
        transform: celebaTrainTransform(),
        startBatch: 2,
        dropLast: true,
      }),
    );
    const byHand = compose([
      randomHorizontalFlip(0.5),
      (img) => resize(img, { width: 220, height: 270 }),
      randomCrop({ width: 178, height: 218 }),
    ]);
    const per = 218 * 178 * 3;
    for (let i = 0; i < batch!.ids.length; i++) {
      const index = batch!.indices[i]!;
      const img = await ds.readImage(batch!.ids[i]!);
      const expected = toFloat32(byHand(img, createRng(deriveSeed(seed, epoch, index))), {
        normalize: {},
      });
      expect(sameBytes(batch!.images.subarray(i * per, (i + 1) * per), expected)).toBe(true);
    }
  });

  it("startBatch resumes mid-epoch: equals the tail of a full epoch and decodes none of the skipped images", async () => {
    const opts = { batchSize: 4, seed: "resume", epoch: 5, transform: celebaTrainTransform() };
    const full = await collect(createBatches(ds, opts));
    const read: string[] = [];
    const source = {
      items: ds.items,
      readImage: (id: string) => {
        read.push(id);
        return ds.readImage(id);
      },
    };
    const tail = await collect(createBatches(source, { ...opts, startBatch: 3 }));
    expect(tail.map((x) => x.ids)).toEqual(full.slice(3).map((x) => x.ids));
    tail.forEach((b, k) => {
      expect(sameBytes(b.images, full[k + 3]!.images)).toBe(true);
    });
    expect(read.sort()).toEqual(
      full
        .slice(3)
        .flatMap((x) => x.ids)
        .sort(),
    );
    const it = createBatches(ds, { ...opts, startBatch: 6 });
    expect(it.numBatches).toBe(6);
    expect(await collect(it)).toEqual([]);
  });

  it("worker threads (workers: 2) give bit-identical batches to the main-thread pipeline", async () => {
    const opts = { batchSize: 6, seed: 21, epoch: 4 };
    const main = await collect(createBatches(ds, { ...opts, transform: celebaTrainTransform() }));
    const threaded = await collect(
      createBatches(ds, { ...opts, workers: 2, transform: { preset: "celebaTrain" } }),
    );
    // The deprecated alias still names the same pipeline.
    const legacy = await collect(
      createBatches(ds, {
        ...opts,
        workers: 2,
        workerTransform: { factory: "celebaTrainTransform" },
      }),
    );
    for (const run of [threaded, legacy]) {
      expect(run.map((b) => b.ids)).toEqual(main.map((b) => b.ids));
      run.forEach((b, k) => {
        expect(b.shape).toEqual(main[k]!.shape);
        expect(sameBytes(b.images, main[k]!.images)).toBe(true);
      });
    }
    expect(() =>
      createBatches(ds, { batchSize: 2, workers: 1, transform: celebaTrainTransform() }),
    ).toThrow(/transform: .*code cannot cross threads.*Valid choices: a TransformSpec, workers: 0/);
  });

  it("dropLast drops the short batch", async () => {
    const batches = await collect(createBatches(ds, { batchSize: 10, dropLast: true }));
    expect(batches.map((b) => b.shape[0])).toEqual([10, 10]);
  });

  it("keeps prefetch bounded: reads never run more than (prefetch + 1) batches ahead of the consumer", async () => {
    let started = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let maxAhead = 0;
    let consumed = 0;
    const image: RawImage = { data: new Uint8Array(4 * 4 * 3), width: 4, height: 4, channels: 3 };
    const items = Array.from({ length: 200 }, (_, i) => ({ id: `${i}`, labels: Int8Array.of(1) }));
    const source = {
      items,
      readImage: async () => {
        started++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxAhead = Math.max(maxAhead, started - consumed);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return image;
      },
    };
    for await (const b of createBatches(source, { batchSize: 8, prefetch: 2, concurrency: 3 })) {
      await new Promise((r) => setTimeout(r, 5));
      consumed += b.shape[0];
    }
    expect(consumed).toBe(200);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxAhead).toBeLessThanOrEqual(3 * 8);
  });

  it("a corrupt image throws a BadImageError naming it, or is skipped with a warning and a count", async () => {
    const corrupt = "000004.jpg";
    const bad = readFileSync(join(ds.images.path, corrupt)).subarray(0, 900);
    const dir = join(tmp, "bad");
    const synth = await makeSyntheticCelebA(dir, { count: 12, seed: 11 });
    writeFileSync(join(synth.root, "img_align_celeba", corrupt), bad);
    const bds = await loadCelebA({ root: synth.root });
    await expect(collect(createBatches(bds, { batchSize: 5, shuffle: false }))).rejects.toThrow(
      BadImageError,
    );
    await expect(collect(createBatches(bds, { batchSize: 5, shuffle: false }))).rejects.toThrow(
      /000004\.jpg/,
    );
    const warnings: string[] = [];
    const batches = await collect(
      createBatches(bds, {
        batchSize: 5,
        shuffle: false,
        onBadImage: "skip",
        onWarning: (m) => warnings.push(m),
      }),
    );
    expect(batches.map((b) => b.shape[0])).toEqual([4, 5, 2]);
    expect(batches[0]!.ids).toEqual(["000001.jpg", "000002.jpg", "000003.jpg", "000005.jpg"]);
    expect(batches[0]!.images.length).toBe(4 * 218 * 178 * 3);
    expect(batches[0]!.labels.length).toBe(4 * 40);
    expect(warnings[0]).toMatch(/skipping image 000004\.jpg/);
    expect(warnings.at(-1)).toMatch(/skipped 1 unreadable image\(s\)/);
  });

  it("mixed image sizes in a batch fail clearly", async () => {
    const items = [0, 1, 2].map((i) => ({ id: `img${i}`, labels: Int8Array.of(1) }));
    const source = {
      items,
      readImage: async (id: string): Promise<RawImage> => {
        const w = id === "img2" ? 5 : 4;
        return { data: new Uint8Array(w * 4 * 3), width: w, height: 4, channels: 3 };
      },
    };
    const error = await collect(createBatches(source, { batchSize: 3, shuffle: false })).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ImageSizeError);
    expect(error.message).toMatch(
      /Image img2 is 4x5x3 \(HxWxC\) but the batch's first image is 4x4x3/,
    );
  });

  it("validates options before any work", () => {
    expect(() => createBatches(ds, { batchSize: 0 })).toThrow(InvalidOptionError);
    expect(() => createBatches(ds, { batchSize: 2, onBadImage: "ignore" as never })).toThrow(
      /"error" or "skip"/,
    );
    expect(() => createBatches(ds, { batchSize: 2, startBatch: 99 })).toThrow(/\[0, 12\]/);
    expect(() => createBatches(ds, { batchSize: 2, transform: 5 as never })).toThrow(
      /ImagePipeline/,
    );
  });
});

import { createRng, deriveSeed, type RawImage, type Seed, shuffleInPlace } from "@celeba/augment";
import { batchCount, type EngineBatch, runBatches } from "./batch-engine";
import { type CommonBatchOptions, resolveCommon } from "./batch-options";
import { BadImageError, InvalidOptionError } from "./errors";
import { poolSample, startPool } from "./worker-pool";

/** A batch of labelled images. */
export interface Batch {
  /** Images, NHWC float32, normalised by the transform. */
  images: Float32Array;
  /** `[n, height, width, channels]`; n is below batchSize for the last batch or when images were skipped. */
  shape: [number, number, number, number];
  /** Labels, n x numAttributes, row-major, each 1 or -1. */
  labels: Float32Array;
  /** Image ids, in batch order. */
  ids: string[];
  /** Index of each sample in `source.items` (the index its augmentation rng is derived from). */
  indices: number[];
}

/** What {@link createBatches} reads: labelled items and a decoder (a loaded dataset, or one with a split's items). */
export interface BatchSource {
  items: ReadonlyArray<{ id: string; labels: ArrayLike<number> }>;
  readImage(id: string): Promise<RawImage>;
  /** Encoded bytes of an image; required with `workers` > 0 (a loaded dataset has it). */
  readImageBytes?(id: string): Promise<Uint8Array>;
}

/** Options of {@link createBatches}. */
export interface CreateBatchesOptions extends CommonBatchOptions {
  /** Shuffle the epoch with a permutation drawn from (seed, epoch) only. Default `true`. */
  shuffle?: boolean;
  /** Seed of the epoch order and of every sample's augmentation. Default 0. */
  seed?: Seed;
  /** Epoch number (0-based); each epoch has its own order and augmentations. Default 0. */
  epoch?: number;
  /** First batch to produce, for mid-epoch resume; earlier batches are not read or decoded. Default 0. */
  startBatch?: number;
}

/** The batches of one epoch; also tells how many there are. */
export interface BatchIterable extends AsyncIterable<Batch> {
  /** Batches in the whole epoch (before `startBatch` is applied). */
  readonly numBatches: number;
  /** The epoch's sample order: indices into `source.items`. */
  readonly order: readonly number[];
}

/**
 * Batches one epoch: a seeded shuffle drawn from (seed, epoch) only, each sample read (concurrently, on
 * libuv's pool) and decoded, augmented with its own rng `createRng(deriveSeed(seed, epoch, index))` where index
 * is its position in `source.items`, normalised and stacked NHWC. So any batch of any epoch can be
 * recomputed exactly, and `startBatch` resumes mid-epoch without decoding the skipped images.
 * The transform's rng for a sample is `createRng(deriveSeed(seed, epoch, index))`. With `workers` > 0,
 * worker threads decode and run the same `transform` spec (bit-identical output), so augmentation scales with cores. Options are validated before any work.
 *
 * @param source - Items with labels plus `readImage`, e.g. `{ items: split.train, readImage: ds.readImage }`.
 * @param options - See {@link CreateBatchesOptions}; only `batchSize` is required.
 * @returns An async iterable of {@link Batch} with `numBatches` and `order`.
 * @throws {InvalidOptionError} Synchronously, for an invalid option. While iterating: {@link BadImageError}
 * (unless `onBadImage: "skip"`), {@link ImageSizeError} when a batch mixes image sizes.
 * @example
 * const batches = createBatches({ items: train, readImage: ds.readImage }, { batchSize: 32, seed: 1, epoch, transform: { preset: "celebaTrain" } });
 * for await (const { images, shape, labels, ids } of batches) { ... }
 * // shape = [32, 218, 178, 3]
 */
export function createBatches(source: BatchSource, options: CreateBatchesOptions): BatchIterable {
  const common = resolveCommon(options);
  if (source == null || !Array.isArray(source.items) || typeof source.readImage !== "function") {
    throw new InvalidOptionError({
      option: "source",
      value: source,
      hint: "{ items: [{ id, labels }, ...], readImage(id) } such as a loaded CelebA dataset",
    });
  }
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== "boolean")
    throw new InvalidOptionError({ option: "shuffle", value: shuffle, hint: "true or false" });
  const seed = options.seed ?? 0;
  if (!(typeof seed === "string" || Number.isSafeInteger(seed))) {
    throw new InvalidOptionError({
      option: "seed",
      value: seed,
      hint: "a safe integer or a string",
    });
  }
  const epoch = options.epoch ?? 0;
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new InvalidOptionError({ option: "epoch", value: epoch, hint: "an integer >= 0" });
  const items = source.items;
  const numBatches = batchCount(items.length, common.batchSize, common.dropLast);
  const startBatch = options.startBatch ?? 0;
  if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > numBatches) {
    throw new InvalidOptionError({
      option: "startBatch",
      value: startBatch,
      hint: `an integer in [0, ${numBatches}] (this epoch has ${numBatches} batches)`,
    });
  }
  const numAttributes = items[0]?.labels.length ?? 0;

  const order = Array.from({ length: items.length }, (_, i) => i);
  if (shuffle) shuffleInPlace(order, createRng(deriveSeed(seed, "epoch-order", epoch)));
  const readImage = source.readImage;
  const readImageBytes = source.readImageBytes;
  if (common.workers > 0 && typeof readImageBytes !== "function") {
    throw new InvalidOptionError({
      option: "source.readImageBytes",
      hint: "a readImageBytes(id) function when workers > 0 (loadCelebA's dataset has one)",
    });
  }

  async function* iterate(): AsyncGenerator<Batch> {
    const pool = startPool(common);
    const engine = runBatches({
      ...common,
      order,
      startBatch,
      produce: async (index) => {
        const id = (items[index] as { id: string }).id;
        const rngSeed = deriveSeed(seed, epoch, index);
        if (pool === undefined)
          return common.transform.prepare(await readImage(id), createRng(rngSeed));
        const bytes = await (readImageBytes as (id: string) => Promise<Uint8Array>)(id);
        return poolSample(pool, bytes, rngSeed, { id, source: id });
      },
      name: (index) => (items[index] as { id: string }).id,
    });
    try {
      yield* withLabels(engine);
    } finally {
      await pool?.close();
    }
  }

  async function* withLabels(engine: AsyncGenerator<EngineBatch>): AsyncGenerator<Batch> {
    for await (const batch of engine) {
      const n = batch.indices.length;
      const labels = new Float32Array(n * numAttributes);
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const item = items[batch.indices[i] as number] as { id: string; labels: ArrayLike<number> };
        if (item.labels.length !== numAttributes) {
          throw new InvalidOptionError({
            option: "source.items",
            value: `${item.id} with ${item.labels.length} labels`,
            hint: `every item to have ${numAttributes} labels like the first`,
          });
        }
        for (let j = 0; j < numAttributes; j++)
          labels[i * numAttributes + j] = item.labels[j] as number;
        ids.push(item.id);
      }
      yield { images: batch.images, shape: batch.shape, labels, ids, indices: batch.indices };
    }
  }

  return {
    numBatches,
    order,
    [Symbol.asyncIterator]: () => iterate(),
  };
}

import { readdir, readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { createRng, deriveSeed, type RawImage } from "@celeba/augment";
import { batchCount, runBatches } from "./batch-engine";
import { type CommonBatchOptions, resolveCommon } from "./batch-options";
import { decodeImage } from "./decode-image";
import { BadImageError, InvalidOptionError, MissingPathError } from "./errors";
import { isImageName } from "./image-store";
import { poolSample, startPool } from "./worker-pool";

/** A batch of unlabelled images (inference). */
export interface ImageBatch {
  /** Images, NHWC float32, normalised by the transform. */
  images: Float32Array;
  /** `[n, height, width, channels]`. */
  shape: [number, number, number, number];
  /** File names (base names), in batch order: the `image_id` column of a predictions file. */
  ids: string[];
  /** Full paths, in batch order. */
  paths: string[];
}

/** Options of {@link createImageBatches}. */
export interface CreateImageBatchesOptions extends CommonBatchOptions {
  /** Seed for a random transform's rng (`deriveSeed(seed, 0, index)`). Default 0. */
  seed?: number;
}

/** Batches of one pass over a list of image files; also tells how many there are. */
export interface ImageBatchIterable extends AsyncIterable<ImageBatch> {
  readonly numBatches: number;
}

/**
 * Lists the images in a folder (the paper's "private test data": a bare folder without annotations),
 * sorted by name. Not recursive; hidden and non-image files are ignored.
 *
 * @param dir - Folder to list.
 * @returns Absolute paths of `.jpg`/`.jpeg`/`.png`/`.webp`/`.bmp`/`.tif`/`.gif` files, sorted by file name.
 * @throws {MissingPathError} If the folder does not exist.
 * @example
 * const paths = await listImages("./private_test");
 * paths[0]; // "/abs/private_test/000001.jpg"
 * paths.length; // number of images
 */
export async function listImages(dir: string): Promise<string[]> {
  const abs = resolve(dir);
  let names: string[];
  try {
    // Directories named like images (e.g. "x.jpg/") are not images; symlinks are followed when read.
    names = (await readdir(abs, { withFileTypes: true }))
      .filter((entry) => entry.isFile() || entry.isSymbolicLink())
      .map((entry) => entry.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new MissingPathError({
        path: abs,
        what: "Image folder",
        layout: "Expected a folder of image files (e.g. 000001.jpg, 000002.jpg, ...).",
      });
    }
    throw error;
  }
  return names
    .filter((name) => isImageName(name) && !name.startsWith("."))
    .sort()
    .map((name) => join(abs, name));
}

/**
 * Batches a list of image files for inference, in the given order, without labels or tfjs: each image is
 * decoded with sharp (concurrently), transformed, normalised and stacked NHWC.
 *
 * @param paths - Image files, e.g. from {@link listImages}.
 * @param options - See {@link CreateImageBatchesOptions}; only `batchSize` is required.
 * @returns An async iterable of {@link ImageBatch} with `numBatches`.
 * @throws {InvalidOptionError} Synchronously, for an invalid option. While iterating: {@link BadImageError}
 * (unless `onBadImage: "skip"`), {@link ImageSizeError} when a batch mixes image sizes.
 * @example
 * for await (const batch of createImageBatches(await listImages("./private_test"), { batchSize: 64 })) {
 *   const scores = model.predict(tf.tensor4d(batch.images, batch.shape)); // ids: batch.ids
 * }
 */
export function createImageBatches(
  paths: readonly string[],
  options: CreateImageBatchesOptions,
): ImageBatchIterable {
  const common = resolveCommon(options);
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== "string")) {
    throw new InvalidOptionError({
      option: "paths",
      value: paths,
      hint: "an array of image file paths (see listImages)",
    });
  }
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed))
    throw new InvalidOptionError({ option: "seed", value: seed, hint: "a safe integer" });
  const order = paths.map((_, i) => i);
  const numBatches = batchCount(paths.length, common.batchSize, common.dropLast);

  async function* iterate(): AsyncGenerator<ImageBatch> {
    const pool = startPool(common);
    const engine = runBatches({
      ...common,
      order,
      startBatch: 0,
      produce: async (index) => {
        const path = paths[index] as string;
        const rngSeed = deriveSeed(seed, 0, index);
        let bytes: Uint8Array;
        try {
          bytes = await readFile(path);
        } catch (error) {
          throw new BadImageError({ id: basename(path), source: path, cause: error });
        }
        if (pool === undefined) {
          let img: RawImage;
          try {
            img = await decodeImage(bytes);
          } catch (error) {
            throw new BadImageError({ id: basename(path), source: path, cause: error });
          }
          return common.transform.prepare(img, createRng(rngSeed));
        }
        return poolSample(pool, bytes, rngSeed, { id: basename(path), source: path });
      },
      name: (index) => paths[index] as string,
    });
    try {
      for await (const batch of engine) {
        const batchPaths = batch.indices.map((i) => paths[i] as string);
        yield {
          images: batch.images,
          shape: batch.shape,
          ids: batchPaths.map((p) => basename(p)),
          paths: batchPaths,
        };
      }
    } finally {
      await pool?.close();
    }
  }
  return { numBatches, [Symbol.asyncIterator]: () => iterate() };
}

import { availableParallelism } from "node:os";
import type { NormalizeOptions } from "@celeba/augment";
import { InvalidOptionError } from "./errors";
import {
  type BatchTransform,
  type ResolvedTransform,
  resolveTransform,
  type WorkerTransform,
} from "./sample-transform";

/** Options shared by every batch iterator. */
export interface CommonBatchOptions {
  /** Images per batch (required, >= 1). */
  batchSize: number;
  /** Images read and decoded at once (reads, and sharp's decodes, run on libuv's thread pool). Default `os.availableParallelism()`. */
  concurrency?: number;
  /** Batches prepared ahead of the one being consumed. Default 2. Memory grows with it, not with the epoch. */
  prefetch?: number;
  /** Drop the last batch when it is smaller than `batchSize`. Default `false`. */
  dropLast?: boolean;
  /**
   * What an unreadable image (truncated or corrupt JPEG, bad zip entry) does: `"error"` throws a
   * BadImageError naming it; `"skip"` warns naming it, leaves it out of its batch, and warns the count
   * at the end of the epoch. Default `"error"`.
   */
  onBadImage?: "error" | "skip";
  /** Receives warnings. Default `console.warn`. */
  onWarning?: (message: string) => void;
  /**
   * Worker threads that decode and augment (0 = decode and augment on the main thread). The same
   * `transform` spec runs in either place, and the batches are bit-identical. Default 0.
   */
  workers?: number;
  /**
   * Applied to every decoded image with the sample's own rng. A {@link TransformSpec} (plain data,
   * so it also runs in workers): a preset such as `{ preset: "celebaTrain" }` (the paper's flip, resize,
   * random crop, normalise) or a list of steps such as
   * `[{ op: "resize", width: 220, height: 270 }, { op: "centerCrop", width: 178, height: 218 }]`.
   * With `workers: 0` it may also be code: an `ImagePipeline` such as `celebaTrainTransform()`, or a plain
   * `(img, rng) => RawImage` then normalised with `normalize`. Default `{ preset: "celebaEval" }` (normalise only).
   */
  transform?: BatchTransform;
  /**
   * Mean/std for a transform that does not set its own (a step list without a `normalize` step, a
   * preset without `mean`/`std`, a plain function). Default ImageNet's. Ignored for an `ImagePipeline`.
   */
  normalize?: NormalizeOptions;
  /**
   * @deprecated Use `transform: { preset: "celebaTrain", ...options }`; `workerTransform: { factory:
   * "celebaTrainTransform", options }` means exactly that, with or without workers. Removed in the next minor release.
   */
  workerTransform?: WorkerTransform;
}

export interface ResolvedCommon {
  batchSize: number;
  concurrency: number;
  prefetch: number;
  dropLast: boolean;
  onBadImage: "error" | "skip";
  warn: (message: string) => void;
  workers: number;
  transform: ResolvedTransform;
}

/** Validates the shared options before any work, naming the bad option and the valid choices. */
export function resolveCommon(options: CommonBatchOptions): ResolvedCommon {
  if (options == null || typeof options !== "object") {
    throw new InvalidOptionError({
      option: "options",
      value: options,
      hint: "an object such as { batchSize: 64 }",
    });
  }
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidOptionError({
      option: "batchSize",
      value: batchSize,
      hint: "an integer >= 1",
    });
  }
  const workers = options.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0) {
    throw new InvalidOptionError({
      option: "workers",
      value: workers,
      hint: "an integer >= 0 (0 = augment on the main thread; e.g. os.availableParallelism())",
    });
  }
  // Keep every worker busy with one job queued behind the running one.
  const concurrency = options.concurrency ?? Math.max(availableParallelism(), 2 * workers);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError({
      option: "concurrency",
      value: concurrency,
      hint: "an integer >= 1 (default os.availableParallelism())",
    });
  }
  const prefetch = options.prefetch ?? 2;
  if (!Number.isInteger(prefetch) || prefetch < 0) {
    throw new InvalidOptionError({
      option: "prefetch",
      value: prefetch,
      hint: "an integer >= 0 (default 2)",
    });
  }
  const dropLast = options.dropLast ?? false;
  if (typeof dropLast !== "boolean")
    throw new InvalidOptionError({ option: "dropLast", value: dropLast, hint: "true or false" });
  const onBadImage = options.onBadImage ?? "error";
  if (onBadImage !== "error" && onBadImage !== "skip") {
    throw new InvalidOptionError({
      option: "onBadImage",
      value: onBadImage,
      hint: '"error" or "skip"',
    });
  }
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  const transform = resolveTransform({ ...options, workers });
  return { batchSize, concurrency, prefetch, dropLast, onBadImage, warn, workers, transform };
}

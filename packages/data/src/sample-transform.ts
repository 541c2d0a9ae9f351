import type {
  CelebaTrainTransformOptions,
  ImagePipeline,
  NormalizeOptions,
  RawImage,
  Rng,
  Transform,
} from "@celeba/augment";
import { toFloat32 } from "@celeba/augment";
import type { PreparedSample } from "./batch-engine";
import { InvalidOptionError } from "./errors";
import { specPipeline } from "./spec-pipeline";
import {
  isTransformSpec,
  type ResolvedSteps,
  resolveTransformSpec,
  type TransformSpec,
} from "./transform-spec";

/**
 * A transform given as code: an `ImagePipeline` from @celeba/augment, or a plain `(img, rng) => RawImage`
 * whose uint8 result is then normalised. Runs on the main thread only (`workers: 0`): functions cannot
 * cross threads, so use a {@link TransformSpec} with workers.
 */
export type SampleTransform = ImagePipeline | Transform;

/** What the `transform` option of a batch iterator accepts. */
export type BatchTransform = TransformSpec | SampleTransform;

/**
 * The former worker pipeline option.
 *
 * @deprecated Use `transform: { preset: "celebaTrain", ...options }` (or `"celebaEval"`), which works
 * with and without workers. Removed in the next minor release.
 */
export interface WorkerTransform {
  /** `"celebaTrainTransform"` or `"celebaEvalTransform"` from @celeba/augment. */
  factory: "celebaTrainTransform" | "celebaEvalTransform";
  /** Options passed to the factory. Default `{}` (the paper's values). */
  options?: CelebaTrainTransformOptions;
}

/** The transform options as given to a batch iterator. */
export interface TransformOptions {
  /** The `transform` option. */
  transform?: BatchTransform;
  /** The `normalize` option. */
  normalize?: NormalizeOptions;
  /** The deprecated `workerTransform` option. */
  workerTransform?: WorkerTransform;
  /** Worker threads (already checked); code transforms need 0. */
  workers: number;
}

/** A checked transform: how the main thread prepares a sample, and the steps workers build (with workers). */
export interface ResolvedTransform {
  prepare: (img: RawImage, rng: Rng) => PreparedSample;
  /** The spec's steps, which workers rebuild; undefined when the transform is code (main thread only). */
  steps: ResolvedSteps | undefined;
}

const SPEC_HINT =
  'a transform spec such as { preset: "celebaTrain" } or [{ op: "resize", width: 220, height: 270 }, ...]';

/**
 * Checks the `transform`, `normalize` and deprecated `workerTransform` options before any work.
 *
 * @throws {InvalidOptionError} For a bad spec (naming the step and key), a function with workers, or both
 * `transform` and `workerTransform`.
 */
export function resolveTransform(options: TransformOptions): ResolvedTransform {
  const { normalize, workers } = options;
  let transform = options.transform;
  if (options.workerTransform !== undefined) {
    if (transform !== undefined) {
      throw new InvalidOptionError({
        option: "workerTransform",
        value: options.workerTransform,
        hint: "only transform (workerTransform is its deprecated alias; give one of them)",
      });
    }
    transform = fromWorkerTransform(options.workerTransform);
  }
  if (transform === undefined || isTransformSpec(transform)) {
    const steps = resolveTransformSpec(transform ?? { preset: "celebaEval" }, normalize);
    return { prepare: preparePipeline(specPipeline(steps)), steps };
  }
  if (typeof transform === "function" || isPipeline(transform)) {
    if (workers > 0) {
      throw new InvalidOptionError({
        option: "transform",
        value: typeof transform === "function" ? "(a function)" : "(an ImagePipeline object)",
        validChoices: ["a TransformSpec", "workers: 0"],
        hint: `${SPEC_HINT} with workers > 0: code cannot cross threads, a spec can (or keep workers: 0)`,
      });
    }
    if (typeof transform !== "function")
      return { prepare: preparePipeline(transform), steps: undefined };
    return { prepare: prepareUint8(transform, normalize ?? {}), steps: undefined };
  }
  throw new InvalidOptionError({
    option: "transform",
    value: transform,
    hint: `${SPEC_HINT}, or with workers: 0 an ImagePipeline or a (img, rng) => RawImage function`,
  });
}

function fromWorkerTransform(legacy: WorkerTransform): TransformSpec {
  if (
    legacy == null ||
    (legacy.factory !== "celebaTrainTransform" && legacy.factory !== "celebaEvalTransform")
  ) {
    throw new InvalidOptionError({
      option: "workerTransform.factory",
      value: legacy?.factory,
      validChoices: ["celebaTrainTransform", "celebaEvalTransform"],
      hint: 'the deprecated alias of transform: prefer transform: { preset: "celebaTrain" }',
    });
  }
  const options = legacy.options ?? {};
  return legacy.factory === "celebaTrainTransform"
    ? { preset: "celebaTrain", ...options }
    : { preset: "celebaEval", mean: options.mean, std: options.std };
}

function isPipeline(value: unknown): value is ImagePipeline {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as ImagePipeline).apply === "function" &&
    typeof (value as ImagePipeline).outputSize === "function"
  );
}

/** A pipeline writes its normalised output straight into the batch. */
function preparePipeline(pipeline: ImagePipeline): (img: RawImage, rng: Rng) => PreparedSample {
  return (img, rng) => {
    const size = pipeline.outputSize({ width: img.width, height: img.height });
    return {
      height: size.height,
      width: size.width,
      channels: img.channels,
      write: (buffer, offset) => {
        pipeline.apply(img, rng, buffer, offset);
      },
    };
  };
}

/** A plain transform's uint8 result is normalised with `normalize`. */
function prepareUint8(
  transform: Transform,
  normalize: NormalizeOptions,
): (img: RawImage, rng: Rng) => PreparedSample {
  return (img, rng) => {
    const out = transform(img, rng);
    return {
      height: out.height,
      width: out.width,
      channels: out.channels,
      write: (buffer, offset) => {
        toFloat32(out, { normalize, out: buffer, offset });
      },
    };
  };
}

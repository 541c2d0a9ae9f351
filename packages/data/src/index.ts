/**
 * `@celeba/data`: load CelebA, split it, and batch its images (with augmentation, on the main thread
 * or in workers) for training and inference. Annotation parsers and formatters, and the attributes'
 * statistics, are in `@celeba/data/annotations`.
 */

export type {
  CelebaTrainTransformOptions,
  ImagePipeline,
  NormalizeOptions,
  RawImage,
  ResizeFilter,
  Rng,
  Seed,
  Size,
  Transform,
} from "@celeba/augment";
export type { CommonBatchOptions } from "./batch-options";
export { CELEBA_ATTRIBUTE_NAMES } from "./celeba-attributes";
export type { Batch, BatchIterable, BatchSource, CreateBatchesOptions } from "./create-batches";
export { createBatches } from "./create-batches";
export type { DatasetSplit } from "./dataset-splits";
export { explicitSplit, officialSplit, paperSplit } from "./dataset-splits";
export { decodeImage } from "./decode-image";
export {
  AnnotationError,
  BadImageError,
  DataError,
  ImageSizeError,
  InvalidOptionError,
  MissingImagesError,
  MissingPathError,
  ZipError,
} from "./errors";
export type { CreateImageBatchesOptions, ImageBatch, ImageBatchIterable } from "./image-batches";
export { createImageBatches, listImages } from "./image-batches";
export type { CelebADataset, CelebAItem, LoadCelebAConfig } from "./load-celeba";
export { loadCelebA } from "./load-celeba";
export type { Partition } from "./parse-partition";
export type { BatchTransform, SampleTransform, WorkerTransform } from "./sample-transform";
export type { SyntheticCelebA, SyntheticCelebAOptions } from "./synthetic-celeba";
export { makeSyntheticCelebA } from "./synthetic-celeba";
export type { TrainTestSplit, TrainTestSplitOptions } from "./train-test-split";
export { trainTestSplit } from "./train-test-split";
export type {
  CropStep,
  HflipStep,
  NormalizeStep,
  RandomHorizontalFlipStep,
  ResizeStep,
  TransformPreset,
  TransformSpec,
  TransformStep,
} from "./transform-spec";
export type { WritePredictionsOptions } from "./write-predictions";
export { writePredictions } from "./write-predictions";

export type { CommonBatchOptions } from "./batch-options";
export { CELEBA_ATTRIBUTE_NAMES, CELEBA_ATTRIBUTE_STATS } from "./celeba-attributes";
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
export { formatAttributeFile } from "./format-attribute-file";
export type { CreateImageBatchesOptions, ImageBatch, ImageBatchIterable } from "./image-batches";
export { createImageBatches, listImages } from "./image-batches";
export type { CelebADataset, CelebAItem, LoadCelebAConfig } from "./load-celeba";
export { loadCelebA } from "./load-celeba";
export type { AttributeRow, AttributeTable } from "./parse-attributes";
export { parseAttributes, parseAttributesCsv } from "./parse-attributes";
export type { Partition } from "./parse-partition";
export { parsePartition, parsePartitionCsv } from "./parse-partition";
export type { SampleTransform } from "./sample-transform";
export type { SyntheticCelebA, SyntheticCelebAOptions } from "./synthetic-celeba";
export { makeSyntheticCelebA } from "./synthetic-celeba";
export type { TrainTestSplit, TrainTestSplitOptions } from "./train-test-split";
export { trainTestSplit } from "./train-test-split";
export type { WorkerTransform } from "./worker-pool";
export type { WritePredictionsOptions } from "./write-predictions";
export { writePredictions } from "./write-predictions";

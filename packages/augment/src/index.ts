// The main entry: images, transforms and the CelebA pipelines. The seeded generator the random
// transforms take is `@celeba/augment/random`; its types are exported here too.
export type { CelebaTrainTransformOptions, ImagePipeline } from "./celeba-transform";
export { celebaEvalTransform, celebaTrainTransform } from "./celeba-transform";
export { compose } from "./compose";
export type { CropBox, Size } from "./crop";
export { centerCrop, crop } from "./crop";
export {
  AugmentError,
  ChannelMismatchError,
  CropOutOfBoundsError,
  InvalidImageError,
  InvalidOptionError,
} from "./errors";
export { hflip } from "./hflip";
export type { NormalizeOptions, ToFloat32Options } from "./normalize";
export { IMAGENET_MEAN, IMAGENET_STD, toFloat32 } from "./normalize";
export { randomCrop } from "./random-crop";
export { randomHorizontalFlip } from "./random-horizontal-flip";
export type { CreateRawImageOptions, RawImage } from "./raw-image";
export { assertRawImage, cloneRawImage, createRawImage } from "./raw-image";
export type { ResizeFilter, ResizeOptions } from "./resize";
export { resize } from "./resize";
export type { Rng, RngState, Seed } from "./rng";
export type { Transform } from "./transform";

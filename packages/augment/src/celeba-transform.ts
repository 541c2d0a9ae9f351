import { assertOneOf } from "@celeba/internal";
import { roundHalfEven, type Size, validateSize } from "./crop";
import { CropOutOfBoundsError, InvalidOptionError } from "./errors";
import { type NormalizeOptions, normalizationTable, toNormalizedFloat32 } from "./normalize";
import { randomCropOffset } from "./random-crop";
import { validateProbability } from "./random-horizontal-flip";
import { assertRawImage, type RawImage } from "./raw-image";
import { RESIZE_FILTERS, type ResizeFilter, resampleRegion } from "./resample";
import type { Rng } from "./rng";
import type { Transform } from "./transform";

/** A ready image pipeline: uint8 augmentation, then conversion to a normalised float32 HWC tensor. */
export interface ImagePipeline {
  /** The uint8 part (flip / resize / crop) as a composable {@link Transform}. */
  augment: Transform;
  /**
   * Augments `img` with `rng` and writes the normalised float32 HWC result into `out` at `offset`
   * (a new array when `out` is omitted). Returns `out`.
   */
  apply(img: RawImage, rng: Rng, out?: Float32Array, offset?: number): Float32Array;
  /** Output size for an input of the given size. */
  outputSize(input: Size): Size;
}

/** Options of {@link celebaTrainTransform}; the defaults are the paper's pipeline. */
export interface CelebaTrainTransformOptions extends NormalizeOptions {
  /** Probability of a horizontal flip. Default 0.5. */
  flipProbability?: number;
  /** Size the image is resized to. Default `{ width: 220, height: 270 }`. */
  resize?: Size;
  /** Size cropped back out of the resized image. Default `{ width: 178, height: 218 }`. */
  crop?: Size;
  /** `"random"` (torchvision `RandomCrop`) or `"center"` (torchvision `CenterCrop`). Default `"random"`. */
  cropMode?: "random" | "center";
  /** Resize filter. Default `"bicubic"` (Pillow's `Image.resize` default). */
  filter?: ResizeFilter;
}

/**
 * The paper's training pipeline: random horizontal flip (p = 0.5), Pillow bicubic resize to 220x270
 * (width x height), random crop back to 178x218, then ImageNet normalisation. The three uint8 steps
 * are fused (the flip is read mirrored, and only the cropped pixels of the resize are computed), and
 * the result is bit-identical to `compose([randomHorizontalFlip(p), resize, randomCrop])` with the
 * same rng draws: one `rng.next()` for the flip, then `nextInt` for top, then left.
 *
 * @param options - Overrides; every field defaults to the paper's value.
 * @returns An {@link ImagePipeline}.
 * @throws {InvalidOptionError} for a bad probability, size, filter or crop mode.
 * @throws {CropOutOfBoundsError} when the crop is larger than the resize target.
 * @example
 * const train = celebaTrainTransform();
 * const x = train.apply(img, createRng(deriveSeed(seed, epoch, index))); // 218*178*3 floats
 * train.apply(img2, rng2, batch, 1 * 218 * 178 * 3); // or straight into an NHWC batch
 */
export function celebaTrainTransform(options: CelebaTrainTransformOptions = {}): ImagePipeline {
  const p = options.flipProbability ?? 0.5;
  validateProbability(p, "flipProbability");
  const target = options.resize ?? { width: 220, height: 270 };
  validateSize(target, "resize");
  const cropSize = options.crop ?? { width: 178, height: 218 };
  validateSize(cropSize, "crop");
  const cropMode = options.cropMode ?? "random";
  assertOneOf(InvalidOptionError, "cropMode", cropMode, ["random", "center"]);
  const filter = options.filter ?? "bicubic";
  if (!RESIZE_FILTERS.includes(filter)) {
    throw new InvalidOptionError({
      option: "filter",
      value: filter,
      hint: `one of ${RESIZE_FILTERS.map((x) => `"${x}"`).join(", ")}`,
    });
  }
  if (cropSize.width > target.width || cropSize.height > target.height) {
    throw new CropOutOfBoundsError({
      box: { left: 0, top: 0, width: cropSize.width, height: cropSize.height },
      imageWidth: target.width,
      imageHeight: target.height,
      fix: "The crop must fit in the resize target; make options.crop smaller or options.resize larger.",
    });
  }
  const norm: NormalizeOptions = { mean: options.mean, std: options.std };
  // Validate mean/std now (for RGB) so misconfiguration fails before the first image.
  normalizationTable(norm, norm.mean?.length ?? norm.std?.length ?? 3);

  const augment: Transform = (img: RawImage, rng: Rng) => {
    assertRawImage(img);
    const flip = rng.next() < p;
    const { left, top } =
      cropMode === "random"
        ? randomCropOffset(target.width, target.height, cropSize, rng)
        : {
            left: roundHalfEven((target.width - cropSize.width) / 2),
            top: roundHalfEven((target.height - cropSize.height) / 2),
          };
    const data = resampleRegion({
      src: img.data,
      srcWidth: img.width,
      srcHeight: img.height,
      channels: img.channels,
      outWidth: target.width,
      outHeight: target.height,
      filter,
      regionLeft: left,
      regionTop: top,
      regionWidth: cropSize.width,
      regionHeight: cropSize.height,
      mirror: flip,
    });
    return { data, width: cropSize.width, height: cropSize.height, channels: img.channels };
  };
  return {
    augment,
    apply: (img, rng, out, offset) => toNormalizedFloat32(augment(img, rng), norm, out, offset),
    outputSize: () => ({ width: cropSize.width, height: cropSize.height }),
  };
}

/**
 * The paper's evaluation pipeline: no augmentation, just ImageNet normalisation (the image keeps
 * its size, 178x218 for CelebA). `rng` is accepted for interface symmetry and never drawn from.
 *
 * @param options - Mean and std per channel; default ImageNet's.
 * @returns An {@link ImagePipeline} whose `augment` is the identity.
 * @throws {ChannelMismatchError} when mean and std lengths differ.
 * @example
 * const evalT = celebaEvalTransform();
 * const x = evalT.apply(img, createRng(0));
 * console.log(x.length === img.data.length); // true
 */
export function celebaEvalTransform(options: NormalizeOptions = {}): ImagePipeline {
  const norm: NormalizeOptions = { mean: options.mean, std: options.std };
  normalizationTable(norm, norm.mean?.length ?? norm.std?.length ?? 3);
  return {
    augment: (img: RawImage) => img,
    apply: (img, _rng, out, offset) => toNormalizedFloat32(img, norm, out, offset),
    outputSize: (input: Size) => ({ width: input.width, height: input.height }),
  };
}

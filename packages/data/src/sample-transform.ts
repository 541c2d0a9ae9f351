import {
  celebaEvalTransform,
  type ImagePipeline,
  type NormalizeOptions,
  type RawImage,
  type Rng,
  type Transform,
  toFloat32,
} from "@celeba/augment";
import type { PreparedSample } from "./batch-engine";
import { InvalidOptionError } from "./errors";

/** What a batch iterator applies to each decoded image: an augment pipeline, or a plain uint8 transform. */
export type SampleTransform = ImagePipeline | Transform;

/**
 * Turns the user's transform into a function producing a {@link PreparedSample}. A pipeline writes its
 * normalised output straight into the batch; a plain transform's uint8 result is normalised with
 * `normalize` (ImageNet mean/std by default).
 */
export function resolveTransform(
  transform: SampleTransform | undefined,
  normalize: NormalizeOptions | undefined,
): (img: RawImage, rng: Rng) => PreparedSample {
  if (transform === undefined)
    return resolveTransform(celebaEvalTransform(normalize ?? {}), undefined);
  if (typeof transform === "function") {
    const norm = normalize ?? {};
    return (img, rng) => {
      const out = transform(img, rng);
      return {
        height: out.height,
        width: out.width,
        channels: out.channels,
        write: (buffer, offset) => {
          toFloat32(out, { normalize: norm, out: buffer, offset });
        },
      };
    };
  }
  if (
    transform !== null &&
    typeof transform === "object" &&
    typeof transform.apply === "function"
  ) {
    const pipeline = transform;
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
  throw new InvalidOptionError({
    option: "transform",
    value: transform,
    hint: "an ImagePipeline from @celeba/augment (celebaTrainTransform(), celebaEvalTransform()) or a (img, rng) => RawImage transform",
  });
}

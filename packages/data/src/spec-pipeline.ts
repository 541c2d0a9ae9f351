import {
  celebaEvalTransform,
  celebaTrainTransform,
  centerCrop,
  compose,
  hflip,
  type ImagePipeline,
  type NormalizeOptions,
  type RawImage,
  randomCrop,
  randomHorizontalFlip,
  resize,
  type Size,
  type Transform,
  toFloat32,
} from "@celeba/augment";
import type { NormalizeStep, ResolvedSteps, TransformStep } from "./transform-spec";

/**
 * Builds the pipeline a resolved spec describes. The main thread and every worker call this with
 * the same steps, so they compute the same floats from the same rng. The paper's
 * flip → resize → crop → normalize runs as @celeba/augment's fused `celebaTrainTransform`
 * (bit-identical to the separate steps, and faster); any other list runs step by step.
 *
 * @param steps - Output of `resolveTransformSpec`: validated, ending with one normalize step.
 * @returns An {@link ImagePipeline}.
 */
export function specPipeline(steps: ResolvedSteps): ImagePipeline {
  const norm = steps[steps.length - 1] as NormalizeStep;
  const normalize: NormalizeOptions = { mean: norm.mean, std: norm.std };
  const body = steps.slice(0, -1);
  if (body.length === 0) return celebaEvalTransform(normalize);
  const [flip, size, cut] = body;
  if (
    body.length === 3 &&
    flip?.op === "randomHorizontalFlip" &&
    size?.op === "resize" &&
    (cut?.op === "randomCrop" || cut?.op === "centerCrop")
  ) {
    return celebaTrainTransform({
      ...normalize,
      flipProbability: flip.p,
      resize: { width: size.width, height: size.height },
      crop: { width: cut.width, height: cut.height },
      cropMode: cut.op === "randomCrop" ? "random" : "center",
      filter: size.filter,
    });
  }
  const augment = compose(body.map(stepTransform));
  return {
    augment,
    apply: (img, rng, out, offset) =>
      toFloat32(augment(img, rng), { normalize, ...(out ? { out } : {}), offset: offset ?? 0 }),
    outputSize: (input) => body.reduce(stepSize, input),
  };
}

function stepTransform(step: TransformStep): Transform {
  switch (step.op) {
    case "hflip":
      return (img) => hflip(img);
    case "randomHorizontalFlip":
      return randomHorizontalFlip(step.p);
    case "resize": {
      const options = { width: step.width, height: step.height, filter: step.filter };
      // Pillow's resize to the same size is a copy; skip it.
      return (img: RawImage) =>
        img.width === step.width && img.height === step.height ? img : resize(img, options);
    }
    case "centerCrop": {
      const size = { width: step.width, height: step.height };
      return (img) => centerCrop(img, size);
    }
    case "randomCrop":
      return randomCrop({ width: step.width, height: step.height });
    case "normalize":
      throw new Error("unreachable: normalize is the last step and handled by specPipeline");
  }
}

function stepSize(size: Size, step: TransformStep): Size {
  return step.op === "hflip" || step.op === "randomHorizontalFlip" || step.op === "normalize"
    ? size
    : { width: step.width, height: step.height };
}

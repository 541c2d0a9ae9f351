import { type RawImage, resize, toFloat32 } from "@celeba/augment";
import * as tf from "@tensorflow/tfjs-core";
import type { LoadedCheckpoint } from "./checkpoint-file";

/** One prediction: the raw scores in output order, and the time the model took. */
export interface Prediction {
  scores: Float32Array;
  milliseconds: number;
}

/**
 * The CLI's eval transform and forward pass: resize to the checkpoint's input size with
 * @celeba/augment's Pillow-exact resize when the size differs, normalise (the checkpoint's
 * mean/std, else ImageNet's), then `model.apply` in eval mode.
 *
 * @param loaded - The model and its metadata.
 * @param image - RGB bytes at the photo's own size.
 */
export async function predictImage(loaded: LoadedCheckpoint, image: RawImage): Promise<Prediction> {
  const size = loaded.meta.inputSize;
  const sized =
    size && (image.width !== size.width || image.height !== size.height)
      ? resize(image, size)
      : image;
  const input = toFloat32(sized, { normalize: loaded.meta.normalization ?? {} });
  const started = performance.now();
  const out = tf.tidy(() =>
    loaded.model.apply(tf.tensor4d(input, [1, sized.height, sized.width, 3]), { training: false }),
  );
  try {
    const scores = (await out.data()) as Float32Array;
    return { scores, milliseconds: performance.now() - started };
  } finally {
    out.dispose();
  }
}

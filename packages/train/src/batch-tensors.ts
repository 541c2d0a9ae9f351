import * as tf from "@tensorflow/tfjs-core";
import type { Batch, DataSource, EvalData } from "./batch";
import { BatchShapeError } from "./errors";

/** Validates a batch and returns its images/labels as tensors (caller disposes). */
export function batchTensors(
  batch: Batch,
  index: number,
): { x: tf.Tensor4D; y: tf.Tensor2D; numClasses: number } {
  const [n, h, w, c] = batch.shape;
  if (!(n > 0) || batch.images.length !== n * h * w * c) {
    throw new BatchShapeError({
      batchIndex: index,
      message:
        `images has ${batch.images.length} values but shape [${batch.shape}] needs ${n * h * w * c}. ` +
        "Yield NHWC float32 images with a matching shape.",
    });
  }
  const numClasses = batch.labels.length / n;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new BatchShapeError({
      batchIndex: index,
      message: `labels has ${batch.labels.length} values, not a multiple of the batch size ${n}. Yield n x numAttributes labels.`,
    });
  }
  return {
    x: tf.tensor4d(batch.images, [n, h, w, c], "float32"),
    y: tf.tensor2d(batch.labels, [n, numClasses], "float32"),
    numClasses,
  };
}

/** Turns any accepted evaluation data into an async iterable of batches. */
export function evalBatches(data: EvalData, epoch: number): AsyncIterable<Batch> | Iterable<Batch> {
  return typeof data === "function" ? (data as DataSource)(epoch, 0) : data;
}

import { concatChunks } from "@celeba/internal";
import { getAccuracy, perAttributeAccuracy } from "@celeba/metrics";
import * as tf from "@tensorflow/tfjs-core";
import type { EvalData } from "./batch";
import { batchTensors, evalBatches } from "./batch-tensors";
import { BatchShapeError } from "./errors";
import { type LossFunction, type LossName, lossByName } from "./losses";
import type { TrainableModel } from "./trainable-model";

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Loss to report. Default `"mse"`. */
  loss?: LossName | LossFunction;
  /** Decision threshold: score >= threshold predicts +1. Default 0 (the paper's). */
  threshold?: number;
  /** Epoch passed to a {@link DataSource}. Default 0. */
  epoch?: number;
  /** Stops between batches when aborted (throws the signal's reason). */
  signal?: AbortSignal;
}

/** What {@link evaluate} measures. */
export interface EvaluationResult {
  /** Mean loss over all samples. */
  loss: number;
  /** Accuracy over all samples and attributes (`getAccuracy`). */
  accuracy: number;
  /** Accuracy of each attribute, in label column order. */
  perAttributeAccuracy: number[];
  /** Raw scores, `count x numClasses`, row-major. */
  scores: Float32Array;
  /** The labels, same layout as `scores`. */
  labels: Float32Array;
  /** Sample ids in order. */
  ids: string[];
  /** Number of samples. */
  count: number;
  /** Number of attributes (columns). */
  numClasses: number;
}

/**
 * Runs the model in inference mode (BN running statistics) over the data and
 * measures loss and accuracy (threshold 0 by default).
 *
 * @param model - The model.
 * @param data - A data source (called as `(epoch, 0)`) or an (async) iterable of batches.
 * @param options - See {@link EvaluateOptions}.
 * @returns Loss, accuracy, per-attribute accuracy, and all scores.
 * @throws {BatchShapeError} On an inconsistent batch or when there is no data.
 * @example
 * ```ts
 * const r = await evaluate(model, valData);
 * console.log(r.accuracy, r.perAttributeAccuracy[31]);
 * ```
 */
export async function evaluate(
  model: TrainableModel,
  data: EvalData,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const lossFn =
    typeof options.loss === "function" ? options.loss : lossByName(options.loss ?? "mse");
  const scoreChunks: Float32Array[] = [];
  const labelChunks: Float32Array[] = [];
  const ids: string[] = [];
  let lossSum = 0;
  let count = 0;
  let numClasses = 0;
  let index = 0;
  for await (const batch of evalBatches(data, options.epoch ?? 0)) {
    options.signal?.throwIfAborted();
    let classes = 0;
    // Read back asynchronously: on a GPU backend a synchronous read blocks until the queue
    // drains (and webgpu in Node has none).
    const [s, l] = tf.tidy(() => {
      const t = batchTensors(batch, index);
      const out = model.apply(t.x, { training: false });
      classes = t.numClasses;
      return [out, lossFn(out, t.y)];
    });
    let scores: Float32Array;
    let loss: number;
    try {
      scores = Float32Array.from(await s.data());
      loss = (await l.data())[0] as number;
    } finally {
      tf.dispose([s, l]);
    }
    if (numClasses !== 0 && classes !== numClasses) {
      throw new BatchShapeError({
        batchIndex: index,
        message: `has ${classes} label columns but earlier batches had ${numClasses}.`,
      });
    }
    numClasses = classes;
    const n = batch.shape[0];
    scoreChunks.push(scores);
    labelChunks.push(batch.labels);
    ids.push(...batch.ids);
    lossSum += loss * n;
    count += n;
    index++;
  }
  if (count === 0)
    throw new BatchShapeError({
      batchIndex: 0,
      message: "the evaluation data yielded no batches. Check the split/data source.",
    });
  const scores = concatChunks(Float32Array, scoreChunks, count * numClasses);
  const labels = concatChunks(Float32Array, labelChunks, count * numClasses);
  const matrix = (d: Float32Array) => ({ data: d, shape: [count, numClasses] });
  const threshold = { threshold: options.threshold ?? 0 };
  return {
    loss: lossSum / count,
    accuracy: getAccuracy(matrix(scores), matrix(labels), threshold),
    perAttributeAccuracy: perAttributeAccuracy(matrix(scores), matrix(labels), threshold),
    scores,
    labels,
    ids,
    count,
    numClasses,
  };
}

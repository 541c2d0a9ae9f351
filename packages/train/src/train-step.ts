import { getAccuracy } from "@celeba/metrics";
import * as tf from "@tensorflow/tfjs-core";
import { InvalidOptionError, NonFiniteLossError, TrainError } from "./errors";
import type { LossFunction } from "./losses";
import { TorchOptimizer } from "./torch-optimizer";
import type { TrainableModel } from "./trainable-model";

/** Result of one {@link trainStep}. */
export interface StepResult {
  /** The loss before the update. */
  loss: number;
  /** Number of correct (sample, attribute) predictions at threshold 0, before the update. */
  correct: number;
  /** The scores of the forward pass, `n x numClasses`. */
  scores: Float32Array;
}

/** Options of {@link trainStep}. */
export interface TrainStepOptions {
  /** Variables to update. Default `model.trainableVariables()` (only unfrozen parameters). */
  variables?: Map<string, tf.Variable>;
  /** Reported in a {@link NonFiniteLossError}. Default 0. */
  epoch?: number;
  /** Reported in a {@link NonFiniteLossError}. Default 0. */
  step?: number;
  /** Decision threshold for `correct`. Default 0. */
  threshold?: number;
}

/**
 * One optimization step, as torch's `opt.zero_grad(); loss(model(x), y).backward(); opt.step()`:
 * forward in train mode (BN batch statistics, running stats updated), gradients
 * of the loss with respect to the unfrozen variables only, and an optimizer update.
 *
 * @param model - The model.
 * @param optimizer - Any `tf.Optimizer` (e.g. {@link Adamax}).
 * @param loss - Loss function on (scores, ±1 labels).
 * @param x - Images, NHWC.
 * @param y - Labels, `n x numClasses`, ±1.
 * @param options - See {@link TrainStepOptions}.
 * @returns The loss, the number of correct predictions and the scores (before the update).
 * @throws {NonFiniteLossError} When the loss is NaN/Inf; no update is applied then.
 * @throws {InvalidOptionError} When there is nothing to train.
 * @throws {TrainError} When tfjs has no gradient registered for an op (import `@tensorflow/tfjs` first).
 * @example
 * ```ts
 * const { loss } = trainStep(model, createOptimizer({ name: "adamax" }), mseLoss, x, y);
 * console.log(loss);
 * ```
 */
export function trainStep(
  model: TrainableModel,
  optimizer: tf.Optimizer,
  loss: LossFunction,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  options: TrainStepOptions = {},
): StepResult {
  const { value, grads, scores } = computeGradients(model, optimizer, loss, x, y, options);
  let updated = false;
  try {
    const lossValue = value.dataSync()[0] as number;
    if (!Number.isFinite(lossValue)) {
      throw new NonFiniteLossError({
        epoch: options.epoch ?? 0,
        step: options.step ?? 0,
        loss: lossValue,
      });
    }
    const scoreData = Float32Array.from(scores.dataSync());
    const [n, c] = scores.shape;
    const correct = Math.round(
      getAccuracy({ data: scoreData, shape: [n, c] }, y, { threshold: options.threshold ?? 0 }) *
        n *
        c,
    );
    optimizer.applyGradients(grads);
    updated = true;
    return { loss: lossValue, correct, scores: scoreData };
  } finally {
    if (!updated && optimizer instanceof TorchOptimizer) optimizer.discardPreparedState();
    tf.dispose([value, scores]);
    tf.dispose(grads);
  }
}

/**
 * {@link trainStep} for the training loop's hot path: the loss and the number of correct
 * predictions are computed on the backend and read back together as two numbers with one
 * asynchronous read, instead of two synchronous reads of the loss and every score. On a GPU
 * backend (webgpu, webgl) a synchronous read blocks the thread until the queue drains, and
 * webgpu in Node cannot read synchronously at all; the async read leaves the thread free while
 * the GPU works. The update still waits for the loss, so a non-finite loss applies no update.
 *
 * @param model - The model.
 * @param optimizer - Any `tf.Optimizer` (e.g. {@link Adamax}).
 * @param loss - Loss function on (scores, ±1 labels).
 * @param x - Images, NHWC.
 * @param y - Labels, `n x numClasses`, ±1 (a label other than +1 counts as -1).
 * @param options - See {@link TrainStepOptions}.
 * @returns The loss and the number of correct predictions (before the update).
 * @throws {NonFiniteLossError} When the loss is NaN/Inf; no update is applied then.
 * @throws {InvalidOptionError} When there is nothing to train.
 * @throws {TrainError} When tfjs has no gradient registered for an op.
 * @example
 * ```ts
 * const { loss, correct } = await trainStepAsync(model, optimizer, mseLoss, x, y);
 * ```
 */
export async function trainStepAsync(
  model: TrainableModel,
  optimizer: tf.Optimizer,
  loss: LossFunction,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  options: TrainStepOptions = {},
): Promise<Omit<StepResult, "scores">> {
  const { value, grads, scores } = computeGradients(model, optimizer, loss, x, y, options);
  let updated = false;
  try {
    const threshold = options.threshold ?? 0;
    const metrics = tf.tidy(() => {
      const agree = tf.equal(tf.greaterEqual(scores, threshold), tf.equal(y, 1));
      return tf.stack([tf.reshape(value, []), tf.sum(tf.cast(agree, "float32"))]);
    });
    const [lossValue, correct] = await metrics.data();
    metrics.dispose();
    if (!Number.isFinite(lossValue)) {
      throw new NonFiniteLossError({
        epoch: options.epoch ?? 0,
        step: options.step ?? 0,
        loss: lossValue as number,
      });
    }
    optimizer.applyGradients(grads);
    updated = true;
    return { loss: lossValue as number, correct: Math.round(correct as number) };
  } finally {
    if (!updated && optimizer instanceof TorchOptimizer) optimizer.discardPreparedState();
    tf.dispose([value, scores]);
    tf.dispose(grads);
  }
}

/** The forward pass in train mode and the gradients of the loss, with the scores kept. */
function computeGradients(
  model: TrainableModel,
  optimizer: tf.Optimizer,
  loss: LossFunction,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  options: TrainStepOptions,
): { value: tf.Scalar; grads: tf.NamedTensorMap; scores: tf.Tensor2D } {
  const variables = [...(options.variables ?? model.trainableVariables()).values()];
  if (variables.length === 0) {
    throw new InvalidOptionError({
      option: "model.trainableVariables()",
      value: [],
      hint: "The model has no trainable variables; unfreeze at least one layer.",
    });
  }
  // The optimizer's long-lived state is made before the step's activations exist, so that it
  // sits next to the weights instead of between them (no effect after the first step).
  if (optimizer instanceof TorchOptimizer) optimizer.prepareState(variables);
  let scores: tf.Tensor2D | undefined;
  let computed: ReturnType<typeof tf.variableGrads>;
  try {
    computed = tf.variableGrads(() => {
      const s = model.apply(x, { training: true });
      // Kept out of the forward tidy so accuracy can be read from the same pass.
      scores = tf.keep(s);
      return loss(s, y);
    }, variables);
  } catch (e) {
    if (scores) tf.dispose(scores);
    if (optimizer instanceof TorchOptimizer) optimizer.discardPreparedState();
    if (e instanceof Error && /gradient function not found/i.test(e.message)) {
      throw new TrainError({
        message:
          `${e.message}. tfjs-core alone registers no gradients: import "@tensorflow/tfjs" or "@tensorflow/tfjs-node" ` +
          '(or, under a bundler, "@tensorflow/tfjs-core/dist/register_all_gradients") once before training.',
      });
    }
    throw e;
  }
  return { ...computed, scores: scores as tf.Tensor2D };
}

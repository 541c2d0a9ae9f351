import * as tf from "@tensorflow/tfjs-core";
import { saveWithClone } from "../tfjs-internals";

/**
 * A new tensor that shares `x`'s data: a `Reshape` to the same shape, which every backend
 * runs by adding a reference to the data instead of copying it. Tensors are immutable, so the
 * two can never tell each other apart; the data is freed when both are disposed.
 *
 * tfjs' `tf.clone` runs the `Identity` kernel, which the wasm backend implements as a copy
 * (the cpu backend shares). Where a second handle on the same values is all that is needed,
 * this gives it without the copy.
 *
 * @param x - Any tensor.
 * @returns A tensor with `x`'s shape, dtype and data, and its own id.
 */
export function shareData<T extends tf.Tensor>(x: T): T {
  return tf.reshape(x, x.shape) as T;
}

/**
 * Calls a custom op's `save` so that the tensors it keeps for the backward pass share the
 * data of the ones given instead of being copies.
 *
 * tfjs' engine keeps `this.clone(t)` of each tensor passed to `save`, and on the wasm backend
 * that clone is a copy. A tensor saved by two ops (a BatchNorm output that the next convolution
 * keeps too, a block output kept by the residual ReLU and the next block's convolutions) then
 * existed two or three times, until the backward pass. The engine's `clone` is routed through
 * {@link shareData} for the duration of the call only; the engine still owns, keeps and
 * disposes the saved tensors exactly as before, and `save` still keeps nothing when no
 * gradient tape is recording.
 *
 * @param save - The `save` function tfjs passes to a `tf.customGrad` forward function.
 * @param tensors - The tensors to keep for the backward pass.
 */
export function saveShared(save: tf.GradSaveFunc, tensors: tf.Tensor[]): void {
  saveWithClone(save, tensors, shareData);
}

import * as tf from "@tensorflow/tfjs-core";

/**
 * Runs `f(x)` without recording it on the gradient tape, as PyTorch records no graph for
 * layers whose parameters and input need no gradient. None of the tensors `f` creates is kept
 * for a backward pass, so they are freed as soon as `f` is done with them.
 *
 * tfjs has no public switch for the tape, but a custom-gradient op runs its forward function
 * with the tape off. Its gradient is only ever asked for when something upstream of `x` is
 * being differentiated; `onGradient` then explains why that cannot be (it must throw).
 *
 * @param x - The input; the op's only tape input.
 * @param f - The computation; its intermediates are disposed when it returns.
 * @param onGradient - Called instead of a backward pass; must throw.
 * @returns `f(x)`.
 */
export function withoutGradientTape(
  x: tf.Tensor4D,
  f: (x: tf.Tensor4D) => tf.Tensor4D,
  onGradient: () => never,
): tf.Tensor4D {
  const op = tf.customGrad((xIn) => ({
    value: f(xIn as tf.Tensor4D),
    gradFunc: () => onGradient(),
  }));
  return op(x) as tf.Tensor4D;
}

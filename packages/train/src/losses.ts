import * as tf from "@tensorflow/tfjs-core";
import { InvalidOptionError } from "./errors";

/** A loss: (scores, targets in {-1, +1}) => scalar mean loss. */
export type LossFunction = (scores: tf.Tensor, targets: tf.Tensor) => tf.Scalar;

/** Names accepted by {@link lossByName}. */
export type LossName = "mse" | "l1" | "bce";

/** Every valid {@link LossName}. */
export const LOSS_NAMES: readonly LossName[] = ["mse", "l1", "bce"];

/**
 * Mean squared error, `mean((scores - targets)^2)` over all elements, as
 * `torch.nn.MSELoss()` (the paper's loss, on ±1 targets).
 *
 * @param scores - Predictions, any shape.
 * @param targets - Targets, same shape (±1 labels for the paper).
 * @returns A scalar tensor (caller disposes).
 * @example
 * ```ts
 * const loss = mseLoss(tf.tensor2d([[0.5, -2]]), tf.tensor2d([[1, -1]]));
 * loss.print(); // 0.625
 * ```
 */
export function mseLoss(scores: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(scores, targets))) as tf.Scalar);
}

/**
 * Mean absolute error, `mean(|scores - targets|)`, as `torch.nn.L1Loss()`.
 *
 * @param scores - Predictions, any shape.
 * @param targets - Targets, same shape.
 * @returns A scalar tensor (caller disposes).
 * @example
 * ```ts
 * const loss = l1Loss(tf.tensor2d([[0.5, -2]]), tf.tensor2d([[1, -1]]));
 * loss.print(); // 0.75
 * ```
 */
export function l1Loss(scores: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(scores, targets))) as tf.Scalar);
}

/**
 * Binary cross-entropy on logits, as `torch.nn.BCEWithLogitsLoss()` applied
 * to `(targets + 1) / 2` (±1 labels mapped to {0, 1}). Uses the stable form
 * `max(x, 0) - x*z + log1p(exp(-|x|))`, so large logits never overflow.
 *
 * @param scores - Logits, any shape.
 * @param targets - Targets in {-1, +1}, same shape.
 * @returns A scalar tensor (caller disposes).
 * @example
 * ```ts
 * const loss = bceWithLogitsLoss(tf.tensor2d([[100, -100]]), tf.tensor2d([[1, -1]]));
 * loss.print(); // ~0
 * ```
 */
export function bceWithLogitsLoss(scores: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const z = tf.mul(tf.add(targets, 1), 0.5);
    const perElement = tf.add(
      tf.sub(tf.relu(scores), tf.mul(scores, z)),
      tf.log1p(tf.exp(tf.neg(tf.abs(scores)))),
    );
    return tf.mean(perElement) as tf.Scalar;
  });
}

/**
 * Looks a loss up by name.
 *
 * @param name - `"mse"` (the paper's), `"l1"` or `"bce"`.
 * @returns The loss function.
 * @throws {InvalidOptionError} When the name is unknown (lists the valid names).
 * @example
 * ```ts
 * const loss = lossByName("mse");
 * const value = loss(scores, labels);
 * ```
 */
export function lossByName(name: LossName): LossFunction {
  switch (name) {
    case "mse":
      return mseLoss;
    case "l1":
      return l1Loss;
    case "bce":
      return bceWithLogitsLoss;
    default:
      throw new InvalidOptionError({
        option: "loss",
        value: name,
        hint: "Pass one of the built-in loss names.",
        validChoices: LOSS_NAMES,
      });
  }
}

import { confusionCounts } from "./confusion";
import type { MatrixInput } from "./matrix";
import { checkPair, type ThresholdOptions } from "./validate-inputs";

/**
 * The paper's `get_accuracy(scores, labels)`: the fraction of (sample, attribute) cells
 * where the thresholded score equals the ±1 label. A score `>= threshold` (default 0)
 * is +1, so a score of exactly 0 counts as positive; anything below is -1.
 *
 * @param scores - Model outputs, [samples, attributes]; any {@link MatrixInput}.
 * @param labels - CelebA's -1/+1 labels, same shape.
 * @param options - `threshold` (default 0).
 * @returns Accuracy in [0, 1] over all cells.
 * @throws {ShapeMismatchError} When the shapes differ.
 * @throws {InvalidLabelError} When a label is not -1 or +1.
 * @throws {NonFiniteScoreError} When a score is NaN or ±Infinity.
 * @throws {EmptyInputError} When there are no cells.
 * @throws {InvalidShapeError} When an input is not a readable matrix.
 * @throws {InvalidOptionError} When the threshold is not finite.
 * @example
 * import { getAccuracy } from "@celeba/metrics";
 * getAccuracy([[0.8, -0.2], [0, 0.1]], [[1, -1], [1, -1]]); // 0.75
 * getAccuracy(scores, labels, { threshold: 0.1 });
 */
export function getAccuracy(
  scores: MatrixInput,
  labels: MatrixInput,
  options?: ThresholdOptions,
): number {
  const pair = checkPair(scores, labels, options);
  const c = confusionCounts(pair);
  let correct = 0;
  for (let j = 0; j < pair.scores.cols; j++) {
    correct += c.truePositives[j]! + c.trueNegatives[j]!;
  }
  return correct / (pair.scores.rows * pair.scores.cols);
}

/**
 * Alias of {@link getAccuracy} under the paper's PyTorch name.
 *
 * @param scores - Model outputs, [samples, attributes].
 * @param labels - CelebA's -1/+1 labels, same shape.
 * @param options - `threshold` (default 0).
 * @returns Accuracy in [0, 1] over all cells.
 * @throws {MetricsError} As {@link getAccuracy}.
 * @example
 * import { get_accuracy } from "@celeba/metrics";
 * const acc = get_accuracy(scores, labels);
 * console.log(`test accuracy ${(acc * 100).toFixed(1)}%`);
 */
export const get_accuracy: typeof getAccuracy = getAccuracy;

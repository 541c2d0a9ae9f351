import { confusionCounts } from "./confusion";
import type { MatrixInput } from "./matrix";
import { checkPair, type ThresholdOptions } from "./validate-inputs";

/**
 * Accuracy of each attribute (column): the fraction of samples whose thresholded
 * score (`>= threshold` is +1, default threshold 0) equals the ±1 label.
 *
 * @param scores - Model outputs, [samples, attributes]; any {@link MatrixInput}.
 * @param labels - CelebA's -1/+1 labels, same shape.
 * @param options - `threshold` (default 0).
 * @returns One accuracy in [0, 1] per attribute, in column order.
 * @throws {MetricsError} As {@link getAccuracy} (shape, label, score, empty, option errors).
 * @example
 * import { perAttributeAccuracy } from "@celeba/metrics";
 * perAttributeAccuracy([[0.8, -0.2], [0, 0.1]], [[1, -1], [1, -1]]); // [1, 0.5]
 * perAttributeAccuracy(scores, labels, { threshold: 0.1 });
 */
export function perAttributeAccuracy(
  scores: MatrixInput,
  labels: MatrixInput,
  options?: ThresholdOptions,
): number[] {
  const pair = checkPair(scores, labels, options);
  const c = confusionCounts(pair);
  const n = pair.scores.rows;
  return Array.from({ length: pair.scores.cols }, (_, j) => {
    return (c.truePositives[j]! + c.trueNegatives[j]!) / n;
  });
}

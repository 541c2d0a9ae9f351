import { confusionCounts } from "./confusion";
import { NamesLengthError } from "./errors";
import type { MatrixInput } from "./matrix";
import { checkPair, type ThresholdOptions } from "./validate-inputs";

/**
 * Metrics of one attribute. A ratio whose denominator is 0 is defined as 0, like
 * scikit-learn's `zero_division=0`: precision with no predicted positives, recall
 * with no positive labels, F1 with neither.
 */
export interface AttributeMetrics {
  /** Attribute name, from `names`. */
  readonly name: string;
  /** Column index (0-based). */
  readonly index: number;
  /** (TP + TN) / count. */
  readonly accuracy: number;
  /** TP / (TP + FP); 0 when nothing is predicted positive. */
  readonly precision: number;
  /** TP / (TP + FN), the true-positive rate; 0 when no label is positive. */
  readonly recall: number;
  /** 2TP / (2TP + FP + FN); 0 when that denominator is 0. */
  readonly f1: number;
  /**
   * Mean of recall and specificity TN / (TN + FP), over the classes present in the
   * labels: when every label is -1 it is the specificity alone, when every label is
   * +1 the recall alone (as scikit-learn's `balanced_accuracy_score`).
   */
  readonly balancedAccuracy: number;
  /** Fraction of labels that are +1. */
  readonly positiveRate: number;
  /** Fraction of samples predicted +1 (score >= threshold). */
  readonly predictedPositiveRate: number;
  /** Number of samples. */
  readonly count: number;
  /** Accuracy of always predicting this attribute's majority label (ties: +1). */
  readonly baseline: number;
  /** Samples predicted +1 whose label is +1. */
  readonly truePositives: number;
  /** Samples predicted +1 whose label is -1. */
  readonly falsePositives: number;
  /** Samples predicted -1 whose label is -1. */
  readonly trueNegatives: number;
  /** Samples predicted -1 whose label is +1. */
  readonly falseNegatives: number;
}

/** Per-attribute metrics plus means over attributes. */
export interface AttributeReport {
  /** One entry per column, in column order. */
  readonly attributes: AttributeMetrics[];
  /** Mean of per-attribute accuracy; equals {@link getAccuracy} over all cells. */
  readonly meanAccuracy: number;
  /** Mean of per-attribute majority-baseline accuracy. */
  readonly meanBaseline: number;
  /** Mean of per-attribute F1. */
  readonly meanF1: number;
  /** Mean of per-attribute balanced accuracy. */
  readonly meanBalancedAccuracy: number;
  /** Number of samples. */
  readonly count: number;
  /** Threshold used: score >= threshold is +1. */
  readonly threshold: number;
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Per-attribute accuracy, precision, recall, F1, balanced accuracy, label and
 * predicted positive rates, count and majority baseline, plus means. Undefined
 * ratios (0/0) are 0, see {@link AttributeMetrics}.
 *
 * @param scores - Model outputs, [samples, attributes]; any {@link MatrixInput}.
 * @param labels - CelebA's -1/+1 labels, same shape.
 * @param names - One name per attribute column, in column order.
 * @param options - `threshold` (default 0; score >= threshold is +1).
 * @returns The report; render it with {@link formatAttributeTable}.
 * @throws {NamesLengthError} When `names.length` is not the number of columns.
 * @throws {MetricsError} As {@link getAccuracy} (shape, label, score, empty, option errors).
 * @example
 * import { attributeReport } from "@celeba/metrics";
 * const report = attributeReport(scores, labels, ["Bald", "Smiling"]);
 * console.log(report.attributes[0].f1, report.meanAccuracy, report.meanBaseline);
 */
export function attributeReport(
  scores: MatrixInput,
  labels: MatrixInput,
  names: readonly string[],
  options?: ThresholdOptions,
): AttributeReport {
  const pair = checkPair(scores, labels, options);
  const cols = pair.scores.cols;
  if (!Array.isArray(names) || names.length !== cols) {
    throw new NamesLengthError({
      expected: cols,
      received: Array.isArray(names) ? names.length : 0,
    });
  }
  const c = confusionCounts(pair);
  const n = pair.scores.rows;
  const attributes: AttributeMetrics[] = [];
  for (let j = 0; j < cols; j++) {
    const tp = c.truePositives[j]!;
    const fp = c.falsePositives[j]!;
    const tn = c.trueNegatives[j]!;
    const fn = c.falseNegatives[j]!;
    const positives = tp + fn;
    const negatives = tn + fp;
    const recall = ratio(tp, positives);
    const specificity = ratio(tn, negatives);
    // Average only over classes present in the labels, as scikit-learn does.
    const balancedAccuracy =
      positives === 0 ? specificity : negatives === 0 ? recall : (recall + specificity) / 2;
    attributes.push({
      name: String(names[j]),
      index: j,
      accuracy: (tp + tn) / n,
      precision: ratio(tp, tp + fp),
      recall,
      f1: ratio(2 * tp, 2 * tp + fp + fn),
      balancedAccuracy,
      positiveRate: positives / n,
      predictedPositiveRate: (tp + fp) / n,
      count: n,
      baseline: Math.max(positives, negatives) / n,
      truePositives: tp,
      falsePositives: fp,
      trueNegatives: tn,
      falseNegatives: fn,
    });
  }
  return {
    attributes,
    meanAccuracy: mean(attributes.map((a) => a.accuracy)),
    meanBaseline: mean(attributes.map((a) => a.baseline)),
    meanF1: mean(attributes.map((a) => a.f1)),
    meanBalancedAccuracy: mean(attributes.map((a) => a.balancedAccuracy)),
    count: n,
    threshold: pair.threshold,
  };
}

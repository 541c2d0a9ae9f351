import type { CheckedPair } from "./validate-inputs";

/** Per-attribute confusion counts at a threshold; each array has one entry per column. */
export interface ConfusionCounts {
  readonly truePositives: Float64Array;
  readonly falsePositives: Float64Array;
  readonly trueNegatives: Float64Array;
  readonly falseNegatives: Float64Array;
}

/**
 * Counts, per attribute column, predictions (`score >= threshold` is +1, else -1)
 * against ±1 labels. Internal: every metric is derived from these counts.
 *
 * @param pair - Checked scores, labels and threshold.
 * @returns The four counts per column.
 * @example
 * const pair = checkPair([[0, -1]], [[1, 1]], {});
 * confusionCounts(pair).truePositives; // Float64Array [1, 0]
 * confusionCounts(pair).falseNegatives; // Float64Array [0, 1]
 */
export function confusionCounts({ scores, labels, threshold }: CheckedPair): ConfusionCounts {
  const m = scores.cols;
  const tp = new Float64Array(m);
  const fp = new Float64Array(m);
  const tn = new Float64Array(m);
  const fn = new Float64Array(m);
  const s = scores.data as ArrayLike<number>;
  const l = labels.data as ArrayLike<number>;
  for (let k = 0, j = 0; k < s.length; k++) {
    const positive = (s[k] as number) >= threshold;
    if (l[k] === 1) {
      if (positive) tp[j]!++;
      else fn[j]!++;
    } else if (positive) fp[j]!++;
    else tn[j]!++;
    j = j + 1 === m ? 0 : j + 1;
  }
  return { truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn };
}

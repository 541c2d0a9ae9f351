import type { MatrixInput } from "./matrix";
import { readLabels } from "./validate-inputs";

/** What always predicting each attribute's most frequent label would score. */
export interface MajorityBaseline {
  /** Per attribute: the majority label's frequency, in [0.5, 1]. */
  readonly accuracy: number[];
  /** Per attribute: the label always predicted; +1 on an exact 50/50 tie. */
  readonly majorityLabel: (1 | -1)[];
  /** Mean of `accuracy` over attributes. */
  readonly mean: number;
}

/**
 * The majority-class baseline: for each attribute, always predict its most frequent
 * label in `labels`. CelebA is imbalanced (Bald is about 2% positive), so a model's
 * per-attribute accuracy means little without it. Ties go to +1 (the accuracy is 0.5
 * either way).
 *
 * @param labels - CelebA's -1/+1 labels, [samples, attributes]; any {@link MatrixInput}.
 * @returns Per-attribute baseline accuracy and label, and their mean.
 * @throws {InvalidLabelError} When a label is not -1 or +1.
 * @throws {EmptyInputError} When there are no cells.
 * @throws {InvalidShapeError} When the input is not a readable matrix.
 * @example
 * import { majorityBaseline } from "@celeba/metrics";
 * const b = majorityBaseline([[1, -1], [-1, -1], [-1, 1]]);
 * b.accuracy; // [2/3, 2/3]; b.majorityLabel: [-1, -1]; b.mean: 2/3
 */
export function majorityBaseline(labels: MatrixInput): MajorityBaseline {
  const { rows, cols, data } = readLabels(labels);
  const positives = new Float64Array(cols);
  for (let k = 0; k < data.length; k++) {
    if (data[k] === 1) positives[k % cols]!++;
  }
  const accuracy: number[] = [];
  const majorityLabel: (1 | -1)[] = [];
  let sum = 0;
  for (let j = 0; j < cols; j++) {
    const pos = positives[j]!;
    const label = pos >= rows - pos ? 1 : -1;
    const acc = (label === 1 ? pos : rows - pos) / rows;
    majorityLabel.push(label);
    accuracy.push(acc);
    sum += acc;
  }
  return { accuracy, majorityLabel, mean: sum / cols };
}

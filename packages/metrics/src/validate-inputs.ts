import {
  InvalidLabelError,
  InvalidOptionError,
  NonFiniteScoreError,
  ShapeMismatchError,
} from "./errors";
import { type Matrix, type MatrixInput, toMatrix } from "./matrix";

/** Options shared by every function that thresholds scores. */
export interface ThresholdOptions {
  /**
   * A score `>= threshold` is predicted +1, anything below is -1 (the paper's rule,
   * so a score of exactly `threshold` counts as positive). Default `0`, the midpoint
   * of the ±1 labels that MSE training regresses to. Must be finite.
   */
  threshold?: number;
}

/** Scores and labels, read, shape-matched and value-checked. */
export interface CheckedPair {
  readonly scores: Matrix;
  readonly labels: Matrix;
  readonly threshold: number;
}

/**
 * Reads the threshold option, defaulting to 0.
 *
 * @param options - Caller's options, possibly undefined.
 * @returns The finite threshold.
 * @throws {InvalidOptionError} When the threshold is not a finite number.
 * @example
 * readThreshold(undefined); // 0
 * readThreshold({ threshold: 0.5 }); // 0.5
 * readThreshold({ threshold: Number.NaN }); // throws
 */
export function readThreshold(options: ThresholdOptions | undefined): number {
  const t = options?.threshold ?? 0;
  if (typeof t !== "number" || !Number.isFinite(t)) {
    throw new InvalidOptionError({
      option: "threshold",
      value: t,
      hint: "it must be a finite number (default 0: score >= 0 is +1, else -1)",
    });
  }
  return t;
}

/**
 * Reads labels and checks every cell is -1 or +1.
 *
 * @param input - Labels in any {@link MatrixInput} form.
 * @returns The label matrix.
 * @throws {InvalidShapeError | EmptyInputError | InvalidLabelError} On bad structure or values.
 * @example
 * const m = readLabels([[1, -1]]);
 * m.cols; // 2
 * readLabels([[0, 1]]); // throws InvalidLabelError at [0, 0]
 */
export function readLabels(input: MatrixInput): Matrix {
  const m = toMatrix("labels", input);
  checkLabelValues(m);
  return m;
}

function checkLabelValues({ data, cols }: Matrix): void {
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    if (v !== 1 && v !== -1)
      throw new InvalidLabelError({ row: Math.floor(k / cols), column: k % cols, value: v });
  }
}

/**
 * Reads and checks scores, labels and the threshold, in that order of structure first,
 * then shapes, then label values, then score values.
 *
 * @param scores - Model outputs, [samples, attributes].
 * @param labels - ±1 labels of the same shape.
 * @param options - Threshold options.
 * @returns The checked pair.
 * @throws {InvalidOptionError | InvalidShapeError | EmptyInputError | ShapeMismatchError | InvalidLabelError | NonFiniteScoreError}
 * @example
 * const pair = checkPair([[0.2]], [[1]], {});
 * pair.threshold; // 0
 * pair.scores.rows; // 1
 */
export function checkPair(
  scores: MatrixInput,
  labels: MatrixInput,
  options: ThresholdOptions | undefined,
): CheckedPair {
  const threshold = readThreshold(options);
  const s = toMatrix("scores", scores);
  const l = toMatrix("labels", labels);
  if (s.rows !== l.rows || s.cols !== l.cols) {
    throw new ShapeMismatchError({ scoresShape: [s.rows, s.cols], labelsShape: [l.rows, l.cols] });
  }
  checkLabelValues(l);
  const { data, cols } = s;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new NonFiniteScoreError({ row: Math.floor(k / cols), column: k % cols, value: v });
    }
  }
  return { scores: s, labels: l, threshold };
}

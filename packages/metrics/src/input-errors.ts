import { errorClass, errorMarker, formatValue } from "@celeba/internal";
import { MetricsError } from "./metrics-error";

/** Formats a shape as `[n, m]` for messages. */
function showShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Scores and labels (or a report's inputs) do not have the same [samples, attributes] shape.
 *
 * @example
 * try { getAccuracy([[1, 2]], [[1]]); }
 * catch (e) { if (ShapeMismatchError.isInstance(e)) console.log(e.scoresShape, e.labelsShape); }
 */
export class ShapeMismatchError extends errorClass(
  MetricsError,
  ["scoresShape", "labelsShape"],
  (init: {
    /** Shape of the scores as read, [samples, attributes]. */
    scoresShape: readonly number[];
    /** Shape of the labels as read, [samples, attributes]. */
    labelsShape: readonly number[];
  }) =>
    `scores have shape ${showShape(init.scoresShape)} but labels have shape ${showShape(init.labelsShape)}; ` +
    "both must be [samples, attributes] with the same size. Pass the labels of exactly the " +
    "samples that were scored, in the same order (a 1-D input is read as one attribute column, " +
    "shape [n, 1]; wrap a single sample's row as [row] to get [1, m]).",
) {
  static override readonly marker: symbol = errorMarker("metrics", "ShapeMismatchError");
}

/**
 * An input could not be read as a matrix: unknown kind, rank above 2, ragged rows,
 * or a flat `data` whose length is not the product of its `shape`.
 *
 * @example
 * try { getAccuracy([[1, 2], [3]], [[1, 1], [1, 1]]); }
 * catch (e) { if (InvalidShapeError.isInstance(e)) console.log(e.input, e.reason); }
 */
export class InvalidShapeError extends errorClass(
  MetricsError,
  ["input", "reason"],
  (init: {
    /** Which argument was bad: "scores" or "labels". */
    input: string;
    /** What was wrong with it, in words. */
    reason: string;
  }) =>
    `${init.input} cannot be read as a [samples, attributes] matrix: ${init.reason}. Pass number[][] ` +
    "(rows of equal length), { data: Float32Array | Int8Array | number[] | ..., shape: [n, m] }, " +
    "or a tensor-like object with arraySync() or dataSync() and shape.",
) {
  static override readonly marker: symbol = errorMarker("metrics", "InvalidShapeError");
}

/** The first bad cell of the scores or labels: where it is and what it holds. */
export interface MatrixCell {
  /** Sample index (0-based) of the first bad cell, in row-major order. */
  row: number;
  /** Attribute index (0-based) of the first bad cell. */
  column: number;
  /** The offending value as read. */
  value: unknown;
}

/**
 * A label is not CelebA's -1 or +1.
 *
 * @example
 * try { getAccuracy([[0.3]], [[0]]); }
 * catch (e) { if (InvalidLabelError.isInstance(e)) console.log(e.row, e.column, e.value); }
 */
export class InvalidLabelError extends errorClass(
  MetricsError,
  ["row", "column", "value"],
  (cell: MatrixCell) =>
    `labels[${cell.row}][${cell.column}] is ${formatValue(cell.value, { typed: true })}, but labels must be CelebA's -1 or +1 ` +
    "(as in list_attr_celeba.txt). If your labels are 0/1, convert them with " +
    "`labels.map((row) => row.map((v) => 2 * v - 1))`.",
) {
  static override readonly marker: symbol = errorMarker("metrics", "InvalidLabelError");
}

/**
 * Scores or labels have no cells (zero samples or zero attributes).
 *
 * @example
 * try { getAccuracy([], []); }
 * catch (e) { if (EmptyInputError.isInstance(e)) console.log(e.input, e.shape); }
 */
export class EmptyInputError extends errorClass(
  MetricsError,
  ["input", "shape"],
  (init: {
    /** Which argument was empty: "scores" or "labels". */
    input: string;
    /** Its shape as read, with a 0 in it. */
    shape: readonly number[];
  }) =>
    `${init.input} is empty (shape ${showShape(init.shape)}); metrics need at least one sample and one ` +
    "attribute. Check that the data split or batch you are evaluating is not empty.",
) {
  static override readonly marker: symbol = errorMarker("metrics", "EmptyInputError");
}

/**
 * A score is NaN, ±Infinity or not a number at all.
 *
 * @example
 * try { getAccuracy([[Number.NaN]], [[1]]); }
 * catch (e) { if (NonFiniteScoreError.isInstance(e)) console.log(e.row, e.column, e.value); }
 */
export class NonFiniteScoreError extends errorClass(
  MetricsError,
  ["row", "column", "value"],
  (cell: MatrixCell) =>
    `scores[${cell.row}][${cell.column}] is ${formatValue(cell.value, { typed: true })}, but every score must be a finite number. ` +
    "A NaN usually means the model diverged (lower the learning rate) or read an unnormalised " +
    "or corrupt image; fix the model output rather than filtering the cell out.",
) {
  static override readonly marker: symbol = errorMarker("metrics", "NonFiniteScoreError");
}

/**
 * `names` does not give exactly one name per attribute column.
 *
 * @example
 * try { attributeReport([[1, 1]], [[1, 1]], ["Bald"]); }
 * catch (e) { if (NamesLengthError.isInstance(e)) console.log(e.expected, e.received); }
 */
export class NamesLengthError extends errorClass(
  MetricsError,
  ["expected", "received"],
  (init: {
    /** Number of attribute columns in the scores and labels. */
    expected: number;
    /** Number of names given. */
    received: number;
  }) =>
    `names has ${init.received} entries but the scores and labels have ${init.expected} attribute ` +
    `columns; pass exactly ${init.expected} names, in column order (for CelebA, the 40 names ` +
    "from the header line of list_attr_celeba.txt).",
) {
  static override readonly marker: symbol = errorMarker("metrics", "NamesLengthError");
}

import {
  assignInvalidOption,
  CelebaError,
  errorMarker,
  formatValue,
  type InvalidOptionInit,
} from "@celeba/internal";
/**
 * Base class of every error thrown by `@celeba/metrics`; catch this to handle them all.
 *
 * @example
 * try { getAccuracy(scores, labels); }
 * catch (e) { if (MetricsError.isInstance(e)) console.error(e.message); }
 */
export class MetricsError extends CelebaError {
  static override readonly marker: symbol = errorMarker("metrics", "MetricsError");
}

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
export class ShapeMismatchError extends MetricsError {
  static override readonly marker: symbol = errorMarker("metrics", "ShapeMismatchError");
  /** Shape of the scores as read, [samples, attributes]. */
  readonly scoresShape: readonly number[];
  /** Shape of the labels as read, [samples, attributes]. */
  readonly labelsShape: readonly number[];

  constructor({
    scoresShape,
    labelsShape,
  }: {
    scoresShape: readonly number[];
    labelsShape: readonly number[];
  }) {
    super({
      message:
        `scores have shape ${showShape(scoresShape)} but labels have shape ${showShape(labelsShape)}; ` +
        "both must be [samples, attributes] with the same size. Pass the labels of exactly the " +
        "samples that were scored, in the same order (a 1-D input is read as one attribute column, " +
        "shape [n, 1]; wrap a single sample's row as [row] to get [1, m]).",
    });
    this.scoresShape = scoresShape;
    this.labelsShape = labelsShape;
  }
}

/**
 * An input could not be read as a matrix: unknown kind, rank above 2, ragged rows,
 * or a flat `data` whose length is not the product of its `shape`.
 *
 * @example
 * try { getAccuracy([[1, 2], [3]], [[1, 1], [1, 1]]); }
 * catch (e) { if (InvalidShapeError.isInstance(e)) console.log(e.input, e.reason); }
 */
export class InvalidShapeError extends MetricsError {
  static override readonly marker: symbol = errorMarker("metrics", "InvalidShapeError");
  /** Which argument was bad: "scores" or "labels". */
  readonly input: string;
  /** What was wrong with it, in words. */
  readonly reason: string;

  constructor({ input, reason }: { input: string; reason: string }) {
    super({
      message:
        `${input} cannot be read as a [samples, attributes] matrix: ${reason}. Pass number[][] ` +
        "(rows of equal length), { data: Float32Array | Int8Array | number[] | ..., shape: [n, m] }, " +
        "or a tensor-like object with arraySync() or dataSync() and shape.",
    });
    this.input = input;
    this.reason = reason;
  }
}

/**
 * A label is not CelebA's -1 or +1.
 *
 * @example
 * try { getAccuracy([[0.3]], [[0]]); }
 * catch (e) { if (InvalidLabelError.isInstance(e)) console.log(e.row, e.column, e.value); }
 */
export class InvalidLabelError extends MetricsError {
  static override readonly marker: symbol = errorMarker("metrics", "InvalidLabelError");
  /** Sample index (0-based) of the first bad label, in row-major order. */
  readonly row: number;
  /** Attribute index (0-based) of the first bad label. */
  readonly column: number;
  /** The offending value as read. */
  readonly value: unknown;

  constructor({ row, column, value }: { row: number; column: number; value: unknown }) {
    super({
      message:
        `labels[${row}][${column}] is ${formatValue(value, { typed: true })}, but labels must be CelebA's -1 or +1 ` +
        "(as in list_attr_celeba.txt). If your labels are 0/1, convert them with " +
        "`labels.map((row) => row.map((v) => 2 * v - 1))`.",
    });
    this.row = row;
    this.column = column;
    this.value = value;
  }
}

/**
 * Scores or labels have no cells (zero samples or zero attributes).
 *
 * @example
 * try { getAccuracy([], []); }
 * catch (e) { if (EmptyInputError.isInstance(e)) console.log(e.input, e.shape); }
 */
export class EmptyInputError extends MetricsError {
  static override readonly marker: symbol = errorMarker("metrics", "EmptyInputError");
  /** Which argument was empty: "scores" or "labels". */
  readonly input: string;
  /** Its shape as read, with a 0 in it. */
  readonly shape: readonly number[];

  constructor({ input, shape }: { input: string; shape: readonly number[] }) {
    super({
      message:
        `${input} is empty (shape ${showShape(shape)}); metrics need at least one sample and one ` +
        "attribute. Check that the data split or batch you are evaluating is not empty.",
    });
    this.input = input;
    this.shape = shape;
  }
}

/**
 * A score is NaN, ±Infinity or not a number at all.
 *
 * @example
 * try { getAccuracy([[Number.NaN]], [[1]]); }
 * catch (e) { if (NonFiniteScoreError.isInstance(e)) console.log(e.row, e.column, e.value); }
 */
export class NonFiniteScoreError extends MetricsError {
  static override readonly marker: symbol = errorMarker("metrics", "NonFiniteScoreError");
  /** Sample index (0-based) of the first bad score, in row-major order. */
  readonly row: number;
  /** Attribute index (0-based) of the first bad score. */
  readonly column: number;
  /** The offending value as read. */
  readonly value: unknown;

  constructor({ row, column, value }: { row: number; column: number; value: unknown }) {
    super({
      message:
        `scores[${row}][${column}] is ${formatValue(value, { typed: true })}, but every score must be a finite number. ` +
        "A NaN usually means the model diverged (lower the learning rate) or read an unnormalised " +
        "or corrupt image; fix the model output rather than filtering the cell out.",
    });
    this.row = row;
    this.column = column;
    this.value = value;
  }
}

/**
 * `names` does not give exactly one name per attribute column.
 *
 * @example
 * try { attributeReport([[1, 1]], [[1, 1]], ["Bald"]); }
 * catch (e) { if (NamesLengthError.isInstance(e)) console.log(e.expected, e.received); }
 */
export class NamesLengthError extends MetricsError {
  static override readonly marker: symbol = errorMarker("metrics", "NamesLengthError");
  /** Number of attribute columns in the scores and labels. */
  readonly expected: number;
  /** Number of names given. */
  readonly received: number;

  constructor({ expected, received }: { expected: number; received: number }) {
    super({
      message:
        `names has ${received} entries but the scores and labels have ${expected} attribute ` +
        `columns; pass exactly ${expected} names, in column order (for CelebA, the 40 names ` +
        "from the header line of list_attr_celeba.txt).",
    });
    this.expected = expected;
    this.received = received;
  }
}

/**
 * An option has a value outside what it accepts.
 *
 * @example
 * try { getAccuracy([[1]], [[1]], { threshold: Number.NaN }); }
 * catch (e) { if (InvalidOptionError.isInstance(e)) console.log(e.option, e.value); }
 */
export class InvalidOptionError extends MetricsError {
  static override readonly marker: symbol = errorMarker("metrics", "InvalidOptionError");
  /** Option name, e.g. "threshold". */
  declare readonly option: string;
  /** The offending value. */
  readonly value: unknown;
  /** The accepted values, when there is a finite list of them. */
  readonly validChoices: readonly string[] | undefined;
  /** What would be accepted. */
  readonly hint: string | undefined;

  constructor(init: InvalidOptionInit) {
    const choices = init.validChoices ? ` Valid choices: ${init.validChoices.join(", ")}.` : "";
    super({
      message: `option ${init.option} is ${formatValue(init.value, { typed: true })}; ${init.hint ?? "it is not accepted"}.${choices}`,
    });
    assignInvalidOption(this, init);
  }
}

import { EmptyInputError, InvalidShapeError } from "./errors";

/** Any array of numbers: a plain array or a numeric typed array. */
export type NumericArray =
  | readonly number[]
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

/** A flat, row-major buffer with its shape, `[samples, attributes]` or `[samples]`. */
export interface FlatMatrix {
  /** Row-major values; length must be the product of `shape`. */
  readonly data: NumericArray;
  /** `[n, m]`, or `[n]` for a single attribute column. */
  readonly shape: readonly number[];
}

/**
 * Anything shaped like a tfjs `Tensor`, duck-typed so no tfjs import is needed:
 * either `dataSync()` plus `shape` (preferred, no nested copy), or `arraySync()`.
 */
export type TensorLike =
  | { readonly shape: readonly number[]; dataSync(): ArrayLike<number> }
  | { arraySync(): unknown };

/**
 * Every input kind the metrics accept. Matrices are `[samples, attributes]`.
 * A 1-D input (`number[]`, a bare typed array, `shape: [n]`, or a rank-1 tensor)
 * is read as ONE attribute column, shape `[n, 1]`; wrap a single sample's
 * row in an array (`[row]`) to get `[1, m]`.
 */
export type MatrixInput = readonly NumericArray[] | NumericArray | FlatMatrix | TensorLike;

/** A matrix as the metrics read it: row-major `data[i * cols + j]`. Values are unchecked. */
export interface Matrix {
  /** Number of samples. */
  readonly rows: number;
  /** Number of attributes. */
  readonly cols: number;
  /** `rows * cols` values, row-major; the caller's buffer when it was already flat. */
  readonly data: ArrayLike<unknown>;
}

function isNumericArray(x: unknown): x is NumericArray {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function fromShape(name: string, data: ArrayLike<unknown>, shape: readonly unknown[]): Matrix {
  if (shape.length !== 1 && shape.length !== 2) {
    throw new InvalidShapeError({
      input: name,
      reason:
        `shape [${shape.join(", ")}] has rank ${shape.length}, only rank 1 or 2 is supported ` +
        "(reshape to [samples, attributes] first)",
    });
  }
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new InvalidShapeError({
        input: name,
        reason: `shape [${shape.join(", ")}] has a non-integer or negative size`,
      });
    }
  }
  const rows = shape[0] as number;
  const cols = shape.length === 2 ? (shape[1] as number) : 1;
  if (data.length !== rows * cols) {
    throw new InvalidShapeError({
      input: name,
      reason: `data has ${data.length} values but shape [${shape.join(", ")}] needs ${rows * cols}`,
    });
  }
  return { rows, cols, data };
}

function fromNested(name: string, input: readonly unknown[]): Matrix {
  if (input.length === 0) return { rows: 0, cols: 0, data: [] };
  const first = input[0];
  if (!isNumericArray(first)) {
    // A 1-D array: one attribute column. Its values are checked later, cell by cell.
    for (let i = 0; i < input.length; i++) {
      if (isNumericArray(input[i])) {
        throw new InvalidShapeError({
          input: name,
          reason: `element ${i} is an array but element 0 is not (mixed 1-D/2-D)`,
        });
      }
    }
    return { rows: input.length, cols: 1, data: input };
  }
  const cols = first.length;
  const data: unknown[] = new Array(input.length * cols);
  for (let i = 0; i < input.length; i++) {
    const row = input[i];
    if (!isNumericArray(row)) {
      throw new InvalidShapeError({
        input: name,
        reason: `row ${i} is not an array (rows must all be arrays)`,
      });
    }
    if (row.length !== cols) {
      throw new InvalidShapeError({
        input: name,
        reason: `row ${i} has ${row.length} values but row 0 has ${cols} (ragged rows)`,
      });
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (isNumericArray(v)) {
        throw new InvalidShapeError({
          input: name,
          reason: `row ${i} holds an array at column ${j}: rank above 2`,
        });
      }
      data[i * cols + j] = v;
    }
  }
  return { rows: input.length, cols, data };
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return typeof x;
  const keys = Object.keys(x).slice(0, 5);
  return `an object with keys {${keys.join(", ")}} and no arraySync()/dataSync()+shape`;
}

/**
 * Reads any {@link MatrixInput} as a row-major matrix without checking its values.
 * Internal: not part of the public API.
 *
 * @param name - "scores" or "labels", used in error messages.
 * @param input - The matrix in any supported form.
 * @returns The matrix, with `rows * cols` cells.
 * @throws {InvalidShapeError} For an unknown kind, rank above 2, ragged rows or a bad shape.
 * @throws {EmptyInputError} When there are no cells.
 * @example
 * const m = toMatrix("labels", { data: new Int8Array([1, -1]), shape: [1, 2] });
 * m.rows; // 1
 * m.cols; // 2
 */
export function toMatrix(name: string, input: MatrixInput): Matrix {
  const m = readMatrix(name, input as unknown);
  if (m.rows === 0 || m.cols === 0)
    throw new EmptyInputError({ input: name, shape: [m.rows, m.cols] });
  return m;
}

function readMatrix(name: string, x: unknown): Matrix {
  if (Array.isArray(x)) return fromNested(name, x);
  if (isNumericArray(x)) return { rows: x.length, cols: 1, data: x };
  if (typeof x === "object" && x !== null) {
    const o = x as Record<string, unknown>;
    // tfjs tensors have a `data()` method, so a flat matrix is recognised by its array `data`.
    if (isNumericArray(o.data) && Array.isArray(o.shape)) return fromShape(name, o.data, o.shape);
    if (typeof o.dataSync === "function" && Array.isArray(o.shape)) {
      const data = (o.dataSync as () => unknown).call(x);
      if (!isNumericArray(data)) {
        throw new InvalidShapeError({
          input: name,
          reason: "dataSync() did not return an array or typed array",
        });
      }
      return fromShape(name, data, o.shape);
    }
    if (typeof o.arraySync === "function") {
      const nested = (o.arraySync as () => unknown).call(x);
      if (!Array.isArray(nested)) {
        throw new InvalidShapeError({
          input: name,
          reason: "arraySync() returned a scalar, not a 1-D or 2-D array",
        });
      }
      return fromNested(name, nested);
    }
  }
  throw new InvalidShapeError({ input: name, reason: `got ${describe(x)}` });
}

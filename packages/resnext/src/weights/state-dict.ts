/**
 * The element types a {@link StateTensor} can come from. They keep the name of the
 * source file's dtype (PyTorch spelling), even where the values are decoded into a
 * wider JavaScript array (float16 and bfloat16 are decoded to `Float32Array`).
 */
export type StateDtype =
  | "float32"
  | "float16"
  | "bfloat16"
  | "float64"
  | "int64"
  | "int32"
  | "int16"
  | "uint8"
  | "int8"
  | "bool";

/** The typed arrays a {@link StateTensor} holds its values in. */
export type StateTensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | BigInt64Array
  | Uint8Array
  | Int8Array;

/**
 * One tensor of a state dict: contiguous, row-major (C order) values plus the source dtype
 * and shape, with no dependency on any tensor library.
 *
 * Storage by dtype: float32/float16/bfloat16 → `Float32Array`, float64 → `Float64Array`,
 * int64 → `BigInt64Array`, int32 → `Int32Array`, int16 → `Int16Array`, uint8/bool →
 * `Uint8Array` (bool is 0 or 1), int8 → `Int8Array`.
 *
 * @example
 * const t: StateTensor = { dtype: "float32", shape: [2], data: new Float32Array([1, 2]) };
 * const sd: StateDict = new Map([["fc.bias", t]]);
 * console.log(sd.get("fc.bias")?.shape); // [2]
 */
export interface StateTensor {
  /** The dtype of the source (e.g. `"float16"` even though `data` is a `Float32Array`). */
  dtype: StateDtype;
  /** The shape, outermost dimension first, as in PyTorch (`[]` for a scalar). */
  shape: number[];
  /** The values, contiguous and row-major; `data.length` equals the product of `shape`. */
  data: StateTensorData;
}

/**
 * A PyTorch-style state dict: tensor name (torchvision's keys unchanged, e.g.
 * `"layer1.0.conv1.weight"`) to tensor, in the insertion order of the source file.
 *
 * @example
 * const sd: StateDict = await readStateDict("resnext50_32x4d.pth");
 * for (const [name, t] of sd) console.log(name, t.dtype, t.shape);
 * const w = sd.get("fc.weight");
 */
export type StateDict = Map<string, StateTensor>;

/**
 * The number of elements of a tensor with the given shape (1 for a scalar `[]`).
 *
 * @param shape - Dimensions, outermost first.
 * @returns The product of the dimensions.
 * @example
 * numel([2, 3]); // 6
 * numel([]); // 1
 * numel([4, 0]); // 0
 */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * The values of a state tensor as a `Float32Array` (the dtype tfjs trains in). float32
 * data is returned as is (not copied); other dtypes are converted, int64 through `Number`.
 *
 * @param t - The tensor to convert.
 * @returns A `Float32Array` of `numel(t.shape)` values, row-major.
 * @example
 * const t = sd.get("bn1.num_batches_tracked")!; // int64
 * const f = stateTensorToFloat32(t);
 * console.log(f[0]);
 */
export function stateTensorToFloat32(t: StateTensor): Float32Array {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  const out = new Float32Array(d.length);
  if (d instanceof BigInt64Array) {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  } else {
    out.set(d);
  }
  return out;
}

/**
 * The JavaScript array type a dtype's values are stored in (see {@link StateTensor}).
 *
 * @param dtype - The source dtype.
 * @param length - Number of elements.
 * @returns A zero-filled typed array of that length.
 * @example
 * allocateStateData("float16", 4); // Float32Array(4)
 * allocateStateData("int64", 1); // BigInt64Array(1)
 * allocateStateData("bool", 2); // Uint8Array(2)
 */
export function allocateStateData(dtype: StateDtype, length: number): StateTensorData {
  switch (dtype) {
    case "float32":
    case "float16":
    case "bfloat16":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
    case "int64":
      return new BigInt64Array(length);
    case "int32":
      return new Int32Array(length);
    case "int16":
      return new Int16Array(length);
    case "int8":
      return new Int8Array(length);
    case "uint8":
    case "bool":
      return new Uint8Array(length);
  }
}

/** Bytes per element of each dtype in a file (its on-disk width, not the decoded one). */
export const STATE_DTYPE_BYTES: Readonly<Record<StateDtype, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  uint8: 1,
  int8: 1,
  bool: 1,
};

import {
  allocateStateData,
  numel,
  STATE_DTYPE_BYTES,
  type StateDtype,
  type StateTensorData,
} from "./state-dict";

/** True on little-endian hosts (every platform Node and browsers ship on today). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/**
 * Decode one IEEE half-precision value from its 16 bits.
 *
 * @param h - The raw bits (0..65535).
 * @returns The value as a JavaScript number (exact).
 */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Encode a number as IEEE half-precision bits, rounding to nearest even as PyTorch's
 * `.half()` does (overflow gives ±Inf, NaN stays NaN).
 *
 * @param value - The number to encode.
 * @returns The 16 raw bits.
 */
export function numberToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  // Re-bias the exponent from float32 (127) to float16 (15).
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit leading 1 in, then round to nearest even.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const halfBit = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > halfBit || (rest === halfBit && m & 1)) m += 1;
    return sign | m;
  }
  const m = mant >>> 13;
  const rest = mant & 0x1fff;
  const out = sign | (e << 10) | m;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return rest > 0x1000 || (rest === 0x1000 && m & 1) ? out + 1 : out;
}

/**
 * Encode a number as bfloat16 bits (the top half of float32), rounding to nearest even as
 * PyTorch does.
 *
 * @param value - The number to encode.
 * @returns The 16 raw bits.
 */
export function numberToBfloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

function byteSwapInPlace(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/**
 * Decode `count` contiguous elements of `dtype` starting at `byteOffset` of `bytes` into a
 * fresh typed array (never a view of the input, so file buffers can be released).
 *
 * @param bytes - Raw storage bytes.
 * @param byteOffset - Offset of the first element in `bytes`.
 * @param count - Number of elements.
 * @param dtype - Element type in the file.
 * @param littleEndian - Byte order of the file's elements.
 * @returns The decoded values (float16/bfloat16 widened to Float32Array, bool to 0/1).
 */
export function decodeElements(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  dtype: StateDtype,
  littleEndian: boolean,
): StateTensorData {
  const width = STATE_DTYPE_BYTES[dtype];
  const raw = bytes.slice(byteOffset, byteOffset + count * width);
  if (width > 1 && littleEndian !== HOST_LITTLE_ENDIAN) byteSwapInPlace(raw, width);
  const buf = raw.buffer;
  switch (dtype) {
    case "float32":
      return new Float32Array(buf, 0, count);
    case "float64":
      return new Float64Array(buf, 0, count);
    case "int64":
      return new BigInt64Array(buf, 0, count);
    case "int32":
      return new Int32Array(buf, 0, count);
    case "int16":
      return new Int16Array(buf, 0, count);
    case "int8":
      return new Int8Array(buf, 0, count);
    case "uint8":
      return raw;
    case "bool": {
      for (let i = 0; i < raw.length; i++) raw[i] = raw[i] ? 1 : 0;
      return raw;
    }
    case "float16": {
      const h = new Uint16Array(buf, 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = float16BitsToNumber(h[i]!);
      return out;
    }
    case "bfloat16": {
      const h = new Uint16Array(buf, 0, count);
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = h[i]! << 16;
      return out;
    }
  }
}

/** Where a strided view lies in its storage, all in elements. */
export interface StridedView {
  storageOffset: number;
  shape: readonly number[];
  stride: readonly number[];
}

/**
 * The elements `[first, last]` of the storage a strided view touches, or `undefined` for an
 * empty view. Throws a plain Error with a description when the view is malformed.
 */
export function viewExtent(view: StridedView): { first: number; last: number } | undefined {
  const { storageOffset, shape, stride } = view;
  if (shape.length !== stride.length) {
    throw new Error(`shape [${shape}] and stride [${stride}] have different lengths`);
  }
  if (!Number.isSafeInteger(storageOffset) || storageOffset < 0) {
    throw new Error(`bad storage offset ${storageOffset}`);
  }
  let last = storageOffset;
  for (let i = 0; i < shape.length; i++) {
    const size = shape[i]!;
    const st = stride[i]!;
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad size ${size} in [${shape}]`);
    if (!Number.isSafeInteger(st) || st < 0) throw new Error(`bad stride ${st} in [${stride}]`);
    if (size === 0) return undefined;
    last += (size - 1) * st;
  }
  return { first: storageOffset, last };
}

/** Whether a view's elements are laid out contiguously in row-major order. */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    // Dimensions of size 1 may carry any stride, as in PyTorch's own contiguity check.
    if (size !== 1 && stride[i] !== expected) return false;
    expected *= size;
  }
  return true;
}

/**
 * Copy a strided view out of decoded storage elements into a contiguous row-major array.
 *
 * @param src - Decoded elements; index 0 is storage element `base`.
 * @param base - The storage index of `src[0]`.
 * @param view - The view to materialise.
 * @param dtype - The dtype (chooses the output array type).
 * @returns A new contiguous array of `numel(view.shape)` elements.
 */
export function gatherStrided(
  src: StateTensorData,
  base: number,
  view: StridedView,
  dtype: StateDtype,
): StateTensorData {
  const { shape, stride } = view;
  const n = numel(shape);
  const out = allocateStateData(dtype, n);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let pos = view.storageOffset - base;
  // Odometer walk: cheaper than recomputing the dot product of index and stride per element.
  const o = out as unknown as { [i: number]: number | bigint };
  const s = src as unknown as { [i: number]: number | bigint };
  for (let k = 0; k < n; k++) {
    o[k] = s[pos]!;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]! += 1;
      pos += stride[d]!;
      if (index[d]! < shape[d]!) break;
      pos -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

import * as tf from "@tensorflow/tfjs-core";
import { type StateTensor, stateTensorToFloat32 } from "../weights/state-dict";
import type { PlannedEntry } from "./layout";

// Converts between tfjs' layouts (HWIO convolutions, [in, out] fc) and PyTorch's (OIHW,
// [out, in]), entry by entry.

/** A state-dict entry of a live model: its plan and its variable. Internal. */
export interface Entry extends PlannedEntry {
  variable: tf.Variable;
}

/** The entry's value in PyTorch's layout (a copy). Internal. */
export function toStateTensor(e: Entry): StateTensor {
  if (e.kind === "count") {
    const v = e.variable.dataSync()[0] ?? 0;
    return { dtype: "int64", shape: [], data: BigInt64Array.of(BigInt(v)) };
  }
  // tfjs's generic transpose walks indices per element; plain loops are ~100x faster here.
  const values = e.variable.dataSync() as Float32Array;
  let data: Float32Array;
  if (e.kind === "conv") {
    const [o, i, kh, kw] = e.torchShape as [number, number, number, number];
    data = hwioToOihw(values, o, i, kh, kw);
  } else if (e.kind === "fcWeight") {
    const [out, inp] = e.torchShape as [number, number];
    data = transpose2d(values, inp, out);
  } else {
    data = Float32Array.from(values);
  }
  return { dtype: "float32", shape: [...e.torchShape], data };
}

/** `t` (PyTorch's layout) as a tensor in the entry's tfjs layout. Internal. */
export function fromStateTensor(e: Entry, t: StateTensor): tf.Tensor {
  if (e.kind === "count") {
    return tf.scalar(Number(t.data[0] ?? 0), "int32");
  }
  const values = stateTensorToFloat32(t);
  if (e.kind === "conv") {
    const [o, i, kh, kw] = e.torchShape as [number, number, number, number];
    return tf.tensor4d(oihwToHwio(values, o, i, kh, kw), [kh, kw, i, o]);
  }
  if (e.kind === "fcWeight") {
    const [out, inp] = e.torchShape as [number, number];
    return tf.tensor2d(transpose2d(values, out, inp), [inp, out]);
  }
  return tf.tensor1d(values);
}

/** [kh, kw, i, o] (tfjs) to [o, i, kh, kw] (PyTorch). */
function hwioToOihw(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  const k = kh * kw;
  for (let s = 0; s < k; s++) {
    for (let c = 0; c < i; c++) {
      const base = (s * i + c) * o;
      for (let n = 0; n < o; n++) dst[(n * i + c) * k + s] = src[base + n]!;
    }
  }
  return dst;
}

/** [o, i, kh, kw] (PyTorch) to [kh, kw, i, o] (tfjs). */
function oihwToHwio(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  const k = kh * kw;
  for (let n = 0; n < o; n++) {
    for (let c = 0; c < i; c++) {
      const base = (n * i + c) * k;
      for (let s = 0; s < k; s++) dst[(s * i + c) * o + n] = src[base + s]!;
    }
  }
  return dst;
}

/** A row-major [rows, cols] matrix transposed to [cols, rows]. */
function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c]!;
  }
  return dst;
}

/**
 * The WebAssembly SIMD path of `resampleRegion`: the coefficients come from `axisCoefficients` (TypeScript,
 * Pillow's own arithmetic), and `wasm/resample.c` applies them with Pillow's int32 fixed point, so the
 * output is bit-identical to the TypeScript loops and to Pillow. Internal: the public entry point is `resize`.
 */
import { ensureWasmMemory, lazyWasm } from "@celeba/internal";
import { RESAMPLE_WASM_BASE64 } from "./resample-wasm-binary";

/** Fixed-point coefficients of one axis (the shape `axisCoefficients` returns). */
interface Coefficients {
  ksize: number;
  bounds: Int32Array;
  weights: Int32Array;
}

interface ResampleExports {
  horizontal_pass(
    src: number,
    srcStride: number,
    rows: number,
    cols: number,
    channels: number,
    taps: number,
    offsets: number,
    weights: number,
    out: number,
  ): void;
  vertical_pass(
    src: number,
    stride: number,
    rows: number,
    taps: number,
    firstRow: number,
    weights: number,
    out: number,
  ): void;
}

// wasm memory never shrinks: huge images take the TypeScript loops rather than pin that much memory.
const MAX_MEMORY_BYTES = 64 << 20;

// null: unavailable (no WebAssembly, or no SIMD), so the TypeScript loops run.
const loadKernels = lazyWasm<ResampleExports>(RESAMPLE_WASM_BASE64);
let enabled = true;

/**
 * Chooses the implementation of the separable filters: `"wasm"` (the default where WebAssembly SIMD exists)
 * or `"typescript"`. For tests and benchmarks; both give identical bytes.
 */
export function setResampleImplementation(impl: "wasm" | "typescript"): void {
  enabled = impl === "wasm";
}

/** The implementation `resampleRegion` will use for separable filters right now. */
export function resampleImplementation(): "wasm" | "typescript" {
  return enabled && loadKernels() !== null ? "wasm" : "typescript";
}

/** The sub-range of taps of output `index` whose weights are non-zero, as [first, count]. */
function nonZeroTaps(co: Coefficients, index: number): [number, number] {
  const n = co.bounds[index * 2 + 1] as number;
  const base = index * co.ksize;
  let first = 0;
  while (first < n && co.weights[base + first] === 0) first++;
  if (first === n) return [0, 1];
  let last = n - 1;
  while (co.weights[base + last] === 0) last--;
  return [first, last - first + 1];
}

/** What the wasm path needs beyond the job: the axis coefficients and the source rows to read. */
export interface WasmResampleInput {
  src: Uint8Array;
  srcWidth: number;
  channels: number;
  mirror: boolean;
  /** Horizontal coefficients, or undefined when the width is unchanged (then `rows` are copied as is). */
  horizontal: Coefficients | undefined;
  /** Vertical coefficients, or undefined when the height is unchanged. */
  vertical: Coefficients | undefined;
  rowStart: number;
  rowEnd: number;
  regionLeft: number;
  regionTop: number;
  regionWidth: number;
  regionHeight: number;
  /** Copies source rows (mirrored) when there is no horizontal pass; the TypeScript path's helper. */
  copyRows: () => Uint8Array;
}

/**
 * Runs the horizontal then vertical pass in WebAssembly. Returns undefined when the wasm kernels are
 * unavailable, disabled, or the image has more than 4 channels (one pixel is one i32x4 there).
 */
export function resampleRegionWasm(input: WasmResampleInput): Uint8Array | undefined {
  if (!enabled || input.channels > 4) return undefined;
  const wasm = loadKernels();
  if (wasm === null) return undefined;
  const k = wasm.exports;
  const { src, srcWidth, channels: c, mirror, horizontal: h, vertical: v } = input;
  const { rowStart, rowEnd, regionLeft: rx, regionTop: ry, regionWidth: rw } = input;
  const rh = input.regionHeight;
  const rows = rowEnd - rowStart;

  let hTaps = 0;
  if (h) for (let j = 0; j < rw; j++) hTaps = Math.max(hTaps, nonZeroTaps(h, rx + j)[1]);
  let vTaps = 0;
  if (v) for (let y = 0; y < rh; y++) vTaps = Math.max(vTaps, nonZeroTaps(v, ry + y)[1]);

  // One bump allocation per call; 16 bytes of slack after each buffer covers the kernels' vector overrun.
  let top = (wasm.heapBase + 15) & ~15;
  const alloc = (bytes: number): number => {
    const at = top;
    top = (top + bytes + 16 + 15) & ~15;
    return at;
  };
  const tmpStride = rw * c;
  const srcPtr = h ? alloc(rows * srcWidth * c) : 0;
  const hOffsetsPtr = h ? alloc(rw * hTaps * 4) : 0;
  const hWeightsPtr = h ? alloc(rw * hTaps * 4) : 0;
  // vTaps spare rows: taps past a row's last non-zero weight read there, and multiply by 0.
  const tmpPtr = alloc((rows + vTaps) * tmpStride);
  const vFirstPtr = v ? alloc(rh * 4) : 0;
  const vWeightsPtr = v ? alloc(rh * vTaps * 4) : 0;
  const outPtr = v ? alloc(rh * tmpStride) : 0;
  if (!ensureWasmMemory(wasm.memory, top, MAX_MEMORY_BYTES)) return undefined;
  const buffer = wasm.memory.buffer;

  if (h) {
    new Uint8Array(buffer, srcPtr, rows * srcWidth * c).set(
      src.subarray(rowStart * srcWidth * c, rowEnd * srcWidth * c),
    );
    const offsets = new Int32Array(buffer, hOffsetsPtr, rw * hTaps);
    const weights = new Int32Array(buffer, hWeightsPtr, rw * hTaps);
    for (let j = 0; j < rw; j++) {
      const xx = rx + j;
      const [first, count] = nonZeroTaps(h, xx);
      const xmin = (h.bounds[xx * 2] as number) + first;
      for (let t = 0; t < hTaps; t++) {
        // Padding taps repeat the first pixel with weight 0, so every offset stays inside the row.
        const x = t < count ? xmin + t : xmin;
        offsets[j * hTaps + t] = (mirror ? srcWidth - 1 - x : x) * c;
        weights[j * hTaps + t] = t < count ? (h.weights[xx * h.ksize + first + t] as number) : 0;
      }
    }
    k.horizontal_pass(srcPtr, srcWidth * c, rows, rw, c, hTaps, hOffsetsPtr, hWeightsPtr, tmpPtr);
  } else {
    new Uint8Array(buffer, tmpPtr, rows * tmpStride).set(input.copyRows());
  }
  if (!v)
    return new Uint8Array(buffer, tmpPtr + (ry - rowStart) * tmpStride, rh * tmpStride).slice();

  const firstRows = new Int32Array(buffer, vFirstPtr, rh);
  const weights = new Int32Array(buffer, vWeightsPtr, rh * vTaps);
  for (let y = 0; y < rh; y++) {
    const yy = ry + y;
    const [first, count] = nonZeroTaps(v, yy);
    firstRows[y] = (v.bounds[yy * 2] as number) + first - rowStart;
    for (let t = 0; t < vTaps; t++) {
      weights[y * vTaps + t] = t < count ? (v.weights[yy * v.ksize + first + t] as number) : 0;
    }
  }
  k.vertical_pass(tmpPtr, tmpStride, rh, vTaps, vFirstPtr, vWeightsPtr, outPtr);
  return new Uint8Array(buffer, outPtr, rh * tmpStride).slice();
}

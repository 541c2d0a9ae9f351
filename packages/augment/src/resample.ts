/**
 * A port of Pillow 9.4's `libImaging/Resample.c` (8 bits per channel) and of the nearest-neighbour
 * `ImagingScaleAffine` path, computing any rectangular region of the output so that a resize
 * followed by a crop costs only the cropped pixels. Internal: the public entry point is `resize`.
 */
import { resampleRegionWasm } from "./resample-wasm";

/** Resampling filters, named as in Pillow's `Image.Resampling`. */
export type ResizeFilter = "nearest" | "box" | "bilinear" | "hamming" | "bicubic" | "lanczos";

/** Every valid {@link ResizeFilter}, for validation messages. */
export const RESIZE_FILTERS: readonly ResizeFilter[] = [
  "nearest",
  "box",
  "bilinear",
  "hamming",
  "bicubic",
  "lanczos",
];

// Pillow keeps 2 spare bits because bicubic/lanczos weights can be negative or sum above 1 partially.
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface FilterDef {
  support: number;
  weight: (x: number) => number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

const FILTERS: Record<Exclude<ResizeFilter, "nearest">, FilterDef> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: {
    support: 1,
    weight: (x) => {
      const ax = x < 0 ? -x : x;
      return ax < 1 ? 1 - ax : 0;
    },
  },
  hamming: {
    support: 1,
    weight: (x) => {
      const ax = x < 0 ? -x : x;
      if (ax === 0) return 1;
      if (ax >= 1) return 0;
      const px = ax * Math.PI;
      return (Math.sin(px) / px) * (0.54 + 0.46 * Math.cos(px));
    },
  },
  bicubic: {
    support: 2,
    // Keys' cubic with a = -0.5, written in the same operation order as Pillow so doubles round alike.
    weight: (x) => {
      const ax = x < 0 ? -x : x;
      if (ax < 1) return (1.5 * ax - 2.5) * ax * ax + 1;
      if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * -0.5;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** Fixed-point coefficients of one axis: for output index i, taps start at `bounds[2i]`, count `bounds[2i+1]`. */
export interface AxisCoefficients {
  ksize: number;
  bounds: Int32Array;
  weights: Int32Array;
}

const cache = new Map<string, AxisCoefficients>();
const CACHE_LIMIT = 64;

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`, memoised because a pipeline reuses the same few sizes. */
export function axisCoefficients(
  filter: Exclude<ResizeFilter, "nearest">,
  inSize: number,
  outSize: number,
): AxisCoefficients {
  const key = `${filter}:${inSize}:${outSize}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const def = FILTERS[filter];
  // Pillow's box is float32 (0, inSize); for integer sizes the difference is exact in double too.
  const in0 = 0;
  const scale = (inSize - in0) / outSize;
  const filterscale = Math.max(scale, 1);
  const support = def.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; the clamp to 0 makes that equal to floor here.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = def.weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      if (ww !== 0) k[x] = (k[x] as number) / ww;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const w = k[x] as number;
      weights[base + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  const result: AxisCoefficients = { ksize, bounds, weights };
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, result);
  return result;
}

/** A resampling job: source, target size, and the output region [x0, x0+w) x [y0, y0+h) to compute. */
export interface ResampleJob {
  src: Uint8Array;
  srcWidth: number;
  srcHeight: number;
  channels: number;
  outWidth: number;
  outHeight: number;
  filter: ResizeFilter;
  regionLeft: number;
  regionTop: number;
  regionWidth: number;
  regionHeight: number;
  /** Read the source mirrored left-right, i.e. resample `hflip(src)` without materialising it. */
  mirror: boolean;
}

/** Computes the region of Pillow's `resize(src, (outWidth, outHeight), filter)` (optionally of the mirrored source). */
export function resampleRegion(job: ResampleJob): Uint8Array {
  if (job.filter === "nearest") return nearestRegion(job);
  const { srcWidth, srcHeight, outWidth, outHeight, channels: c } = job;
  const needHorizontal = outWidth !== srcWidth;
  const needVertical = outHeight !== srcHeight;
  const { regionLeft: rx, regionTop: ry, regionWidth: rw, regionHeight: rh } = job;

  // Source rows the vertical pass will read for the requested output rows.
  let rowStart = ry;
  let rowEnd = ry + rh;
  let vert: AxisCoefficients | undefined;
  if (needVertical) {
    vert = axisCoefficients(job.filter, srcHeight, outHeight);
    rowStart = vert.bounds[ry * 2] as number;
    rowEnd = 0;
    for (let yy = ry; yy < ry + rh; yy++) {
      const end = (vert.bounds[yy * 2] as number) + (vert.bounds[yy * 2 + 1] as number);
      if (end > rowEnd) rowEnd = end;
    }
  }

  const viaWasm = resampleRegionWasm({
    src: job.src,
    srcWidth,
    channels: c,
    mirror: job.mirror,
    horizontal: needHorizontal ? axisCoefficients(job.filter, srcWidth, outWidth) : undefined,
    vertical: vert,
    rowStart,
    rowEnd,
    regionLeft: rx,
    regionTop: ry,
    regionWidth: rw,
    regionHeight: rh,
    copyRows: () => copyRows(job, rowStart, rowEnd - rowStart, rx, rw),
  });
  if (viaWasm) return viaWasm;

  // Horizontal pass, as in Pillow: its uint8-rounded output feeds the vertical pass.
  let tmp: Uint8Array;
  let tmpRowOffset: number;
  if (needHorizontal) {
    tmp = horizontalPass(
      job,
      axisCoefficients(job.filter, srcWidth, outWidth),
      rowStart,
      rowEnd - rowStart,
      rx,
      rw,
    );
    tmpRowOffset = rowStart;
  } else {
    tmp = copyRows(job, rowStart, rowEnd - rowStart, rx, rw);
    tmpRowOffset = rowStart;
  }
  if (!vert) {
    // No vertical pass: the requested rows are tmp's rows shifted by tmpRowOffset.
    const start = (ry - tmpRowOffset) * rw * c;
    return start === 0 && tmp.length === rh * rw * c ? tmp : tmp.slice(start, start + rh * rw * c);
  }
  return verticalPass(tmp, rw, c, vert, tmpRowOffset, ry, rh);
}

function copyRows(
  job: ResampleJob,
  rowStart: number,
  rowCount: number,
  colStart: number,
  colCount: number,
): Uint8Array {
  const { src, srcWidth, channels: c, mirror } = job;
  const out = new Uint8Array(rowCount * colCount * c);
  let o = 0;
  for (let r = 0; r < rowCount; r++) {
    const rowBase = (rowStart + r) * srcWidth;
    for (let x = colStart; x < colStart + colCount; x++) {
      const sx = mirror ? srcWidth - 1 - x : x;
      const p = (rowBase + sx) * c;
      for (let ch = 0; ch < c; ch++) out[o++] = src[p + ch] as number;
    }
  }
  return out;
}

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : Math.min(v, 255);
}

function horizontalPass(
  job: ResampleJob,
  co: AxisCoefficients,
  rowStart: number,
  rowCount: number,
  colStart: number,
  colCount: number,
): Uint8Array {
  const { src, srcWidth, channels: c, mirror } = job;
  const { ksize, bounds, weights } = co;
  // Byte offset within a row of every tap, with the mirroring folded in, so the hot loop has no branches.
  const taps = new Int32Array(colCount * ksize);
  const counts = new Int32Array(colCount);
  for (let j = 0; j < colCount; j++) {
    const xx = colStart + j;
    const xmin = bounds[xx * 2] as number;
    const n = bounds[xx * 2 + 1] as number;
    counts[j] = n;
    for (let x = 0; x < n; x++) {
      const sx = mirror ? srcWidth - 1 - (xmin + x) : xmin + x;
      taps[j * ksize + x] = sx * c;
    }
  }
  const out = new Uint8Array(rowCount * colCount * c);
  const rowBytes = srcWidth * c;
  let o = 0;
  for (let r = 0; r < rowCount; r++) {
    const rowBase = (rowStart + r) * rowBytes;
    for (let j = 0; j < colCount; j++) {
      const n = counts[j] as number;
      const kb = (colStart + j) * ksize;
      const tb = j * ksize;
      if (c === 3 && ksize === 5) {
        // Unrolled for the paper's upscale (bicubic, 5 taps); unused taps have weight 0 and offset 0.
        const p0 = rowBase + (taps[tb] as number);
        const p1 = rowBase + (taps[tb + 1] as number);
        const p2 = rowBase + (taps[tb + 2] as number);
        const p3 = rowBase + (taps[tb + 3] as number);
        const p4 = rowBase + (taps[tb + 4] as number);
        const w0 = weights[kb] as number;
        const w1 = weights[kb + 1] as number;
        const w2 = weights[kb + 2] as number;
        const w3 = weights[kb + 3] as number;
        const w4 = weights[kb + 4] as number;
        for (let ch = 0; ch < 3; ch++) {
          out[o++] = clip8(
            (HALF +
              Math.imul(src[p0 + ch] as number, w0) +
              Math.imul(src[p1 + ch] as number, w1) +
              Math.imul(src[p2 + ch] as number, w2) +
              Math.imul(src[p3 + ch] as number, w3) +
              Math.imul(src[p4 + ch] as number, w4)) |
              0,
          );
        }
      } else if (c === 3) {
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < n; x++) {
          const w = weights[kb + x] as number;
          const p = rowBase + (taps[tb + x] as number);
          // Pillow's sums fit in int32 by design (2 spare bits), so int32 math is exact and lets V8 stay in integers.
          s0 = (s0 + Math.imul(src[p] as number, w)) | 0;
          s1 = (s1 + Math.imul(src[p + 1] as number, w)) | 0;
          s2 = (s2 + Math.imul(src[p + 2] as number, w)) | 0;
        }
        out[o++] = clip8(s0);
        out[o++] = clip8(s1);
        out[o++] = clip8(s2);
      } else {
        for (let ch = 0; ch < c; ch++) {
          let s = HALF;
          for (let x = 0; x < n; x++) {
            s =
              (s +
                Math.imul(
                  src[rowBase + (taps[tb + x] as number) + ch] as number,
                  weights[kb + x] as number,
                )) |
              0;
          }
          out[o++] = clip8(s);
        }
      }
    }
  }
  return out;
}

function verticalPass(
  tmp: Uint8Array,
  width: number,
  c: number,
  co: AxisCoefficients,
  tmpRowOffset: number,
  rowStart: number,
  rowCount: number,
): Uint8Array {
  const { ksize, bounds, weights } = co;
  const stride = width * c;
  const tmpRows = tmp.length / stride;
  const out = new Uint8Array(rowCount * stride);
  for (let r = 0; r < rowCount; r++) {
    const yy = rowStart + r;
    const ymin = (bounds[yy * 2] as number) - tmpRowOffset;
    const n = bounds[yy * 2 + 1] as number;
    const kb = yy * ksize;
    const ob = r * stride;
    const base = ymin * stride;
    if (ksize === 5 && ymin + 5 <= tmpRows) {
      // Unrolled for the paper's upscale; taps past n have weight 0 and read valid rows.
      const w0 = weights[kb] as number;
      const w1 = weights[kb + 1] as number;
      const w2 = weights[kb + 2] as number;
      const w3 = weights[kb + 3] as number;
      const w4 = weights[kb + 4] as number;
      for (let i = 0; i < stride; i++) {
        const p = base + i;
        out[ob + i] = clip8(
          (HALF +
            Math.imul(tmp[p] as number, w0) +
            Math.imul(tmp[p + stride] as number, w1) +
            Math.imul(tmp[p + 2 * stride] as number, w2) +
            Math.imul(tmp[p + 3 * stride] as number, w3) +
            Math.imul(tmp[p + 4 * stride] as number, w4)) |
            0,
        );
      }
      continue;
    }
    for (let i = 0; i < stride; i++) {
      let s = HALF;
      let p = base + i;
      for (let y = 0; y < n; y++) {
        s = (s + Math.imul(tmp[p] as number, weights[kb + y] as number)) | 0;
        p += stride;
      }
      out[ob + i] = clip8(s);
    }
  }
  return out;
}

/** Pillow's NEAREST resize: an affine scale whose sample positions accumulate in double, like `ImagingScaleAffine`. */
function nearestRegion(job: ResampleJob): Uint8Array {
  const { src, srcWidth, srcHeight, channels: c, outWidth, outHeight, mirror } = job;
  const { regionLeft: rx, regionTop: ry, regionWidth: rw, regionHeight: rh } = job;
  const xin = sampleIndices(srcWidth, outWidth);
  const yin = sampleIndices(srcHeight, outHeight);
  const out = new Uint8Array(rw * rh * c);
  let o = 0;
  for (let y = ry; y < ry + rh; y++) {
    const yi = yin[y] as number;
    for (let x = rx; x < rx + rw; x++) {
      const xi = xin[x] as number;
      if (yi < 0 || xi < 0) {
        o += c;
        continue;
      }
      const sx = mirror ? srcWidth - 1 - xi : xi;
      const p = (yi * srcWidth + sx) * c;
      for (let ch = 0; ch < c; ch++) out[o++] = src[p + ch] as number;
    }
  }
  return out;
}

function sampleIndices(inSize: number, outSize: number): Int32Array {
  const a = inSize / outSize;
  const idx = new Int32Array(outSize);
  let pos = a * 0.5;
  for (let i = 0; i < outSize; i++) {
    const v = pos < 0 ? -1 : Math.trunc(pos);
    idx[i] = v >= 0 && v < inSize ? v : -1;
    pos += a;
  }
  return idx;
}

/**
 * The closed-form test input of scripts/make-model-fixtures.py (`test_input`), computed in
 * float64 and rounded to float32 as numpy does, laid out NHWC for tfjs.
 */
export function goldenInputNHWC(n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * h * w * 3);
  let i = 0;
  for (let ni = 0; ni < n; ni++) {
    for (let hi = 0; hi < h; hi++) {
      for (let wi = 0; wi < w; wi++) {
        for (let ci = 0; ci < 3; ci++) {
          out[i++] =
            0.8 * Math.sin((0.37 * hi * (ci + 1)) / (ni + 1) + 0.23 * wi + ni) +
            0.5 * Math.cos(0.11 * wi * (ci + 2) - 0.19 * hi) +
            0.1 * (ci - 1);
        }
      }
    }
  }
  return out;
}

/** `test_target` of the fixture script: ±1 labels `[n, k]`, row-major. */
export function goldenTarget(n: number, k: number): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) out[i * k + j] = (i * 7 + j * 3) % 5 < 2 ? 1 : -1;
  }
  return out;
}

/** The largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The largest absolute value of an array (0 for an empty one). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

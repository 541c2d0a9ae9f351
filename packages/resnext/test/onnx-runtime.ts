import * as ort from "onnxruntime-node";

/** NHWC (tfjs) to NCHW (ONNX), for `n` images of `h` x `w` x 3. */
export function nhwcToNchw(x: Float32Array, n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let ni = 0; ni < n; ni++) {
    for (let hi = 0; hi < h; hi++) {
      for (let wi = 0; wi < w; wi++) {
        for (let c = 0; c < 3; c++) {
          out[((ni * 3 + c) * h + hi) * w + wi] = x[((ni * h + hi) * w + wi) * 3 + c]!;
        }
      }
    }
  }
  return out;
}

/** Runs an ONNX model's `input` -> `output` once on ONNX Runtime (onnxruntime-node, CPU). */
export async function runOnnx(
  model: Uint8Array,
  input: Float32Array,
  shape: readonly number[],
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    const result = await session.run({ input: new ort.Tensor("float32", input, shape) });
    const out = result.output!;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

import { readFile } from "node:fs/promises";
import * as ort from "onnxruntime-node";
const lap = (() => { let t = performance.now(); return (l) => { const n = performance.now(); console.log(`${l}: ${(n - t).toFixed(0)} ms`); t = n; }; })();
const o = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all" };
for (let i = 0; i < 2; i++) {
  const bytes = new Uint8Array(await readFile("/tmp/onnxprof/m.onnx")); lap("readFile");
  const s1 = await ort.InferenceSession.create(bytes, o); lap("create(bytes)");
  await s1.release();
  const s2 = await ort.InferenceSession.create("/tmp/onnxprof/m.onnx", o); lap("create(path)");
  await s2.release();
  const s3 = await ort.InferenceSession.create("/tmp/onnxprof/m.onnx", { ...o, graphOptimizationLevel: "basic" }); lap("create(path, basic)");
  await s3.release();
}

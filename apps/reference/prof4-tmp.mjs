import * as ort from "onnxruntime-node";
const T = Number(process.env.T ?? 1);
const o = { intraOpNumThreads: T, interOpNumThreads: 1 };
const ss = {};
for (const lvl of ["basic", "extended", "all"]) ss[lvl] = await ort.InferenceSession.create("/tmp/onnxprof/m.onnx", { ...o, graphOptimizationLevel: lvl });
const B = Number(process.env.B ?? 1);
const x = new ort.Tensor("float32", new Float32Array(B * 3 * 218 * 178).fill(0.1), [B, 3, 218, 178]);
const res = {};
for (const s of Object.values(ss)) await s.run({ input: x });
for (let r = 0; r < 5; r++) for (const [k, s] of Object.entries(ss)) { const t0 = performance.now(); await s.run({ input: x }); (res[k] ??= []).push(Math.round((performance.now() - t0) / B)); }
console.log(`T${T} B${B}`, JSON.stringify(res));

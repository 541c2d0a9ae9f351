/**
 * Per-kernel time of one resnext50_32x4d eval forward at 218x178 (tf.profile), summed by kernel
 * name, for finding what to optimise. `node --import tsx bench/profile-forward.ts`; env BACKEND
 * ("wasm"), BATCH ("1"), TOP ("12").
 */
import * as tf from "@tensorflow/tfjs-core";
import { resnext50_32x4d } from "../src/model/factories";
import { useBackend } from "./backends";

const BACKEND = process.env.BACKEND ?? "wasm";
const BATCH = Number(process.env.BATCH ?? 1);
const TOP = Number(process.env.TOP ?? 12);

if (!(await useBackend(BACKEND))) throw new Error(`backend ${BACKEND} unavailable`);
const model = resnext50_32x4d({ numClasses: 40 });
const x = tf.randomNormal([BATCH, 218, 178, 3]) as tf.Tensor4D;
model.apply(x, { training: false }).dispose(); // warm-up (and the inference cache)
const t0 = performance.now();
const info = await tf.profile(() => {
  const y = model.apply(x, { training: false });
  y.dataSync();
  y.dispose();
});
const wall = performance.now() - t0;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  // customGrad wrappers ("unnamed scope") and fused ops ("…__op") contain the kernels already counted.
  if (k.name === "unnamed scope" || k.name.endsWith("__op")) continue;
  const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += ms;
  e.calls += 1;
  byKernel.set(k.name, e);
}
const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
console.log(
  `${BACKEND} batch ${BATCH}: wall ${wall.toFixed(0)} ms (profiled), kernels ${total.toFixed(0)} ms`,
);
for (const [name, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP)) {
  console.log(
    `  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)} %  ${e.calls} calls`,
  );
}
x.dispose();
model.dispose();

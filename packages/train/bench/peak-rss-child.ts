/**
 * Child process of peak-rss.bench.ts: trains `arch` for `steps` steps of the paper's setup (first
 * 6 children frozen, MSE on ±1 labels, Adamax) on `backend`, a fresh random batch each step as an
 * epoch would, and prints one JSON line with its peak RSS. Run as
 * `node --import tsx bench/peak-rss-child.ts <arch> <backend> <batch> <height> <width> <steps>`
 * with TSX_TSCONFIG_PATH=test/tsconfig.child.json.
 */
// Registers every gradient on the tfjs-core instance Node loads (tfjs-core alone registers none).
import "@tensorflow/tfjs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { type ArchName, createModel } from "@celeba/resnext";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { trainStep } from "../src/index";
import { mseLoss } from "../src/losses";
import { createOptimizer } from "../src/optimizers";

const [arch = "resnext_tiny", backend = "wasm", ...sizes] = process.argv.slice(2);
const [batch = 16, height = 218, width = 178, steps = 20] = sizes.map(Number);
const K = 40;

if (backend === "wasm") {
  // In Node the .wasm binaries are read from the package's dist folder.
  const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  setWasmPaths(`${dirname(main)}/`);
}
if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not initialise`);
// The runtime's own footprint (Node, tfjs, the wasm heap) before any model exists.
const baselineKiB = process.resourceUsage().maxRSS;

// RSS_CHECKPOINT_BLOCKS=1 measures resnext's gradient checkpointing (`checkpointBlocks`).
const model = createModel({
  arch: arch as ArchName,
  numClasses: K,
  checkpointBlocks: process.env.RSS_CHECKPOINT_BLOCKS === "1",
});
model.freeze(6);
const opt = createOptimizer({ name: "adamax" });
const times: number[] = [];
let loss = 0;
// A failed step (e.g. the wasm32 heap's 4 GiB limit) is reported with the peak reached so far.
let error: string | undefined;
try {
  for (let s = 0; s < steps; s++) {
    const x = tf.randomNormal([batch, height, width, 3], 0, 1, "float32", s) as tf.Tensor4D;
    const y = tf.tidy(() =>
      tf.sign(tf.randomNormal([batch, K], 0, 1, "float32", 1000 + s)),
    ) as tf.Tensor2D;
    const t0 = performance.now();
    loss = trainStep(model, opt, mseLoss, x, y).loss;
    times.push(performance.now() - t0);
    tf.dispose([x, y]);
  }
} catch (e) {
  error = `step ${times.length + 1} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}
const sorted = [...times].sort((a, b) => a - b);
const result = {
  maxRSSKiB: process.resourceUsage().maxRSS,
  baselineKiB,
  msPerStep: sorted[Math.floor(sorted.length / 2)] ?? 0,
  numTensors: tf.memory().numTensors,
  loss,
  stepsDone: times.length,
  error,
};
console.log(JSON.stringify(result));
// After a wasm fault the backend's state is unusable, so nothing is disposed then.
if (error === undefined) {
  opt.dispose();
  model.dispose();
}

/**
 * GPU speed on webgpu, and what the training loop's asynchronous read-back costs or saves.
 * `pnpm bench` in apps/reference (after the demo bench), merged into bench/results.json.
 *
 * 1. resnext50_32x4d at 218x178 (the seed's crop), batch 16 and 64: forward (eval mode) and
 *    training-step (first 6 children frozen, Adamax) images/s on webgpu, printed with the
 *    adapter. Only on a hardware adapter: a software one (SwiftShader, lavapipe) is said to be
 *    one and gets no speed. VK_ICD_FILENAMES is left as the environment has it.
 * 2. The read-back of a training step: `trainStep` (synchronous reads of the loss and every
 *    score) against `trainStepAsync` (one asynchronous read of loss and correct count), on
 *    resnext_tiny at the demo's 64x78, batch 32, on wasm, and on webgpu on a hardware adapter
 *    (there `trainStep` cannot run in Node: tfjs-webgpu reads synchronously only through
 *    OffscreenCanvas). Env STEPS (default 6 per variant, after one warm-up each).
 */
import { createModel, type ResNetModel } from "@celeba/resnext";
import { trainStep, trainStepAsync } from "@celeba/train";
import { mseLoss } from "@celeba/train/losses";
import { createOptimizer } from "@celeba/train/optimizers";
import "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import { type BenchResult, writeResults } from "../../../bench/results.ts";
import { startBackend } from "../src/backend";
import { describeAdapter, probeWebGpu } from "../src/webgpu-adapter";

const STEPS = Number(process.env.STEPS ?? 6);
const rows: BenchResult[] = [];

function batchOf(n: number, h: number, w: number, classes: number) {
  const x = tf.randomUniform([n, h, w, 3], -2, 2, "float32", 1) as tf.Tensor4D;
  const y = tf.sign(tf.randomUniform([n, classes], -1, 1, "float32", 2)) as tf.Tensor2D;
  return { x, y };
}

async function seconds(fn: () => Promise<void>, runs: number): Promise<number> {
  await fn(); // warm-up: shader compilation, optimizer state
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

function trainable(arch: "resnext50_32x4d" | "resnext_tiny", classes: number): ResNetModel {
  const model = createModel({ arch, numClasses: classes });
  model.freeze(6);
  return model;
}

async function gpuSpeed(adapter: string): Promise<void> {
  for (const batch of [16, 64]) {
    const model = trainable("resnext50_32x4d", 40);
    const optimizer = createOptimizer({ name: "adamax", lr: 0.002 });
    const { x, y } = batchOf(batch, 218, 178, 40);
    try {
      const forward = await seconds(async () => {
        const out = model.apply(x, { training: false });
        await out.data();
        out.dispose();
      }, 3);
      const step = await seconds(async () => {
        await trainStepAsync(model, optimizer, mseLoss, x, y);
      }, 3);
      for (const [what, s] of [
        ["forward", forward],
        ["train step", step],
      ] as const) {
        console.log(`webgpu ${what}, batch ${batch}: ${(batch / s).toFixed(1)} images/s`);
        rows.push({
          name: `resnext50_32x4d ${what}, webgpu, b${batch}`,
          metric: "images/s",
          ours: batch / s,
          reference: null,
          ratio: null,
          unit: "images/s",
          notes: `218x178; best of 3 after a warm-up; ${adapter}`,
        });
      }
    } catch (error) {
      console.log(`webgpu batch ${batch}: failed: ${(error as Error).message.split("\n")[0]}`);
    } finally {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    }
  }
}

async function readBack(backend: string, withSync: boolean): Promise<void> {
  const classes = 40;
  const model = trainable("resnext_tiny", classes);
  const optimizer = createOptimizer({ name: "adamax", lr: 0.002 });
  const { x, y } = batchOf(32, 78, 64, classes);
  const time = async (fn: () => Promise<void>) => {
    await fn();
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) await fn();
    return (performance.now() - t0) / 1000 / STEPS;
  };
  const asyncStep = await time(async () => {
    await trainStepAsync(model, optimizer, mseLoss, x, y);
  });
  const syncStep = withSync
    ? await time(async () => {
        trainStep(model, optimizer, mseLoss, x, y);
      })
    : null;
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  console.log(
    `${backend}: trainStepAsync ${ms(asyncStep)} per step` +
      (syncStep === null
        ? " (trainStep cannot read synchronously here)"
        : `, trainStep ${ms(syncStep)}`),
  );
  rows.push({
    name: `resnext_tiny train step read-back, ${backend}, b32`,
    metric: "step time",
    ours: asyncStep,
    reference: syncStep,
    ratio: syncStep === null ? null : syncStep / asyncStep,
    unit: "s",
    notes:
      `64x78, mean of ${STEPS} steps after a warm-up; reference: trainStep's synchronous reads` +
      (syncStep === null ? " (impossible on webgpu in Node)" : ""),
  });
}

const probe = await probeWebGpu();
if (!probe.ok) {
  console.log(`webgpu: no adapter (${probe.reason}); no GPU speed measured.`);
} else if (probe.summary.software) {
  console.log(
    `webgpu: only a software adapter, ${describeAdapter(probe.summary)}; no GPU speed reported.`,
  );
} else if ((await startBackend("webgpu", { byName: true })).failure === null) {
  console.log(`webgpu on ${describeAdapter(probe.summary)}`);
  await gpuSpeed(describeAdapter(probe.summary));
}

if ((await startBackend("wasm", { byName: true })).failure === null) await readBack("wasm", true);
if (
  probe.ok &&
  !probe.summary.software &&
  (await startBackend("webgpu", { byName: true })).failure === null
) {
  await readBack(`webgpu (${probe.summary.architecture || probe.summary.vendor})`, false);
}
writeResults(import.meta.dirname, rows);

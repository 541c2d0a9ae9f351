/**
 * One training step of the paper's setup (first 6 children frozen, MSE on ±1 labels, Adamax) for
 * `ARCH` (default resnext50_32x4d) at batch `BATCH` (16) and `H`x`W` (218x178, the paper's crop),
 * per backend and convolution-gradient method, beside PyTorch CPU (Debian's /usr/bin/python3,
 * 1 thread, its default on this machine) in the same run. Median of RUNS (default 3) after one
 * warm-up. Env: BACKENDS ("wasm"; the cpu backend takes minutes per resnext50 step), GRADS
 * ("im2col"; "native" cannot train on wasm), IMPL (groupedConvImpl, "auto"), PROFILE=1 prints
 * the slowest kernels, CHECKPOINT=1 trains with `checkpointBlocks`. `ARCH=resnext_tiny H=78 W=64 BACKENDS=cpu,wasm GRADS=native,im2col` is
 * the small configuration of the package README's first table. Rows go to bench/results.json.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
// Registers every gradient on the tfjs-core instance Node loads (tfjs-core alone registers none).
import "@tensorflow/tfjs";
import { type BenchResult, writeResults } from "../../../bench/results.ts";
import type { ConvGradient } from "../src/kernels/conv-gradient";
import type { GroupedConvImpl } from "../src/kernels/grouped-conv";
import type { ArchName } from "../src/model/architectures";
import { createModel } from "../src/model/factories";
import { medianSeconds, useBackend } from "./backends";

const ARCH = (process.env.ARCH ?? "resnext50_32x4d") as ArchName;
const BATCH = Number(process.env.BATCH ?? 16);
const H = Number(process.env.H ?? 218);
const W = Number(process.env.W ?? 178);
const RUNS = Number(process.env.RUNS ?? 3);
const BACKENDS = (process.env.BACKENDS ?? "wasm").split(",");
const GRADS = (process.env.GRADS ?? "im2col").split(",") as ConvGradient[];
const IMPL = (process.env.IMPL ?? "auto") as GroupedConvImpl | "auto";
const CHECKPOINT = process.env.CHECKPOINT === "1";
const PYTHON = "/usr/bin/python3";

function torchReference(): { msPerStep: number; torch: string } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" });
  } catch {
    return `${PYTHON} has no torch/torchvision`;
  }
  const script = join(import.meta.dirname, "..", "scripts", "bench-train-torch.py");
  const args = [script, ARCH, String(BATCH), String(H), String(W), String(Math.max(RUNS, 5))];
  const out = execFileSync(PYTHON, args, { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

const label = `${ARCH} train step (freeze 6, MSE, Adamax${CHECKPOINT ? ", checkpointBlocks" : ""}), batch ${BATCH}, ${H}x${W}`;
console.log(label);
const measured: { backend: string; convGradient: string; ms: number }[] = [];
for (const backend of BACKENDS) {
  if (!(await useBackend(backend))) {
    console.log(`${backend}: unavailable, skipped`);
    continue;
  }
  for (const convGradient of GRADS) {
    const model = createModel({
      arch: ARCH,
      numClasses: 40,
      convGradient,
      groupedConvImpl: IMPL,
      checkpointBlocks: CHECKPOINT,
    });
    model.freeze(6);
    const opt = tf.train.adamax(1e-3);
    const x = tf.randomNormal([BATCH, H, W, 3]) as tf.Tensor4D;
    const y = tf.sign(tf.randomNormal([BATCH, 40])) as tf.Tensor2D;
    const vars = [...model.trainableVariables().values()];
    const step = () => {
      const { value, grads } = tf.variableGrads(() => {
        const s = model.apply(x, { training: true });
        return tf.mean(tf.squaredDifference(s, y)) as tf.Scalar;
      }, vars);
      opt.applyGradients(grads as unknown as Parameters<typeof opt.applyGradients>[0]);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    };
    try {
      const s = medianSeconds(step, RUNS, 1);
      measured.push({ backend, convGradient, ms: s * 1000 });
      console.log(
        `  ${backend} ${convGradient}: ${(s * 1000).toFixed(0)} ms/step, ${(BATCH / s).toFixed(1)} images/s`,
      );
      if (process.env.PROFILE) {
        const info = await tf.profile(step);
        const byKernel = new Map<string, number>();
        for (const k of info.kernels) {
          byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
        }
        const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12);
        for (const [k, ms] of top) console.log(`      ${k}: ${ms.toFixed(0)} ms`);
      }
    } catch (e) {
      console.log(`  ${backend} ${convGradient}: cannot train: ${(e as Error).message}`);
    }
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }
}

const ref = torchReference();
if (typeof ref === "string") console.log(`PyTorch reference skipped: ${ref}`);
else console.log(`  PyTorch ${ref.torch} CPU, 1 thread: ${ref.msPerStep.toFixed(1)} ms/step`);

const rows: BenchResult[] = measured.map((m) => {
  const reference = typeof ref === "string" ? null : ref.msPerStep;
  return {
    name: `${label}, ${m.backend}, convGradient ${m.convGradient}`,
    metric: "step time",
    ours: m.ms,
    reference,
    ratio: reference === null ? null : reference / m.ms,
    unit: "ms",
    notes: `groupedConvImpl ${IMPL}; ratio = PyTorch time / ours (1 = as fast as PyTorch)`,
  };
});
writeResults(import.meta.dirname, rows);
console.log("\n| backend | convGradient | ms/step | PyTorch ms/step | PyTorch / ours |");
console.log("|---|---|---|---|---|");
for (const r of rows) {
  const [backend, grad] = r.name.split(", ").slice(-2);
  console.log(
    `| ${backend} | ${grad?.replace("convGradient ", "")} | ${r.ours.toFixed(0)} | ${r.reference?.toFixed(1) ?? "skipped"} | ${r.ratio?.toFixed(3) ?? "n/a"} |`,
  );
}

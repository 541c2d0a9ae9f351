/**
 * Benchmark: RSS and tensor count across an epoch of resnext_tiny training (cpu backend),
 * and the training-step time against PyTorch measured in the same run.
 * Run: pnpm bench   (in packages/train). The step time goes to bench/results.json (shared format).
 */
import "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resnext_tiny } from "@celeba/resnext";
import * as tf from "@tensorflow/tfjs-core";
import { writeResults } from "../../../bench/results.ts";
import { trainStep } from "../src/index";
import { mseLoss } from "../src/losses";
import { createOptimizer } from "../src/optimizers";

const N = Number(process.env.BENCH_BATCH ?? 4);
const H = 64;
const W = 56;
const K = 40;
const STEPS = Number(process.env.BENCH_STEPS ?? 20);

await tf.setBackend("cpu");
const model = resnext_tiny({ numClasses: K });
model.freeze(6);
const opt = createOptimizer({ name: "adamax" });
const images = Float32Array.from({ length: N * H * W * 3 }, (_, i) => Math.sin(i * 0.37));
const labels = Float32Array.from({ length: N * K }, (_, i) => ((i * 7) % 5 < 2 ? 1 : -1));
const mb = (b: number) => (b / 2 ** 20).toFixed(1);

const rss: number[] = [];
const tensors: number[] = [];
const times: number[] = [];
for (let s = 0; s < STEPS; s++) {
  const x = tf.tensor4d(images, [N, H, W, 3]);
  const y = tf.tensor2d(labels, [N, K]);
  const t0 = performance.now();
  trainStep(model, opt, mseLoss, x, y);
  times.push(performance.now() - t0);
  tf.dispose([x, y]);
  rss.push(process.memoryUsage().rss);
  tensors.push(tf.memory().numTensors);
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)] as number;
const tfjsMs = median(times.slice(2));
console.log(
  `resnext_tiny, batch ${N}x${H}x${W}, first 6 children frozen, Adamax, ${STEPS} steps (one "epoch")`,
);
console.log(
  `RSS after step 5: ${mb(rss[4]!)} MiB, after step ${STEPS}: ${mb(rss[STEPS - 1]!)} MiB ` +
    `(growth steps 5->${STEPS}: ${mb(rss[STEPS - 1]! - rss[4]!)} MiB)`,
);
console.log(
  `tf.memory().numTensors: step 2 ${tensors[1]}, step ${STEPS} ${tensors[STEPS - 1]} (flat: ${tensors[1] === tensors[STEPS - 1]})`,
);
console.log(`tfjs cpu step: median ${tfjsMs.toFixed(1)} ms`);

const python = "/usr/bin/python3";
const script = `
import importlib.util, time, torch, torch.nn.functional as F
torch.set_num_threads(1)
spec = importlib.util.spec_from_file_location("m", "../resnext/scripts/make-model-fixtures.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
model = m.resnext_tiny(${K})
for c in list(model.children())[:6]:
    for p in c.parameters(): p.requires_grad = False
model.train()
opt = torch.optim.Adamax([p for p in model.parameters() if p.requires_grad])
x = torch.sin(torch.arange(${N * H * W * 3}, dtype=torch.float32) * 0.37).reshape(${N}, ${H}, ${W}, 3).permute(0, 3, 1, 2).contiguous()
y = torch.where(torch.arange(${N * K}) * 7 % 5 < 2, 1.0, -1.0).reshape(${N}, ${K})
ts = []
for s in range(${STEPS}):
    t0 = time.perf_counter(); opt.zero_grad(); F.mse_loss(model(x), y).backward(); opt.step(); ts.append(time.perf_counter() - t0)
ts = sorted(ts[2:]); print(ts[len(ts)//2] * 1000)
`;
const probe = existsSync(python)
  ? spawnSync(python, ["-c", script], { encoding: "utf8" })
  : undefined;
let torchMs: number | null = null;
if (probe?.status !== 0) {
  console.log(
    `PyTorch reference skipped (${probe ? probe.stderr.trim().split("\n").at(-1) : `${python} not found`})`,
  );
} else {
  torchMs = Number(probe.stdout.trim());
  console.log(
    `torch 1-thread step: median ${torchMs.toFixed(1)} ms; tfjs/torch ratio ${(tfjsMs / torchMs).toFixed(2)}x`,
  );
}
writeResults(import.meta.dirname, [
  {
    name: `resnext_tiny trainStep (freeze 6, MSE, Adamax), cpu, batch ${N}, ${H}x${W}`,
    metric: "step time",
    ours: tfjsMs,
    reference: torchMs,
    ratio: torchMs === null ? null : torchMs / tfjsMs,
    unit: "ms",
    notes:
      `median of ${STEPS - 2} steps; lower is better, ratio = PyTorch / ours (> 1: we are faster); ` +
      `torch 1 thread${torchMs === null ? "; PyTorch reference skipped" : ""}`,
  },
]);
opt.dispose();
model.dispose();

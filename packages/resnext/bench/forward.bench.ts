/**
 * resnext50_32x4d inference at 218x178 (the paper's CelebA crop): images/s at batch 1 and 16 on
 * each available tfjs backend, beside PyTorch CPU (Debian's /usr/bin/python3 with torch) measured
 * in the same run. `pnpm bench` in packages/resnext. Batch 1: median of RUNS runs after one
 * warm-up (env RUNS, default 3); batch 16: RUNS16 runs (default 3 on wasm after a warm-up, 1 on
 * cpu without warm-up, to keep the cpu backend's minutes-long batches short). Env BATCHES (default "1,16"), BACKENDS ("cpu,wasm").
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { type BenchResult, writeResults } from "../../../bench/results.ts";
import { resnext50_32x4d } from "../src/model/factories";
import { medianSeconds, useBackend } from "./backends";

const H = 218;
const W = 178;
const RUNS = Number(process.env.RUNS ?? 3);
/** Batch-16 runs: default 3 on wasm (seconds each), 1 on cpu (minutes each). */
const runs16 = (backend: string) => Number(process.env.RUNS16 ?? (backend === "wasm" ? 3 : 1));
const BATCHES = (process.env.BATCHES ?? "1,16").split(",").map(Number);
const BACKENDS = (process.env.BACKENDS ?? "cpu,wasm").split(",");
const PYTHON = "/usr/bin/python3";

function torchReference(): { threads: number; imagesPerSecond: Record<string, number> } | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" });
  } catch {
    return `${PYTHON} has no torch/torchvision`;
  }
  const script = join(import.meta.dirname, "..", "scripts", "bench-forward-torch.py");
  const out = execFileSync(
    PYTHON,
    [script, String(H), String(W), BATCHES.join(","), String(RUNS)],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(out.trim().split("\n").pop()!);
}

console.log(`resnext50_32x4d forward, ${H}x${W}, ${cpus().length} cores (${cpus()[0]?.model})`);
const results: { backend: string; batch: number; ips: number; impl: string }[] = [];
for (const backend of BACKENDS) {
  if (!(await useBackend(backend))) {
    console.log(`${backend}: unavailable, skipped`);
    continue;
  }
  const model = resnext50_32x4d({ numClasses: 40 });
  for (const batch of BATCHES) {
    const x = tf.randomNormal([batch, H, W, 3]) as tf.Tensor4D;
    const s = medianSeconds(
      () => {
        const y = model.apply(x, { training: false });
        y.dataSync();
        y.dispose();
      },
      batch === 1 ? RUNS : runs16(backend),
      // A first call at a new shape builds wasm's XNNPACK operators (~2x a run): warm up
      // there; the cpu backend's batch 16 takes minutes, so it is measured cold.
      batch === 1 || backend === "wasm" ? 1 : 0,
    );
    x.dispose();
    const ips = batch / s;
    const impl = model.groupedConvImpl === "auto" ? "auto" : model.groupedConvImpl;
    results.push({ backend, batch, ips, impl });
    console.log(`  ${backend} batch ${batch}: ${ips.toFixed(2)} images/s`);
  }
  model.dispose();
}

const ref = torchReference();
if (typeof ref === "string") console.log(`PyTorch reference skipped: ${ref}`);
else console.log(`  PyTorch CPU (${ref.threads} threads): ${JSON.stringify(ref.imagesPerSecond)}`);

console.log("\n| backend | batch | images/s | PyTorch CPU images/s | ours / PyTorch |");
console.log("|---|---|---|---|---|");
for (const r of results) {
  const t = typeof ref === "string" ? undefined : ref.imagesPerSecond[String(r.batch)];
  const ratio = t === undefined ? "n/a" : (r.ips / t).toFixed(3);
  console.log(
    `| ${r.backend} | ${r.batch} | ${r.ips.toFixed(2)} | ${t === undefined ? "skipped" : t.toFixed(2)} | ${ratio} |`,
  );
}

const rows: BenchResult[] = results.map((r) => {
  const t = typeof ref === "string" ? undefined : ref.imagesPerSecond[String(r.batch)];
  return {
    name: `resnext50_32x4d inference ${H}x${W}, ${r.backend}, batch ${r.batch}`,
    metric: "throughput",
    ours: r.ips,
    reference: t ?? null,
    ratio: t === undefined ? null : r.ips / t,
    unit: "images/s",
    notes: `groupedConvImpl ${r.impl}; eval mode; ratio = ours / PyTorch`,
  };
});
writeResults(import.meta.dirname, rows);

/**
 * Where the wasm heap's high-water mark of a training step is set: runs the paper's step (first
 * 6 children frozen, MSE on ±1 labels, Adamax) and, after every kernel, reads the process RSS
 * (/proc/self/statm). Each time it passes its previous peak by `RSS_PROFILE_STEP_MIB` (8) it
 * prints the phase, the kernel, the live tensor bytes (the wasm backend's mallocs and frees,
 * hooked), the highest tensor address so far and the model functions on the stack.
 * Linux only. Run as
 * `TSX_TSCONFIG_PATH=test/tsconfig.child.json node --import tsx bench/profile-memory.ts [arch] [batch] [height] [width] [steps]`.
 */
// Registers every gradient on the tfjs-core instance Node loads (tfjs-core alone registers none).
import "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { type ArchName, createModel } from "@celeba/resnext";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { type LossFunction, trainStep } from "../src/index";
import { mseLoss } from "../src/losses";
import { createOptimizer } from "../src/optimizers";

const [arch = "resnext50_32x4d", ...sizes] = process.argv.slice(2);
const [batch = 16, height = 218, width = 178, steps = 2] = sizes.map(Number);
const MiB = 2 ** 20;
const STEP_MIB = Number(process.env.RSS_PROFILE_STEP_MIB ?? 8);
const K = 40;

const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
setWasmPaths(`${dirname(main)}/`);
if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not initialise");

interface WasmModule {
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
}
const wasm = (tf.backend() as unknown as { wasm: WasmModule }).wasm;
// The module's exports replace themselves on first call: call once so the hooks stay in place.
wasm._free(wasm._malloc(16));
Error.stackTraceLimit = 80;
const sizes_ = new Map<number, number>();
let live = 0;
let topAddress = 0;
const malloc = wasm._malloc.bind(wasm);
const free = wasm._free.bind(wasm);
wasm._malloc = (n: number) => {
  const p = malloc(n) >>> 0;
  if (p + n > topAddress + 4 * MiB && process.env.RSS_PROFILE_GROWTH === "1") {
    // What forced the heap up: the request, and the largest gap between live tensors below.
    const blocks = [...sizes_.entries()].sort((a, b) => a[0] - b[0]);
    let end = 0;
    let gap = 0;
    for (const [q, m] of blocks) {
      gap = Math.max(gap, q - end);
      end = Math.max(end, q + m);
    }
    console.log(
      `  top ${fmt(topAddress)} -> ${fmt(p + n)} for ${(n / MiB).toFixed(1)} MiB at ${fmt(p)} (live ${fmt(live)}, largest gap below ${(gap / MiB).toFixed(1)} MiB) [${phase}] ${ourFrames()}`,
    );
  }
  sizes_.set(p, n);
  live += n;
  topAddress = Math.max(topAddress, p + n);
  return p;
};
wasm._free = (p: number) => {
  live -= sizes_.get(p >>> 0) ?? 0;
  sizes_.delete(p >>> 0);
  free(p);
};

const PAGE = 4096;
const rss = () => Number(readFileSync("/proc/self/statm", "utf8").split(" ")[1]) * PAGE;
let phase = "setup";
let peak = rss();
let lastPrinted = peak;
const fmt = (b: number) => `${(b / MiB).toFixed(0)}`;

function ourFrames(): string {
  const stack = new Error().stack ?? "";
  const names: string[] = [];
  for (const line of stack.split("\n").slice(3)) {
    const m = /at (?:[\w.]+\.)?([\w$<>]+) .*\/(resnext|train)\/src\/([\w-]+)\.ts:(\d+)/.exec(line);
    if (m) names.push(`${m[1]}@${m[3]}:${m[4]}`);
  }
  return names.slice(0, 5).join(" < ");
}

function sample(kernel: string): void {
  const r = rss();
  if (r > peak) {
    peak = r;
    if (r - lastPrinted >= STEP_MIB * MiB) {
      lastPrinted = r;
      console.log(
        `rss ${fmt(r)} MiB  live ${fmt(live)}  top ${fmt(topAddress)}  heap ${fmt(wasm.HEAPU8.length)}  [${phase}] ${kernel}  ${ourFrames()}`,
      );
    }
  }
}

/** Prints the live allocations by address: runs of live bytes and the free holes between them. */
function heapMap(): void {
  const blocks = [...sizes_.entries()].sort((a, b) => a[0] - b[0]);
  let end = 0;
  let runStart = 0;
  let runBytes = 0;
  const lines: string[] = [];
  const flush = () => {
    if (runBytes > 0)
      lines.push(`  live ${fmt(runStart)}..${fmt(end)} MiB: ${(runBytes / MiB).toFixed(1)} MiB`);
  };
  for (const [p, n] of blocks) {
    if (p - end > MiB) {
      flush();
      lines.push(`  free ${fmt(end)}..${fmt(p)}: ${((p - end) / MiB).toFixed(1)} MiB`);
      runStart = p;
      runBytes = 0;
    }
    runBytes += n;
    end = Math.max(end, p + n);
  }
  flush();
  console.log(lines.join("\n"));
}

// Wrap every wasm kernel so that the RSS is read after each one.
for (const config of tf.getKernelsForBackend("wasm")) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, "wasm");
  tf.registerKernel({
    ...config,
    kernelFunc: ((args: Parameters<typeof inner>[0]) => {
      const out = inner(args);
      sample(config.kernelName);
      return out;
    }) as typeof inner,
  });
}

const model = createModel({
  arch: arch as ArchName,
  numClasses: K,
  checkpointBlocks: process.env.RSS_CHECKPOINT_BLOCKS === "1",
});
model.freeze(6);
const opt = createOptimizer({ name: "adamax" });
// The phase switches: loss (the forward pass is done), backward (loss returned), optimizer.
const loss: LossFunction = (s, y) => {
  phase = "loss";
  const l = mseLoss(s, y);
  phase = "backward";
  return l;
};
const origApply = opt.applyGradients.bind(opt);
opt.applyGradients = (g) => {
  phase = "optimizer";
  origApply(g);
  phase = "after";
};
console.log(`setup: rss ${fmt(rss())} MiB live ${fmt(live)} top ${fmt(topAddress)}`);
for (let s = 0; s < steps; s++) {
  const x = tf.randomNormal([batch, height, width, 3], 0, 1, "float32", s) as tf.Tensor4D;
  const y = tf.tidy(() =>
    tf.sign(tf.randomNormal([batch, K], 0, 1, "float32", 1000 + s)),
  ) as tf.Tensor2D;
  phase = `forward ${s + 1}`;
  const t0 = performance.now();
  trainStep(model, opt, loss, x, y);
  tf.dispose([x, y]);
  if (process.env.RSS_PROFILE_MAP === "1") heapMap();
  console.log(
    `step ${s + 1}: ${(performance.now() - t0).toFixed(0)} ms, rss ${fmt(rss())} MiB (peak ${fmt(peak)}) live ${fmt(live)} top ${fmt(topAddress)} heap ${fmt(wasm.HEAPU8.length)} tensors ${tf.memory().numTensors}`,
  );
}
console.log(`maxRSS ${fmt(process.resourceUsage().maxRSS * 1024)} MiB`);

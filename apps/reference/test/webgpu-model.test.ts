import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createModel, type StateDict } from "@celeba/resnext";
import { readSafetensors } from "@celeba/resnext/weights";
import { createOptimizer, mseLoss, trainStepAsync } from "@celeba/train";
import "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  goldenInputNHWC,
  goldenTarget,
  maxAbs,
  maxAbsDiff,
} from "../../../packages/resnext/test/golden-input";
import { goldenTrainStep } from "../../../packages/resnext/test/golden-train-step";
import { startBackend } from "../src/backend";
import { probeWebGpu, webGpuErrors } from "../src/webgpu-adapter";
import { RESNEXT_PACKAGE } from "./cli-harness";
import { IN_CI, useSwiftShaderUnlessSet } from "./webgpu-setup";

// resnext_tiny on webgpu (SwiftShader in CI) against torchvision's golden outputs and against
// the cpu backend. SwiftShader compiles every shader on the CPU (tens of seconds at first), so
// the tensors are small and the timeouts long.
useSwiftShaderUnlessSet();
const probe = await probeWebGpu();
const FIXTURES = join(RESNEXT_PACKAGE, "fixtures");
const SLOW = 600_000;

interface Golden {
  numClasses: number;
  eval: { inputShapeNCHW: [number, number, number, number]; output: number[] };
  train: { inputShapeNCHW: [number, number, number, number]; output: number[]; loss: number };
}

const golden = JSON.parse(readFileSync(join(FIXTURES, "resnext_tiny.json"), "utf8")) as Golden;

function input([n, , h, w]: [number, number, number, number]): tf.Tensor4D {
  return tf.tensor4d(goldenInputNHWC(n, h, w), [n, h, w, 3]);
}

/** Train-mode outputs, loss and every parameter's gradient of the golden weights, read back asynchronously. */
async function gradients(weights: StateDict) {
  const model = createModel({ arch: "resnext_tiny", numClasses: golden.numClasses });
  model.loadStateDict(weights);
  try {
    return await goldenTrainStep(model, golden.train.inputShapeNCHW, golden.numClasses);
  } finally {
    model.dispose();
  }
}

/** `steps` Adamax steps of resnext_tiny with the seed's first 6 children frozen. */
async function trainSteps(weights: StateDict, steps: number) {
  const model = createModel({ arch: "resnext_tiny", numClasses: golden.numClasses });
  model.loadStateDict(weights);
  model.freeze(6);
  const optimizer = createOptimizer({ name: "adamax", lr: 0.01 });
  const batches = [0, 1].map((b) => {
    const [n, h, w] = [4, 40, 32];
    const images = goldenInputNHWC(n, h, w).map((v, i) => v * (b === 0 ? 1 : -0.5) + (i % 7) / 7);
    const labels = goldenTarget(n, golden.numClasses).map((v, i) =>
      v + ((i + b) % 3) > 0 ? 1 : -1,
    );
    return { images, labels, shape: [n, h, w, 3] as [number, number, number, number] };
  });
  const losses: number[] = [];
  const memory: Array<{ numTensors: number; numBytesInGPU: number }> = [];
  for (let step = 0; step < steps; step++) {
    const batch = batches[step % 2]!;
    const x = tf.tensor4d(batch.images, batch.shape);
    const y = tf.tensor2d(batch.labels, [batch.shape[0], golden.numClasses]);
    const r = await trainStepAsync(model, optimizer, mseLoss, x, y, { step });
    tf.dispose([x, y]);
    losses.push(r.loss);
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    memory.push({ numTensors: m.numTensors, numBytesInGPU: m.numBytesInGPU ?? 0 });
  }
  optimizer.dispose();
  model.dispose();
  return { losses, memory };
}

describe.skipIf(!probe.ok && !IN_CI)(
  "resnext_tiny on webgpu (SwiftShader in CI; fails in CI without an adapter)",
  () => {
    let weights: StateDict;
    let cpu: Awaited<ReturnType<typeof gradients>>;
    beforeAll(async () => {
      if (!probe.ok) throw new Error(`no WebGPU adapter: ${probe.reason}`);
      weights = await readSafetensors(join(FIXTURES, "resnext_tiny.safetensors"));
      expect((await startBackend("cpu", { byName: true })).failure).toBeNull();
      cpu = await gradients(weights);
      const started = await startBackend("webgpu", { byName: true });
      expect(started.failure).toBeNull();
      console.info(`webgpu adapter: ${JSON.stringify(started.adapter)}`);
    }, SLOW);
    afterAll(async () => {
      await tf.setBackend("cpu");
    });

    it(
      "eval-mode outputs match torchvision's within 2e-3",
      async () => {
        expect(tf.getBackend()).toBe("webgpu");
        const model = createModel({ arch: "resnext_tiny", numClasses: golden.numClasses });
        model.loadStateDict(weights);
        const x = input(golden.eval.inputShapeNCHW);
        const y = model.apply(x, { training: false });
        const got = await y.data();
        tf.dispose([x, y]);
        model.dispose();
        // Calibrated BN statistics: the outputs depend on the input, so zeros cannot pass.
        expect(maxAbs(golden.eval.output)).toBeGreaterThan(0.05);
        const diff = maxAbsDiff(got, golden.eval.output);
        console.info(
          `resnext_tiny eval on webgpu: max |webgpu - torchvision| = ${diff.toExponential(2)}`,
        );
        expect(diff).toBeLessThanOrEqual(2e-3);
        expect(webGpuErrors()).toEqual([]);
      },
      SLOW,
    );

    it(
      "train-mode outputs and loss match torchvision's, every parameter gradient matches cpu's within 1e-4 relative",
      async () => {
        const gpu = await gradients(weights);
        expect(maxAbsDiff(gpu.output, golden.train.output)).toBeLessThanOrEqual(1e-4);
        expect(Math.abs(gpu.loss - golden.train.loss)).toBeLessThanOrEqual(1e-5);
        expect([...gpu.grads.keys()].sort()).toEqual([...cpu.grads.keys()].sort());
        expect(gpu.grads.size).toBe(
          createModel({ arch: "resnext_tiny", numClasses: 10 }).namedParameters().size,
        );
        let worst = 0;
        for (const [key, ref] of cpu.grads) {
          const scale = maxAbs(ref);
          const d = maxAbsDiff(gpu.grads.get(key)!, ref);
          worst = Math.max(worst, d / Math.max(scale, 1e-12));
          // 1e-4 of the tensor's largest gradient, plus 1e-7 absolute for all-but-zero ones.
          expect(d, key).toBeLessThanOrEqual(1e-4 * scale + 1e-7);
        }
        console.info(
          `resnext_tiny gradients on webgpu: worst error / max |grad| = ${worst.toExponential(2)}`,
        );
        expect(webGpuErrors()).toEqual([]);
      },
      SLOW,
    );

    it(
      "20 Adamax steps with 6 children frozen: per-step losses match cpu's within 1e-3 relative; tensors and GPU bytes stay flat",
      async () => {
        await tf.setBackend("cpu");
        const onCpu = await trainSteps(weights, 20);
        await tf.setBackend("webgpu");
        const onGpu = await trainSteps(weights, 20);
        for (let i = 0; i < 20; i++) {
          expect(Math.abs(onGpu.losses[i]! - onCpu.losses[i]!), `step ${i}`).toBeLessThanOrEqual(
            1e-3 * Math.abs(onCpu.losses[i]!),
          );
        }
        // The loss moves: a model that never updated would fail the comparison above only by luck.
        expect(Math.abs(onCpu.losses[19]! - onCpu.losses[1]!)).toBeGreaterThan(1e-3);
        // The first step makes the optimizer state; from the second on nothing may grow.
        const [second, last] = [onGpu.memory[1]!, onGpu.memory[19]!];
        expect(last.numTensors).toBe(second.numTensors);
        expect(second.numBytesInGPU).toBeGreaterThan(0);
        expect(last.numBytesInGPU).toBe(second.numBytesInGPU);
        expect(webGpuErrors()).toEqual([]);
      },
      SLOW,
    );
  },
);

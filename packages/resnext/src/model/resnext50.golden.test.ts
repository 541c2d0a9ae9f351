import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { goldenInputNHWC, maxAbs, maxAbsDiff } from "../../test/golden-input";
import { nhwcToNchw, runOnnx } from "../../test/onnx-runtime";
import { describeWithTorch, PYTHON } from "../../test/reference-torch";
import { exportOnnx } from "../onnx/export-onnx";
import { readStateDict } from "../weights/read-state-dict";
import { resnext50_32x4d } from "./factories";
import type { ResNetModel } from "./resnet-model";

const FILES = [
  ["torch zip (.pth, torch >= 1.6)", "resnext50_32x4d.pth"],
  ["legacy pickle (.pth)", "resnext50_32x4d-legacy.pth"],
  ["safetensors", "resnext50_32x4d.safetensors"],
] as const;

// torchvision's resnext50_32x4d with seeded init and calibrated BN statistics, written in all
// three formats by scripts/make-model-fixtures.py --resnext50 (~100 MB each, never committed).
describeWithTorch(
  "resnext50_32x4d vs torchvision, eval mode, within 2e-3 (needs /usr/bin/python3 with torch; CI installs it)",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "resnext50-golden-"));
    let io: { inputShapeNCHW: [number, number, number, number]; output: number[] };
    let model: ResNetModel;
    let x: tf.Tensor4D;
    beforeAll(async () => {
      const script = join(import.meta.dirname, "..", "..", "scripts", "make-model-fixtures.py");
      execFileSync("nice", [PYTHON, script, "--resnext50", dir], { stdio: "inherit" });
      io = JSON.parse(readFileSync(join(dir, "io.json"), "utf8"));
      // wasm runs the big forward ~10x faster than cpu; the small models cover cpu exactly.
      const wasmMain = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
      setWasmPaths(`${dirname(wasmMain)}/`);
      await tf.setBackend("wasm");
      model = resnext50_32x4d({ seed: 123 });
      const [n, , h, w] = io.inputShapeNCHW;
      x = tf.tensor4d(goldenInputNHWC(n, h, w), [n, h, w, 3]);
    });
    afterAll(async () => {
      x?.dispose();
      model?.dispose();
      rmSync(dir, { recursive: true, force: true });
      await tf.setBackend("cpu");
    });

    it.each(FILES)("weights read from %s", async (_format, file) => {
      const sd = await readStateDict(join(dir, file));
      model.loadStateDict(sd);
      const y = model.apply(x, { training: false });
      expect(y.shape).toEqual([io.inputShapeNCHW[0], 1000]);
      // Calibrated BN: outputs are far from constant, so a half-right model cannot pass.
      expect(maxAbs(io.output)).toBeGreaterThan(0.1);
      const diff = maxAbsDiff(y.dataSync(), io.output);
      console.info(`resnext50_32x4d ${file}: max |ours - torchvision| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(2e-3);
      y.dispose();
    });

    it("ONNX Runtime on exportOnnx of the .pth weights", async () => {
      model.loadStateDict(await readStateDict(join(dir, "resnext50_32x4d.pth")));
      const [n, , h, w] = io.inputShapeNCHW;
      const bytes = await exportOnnx(model, { inputSize: { width: w, height: h } });
      const nchw = nhwcToNchw(goldenInputNHWC(n, h, w), n, h, w);
      const y = await runOnnx(bytes, nchw, io.inputShapeNCHW);
      const diff = maxAbsDiff(y.data, io.output);
      console.info(
        `resnext50_32x4d onnxruntime: max |ours - torchvision| = ${diff.toExponential(2)}`,
      );
      expect(diff).toBeLessThanOrEqual(2e-3);
    });
  },
);

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resnext_tiny, writeSafetensors } from "@celeba/resnext";
import { encodeCheckpointMetadata } from "@celeba/train";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { predictArgs, runCli, scratchDir } from "./cli-harness";

// A checkpoint trained with its own input normalisation (not ImageNet's): every ONNX route of
// `reference predict` must normalise as the checkpoint says, like the library's forward pass.
const work = scratchDir("onnx-norm");

const W = 24;
const H = 32;
const names = ["Smiling", "Male", "Young"];
// Far from ImageNet's (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225), so using those instead
// moves the scores by far more than the tolerance.
const normalization = { mean: [0.9, 0.1, 0.6], std: [0.1, 0.4, 0.05] };
const images = join(work, "images");
const checkpoint = join(work, "custom.safetensors");
const expected = new Map<string, number[]>();

function pixels(seed: number): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let i = 0; i < out.length; i++) out[i] = (i * 29 + seed * 83 + ((i * seed) % 11) * 9) % 256;
  return out;
}

let calls = 0;

/** Runs the CLI, which must succeed without a word on stderr. */
function reference(...args: string[]): void {
  const { code, stderr } = runCli(args);
  expect({ stderr, code }).toEqual({ stderr: "", code: 0 });
}

/** `reference predict --raw` on the images: each image's scores. */
function predict(weights: string, ...extra: string[]): Map<string, number[]> {
  const out = join(work, `scores-${++calls}.csv`);
  reference(...predictArgs(weights, images, out, "--raw", ...extra));
  const rows = readFileSync(out, "utf8").trim().split("\n").slice(1);
  return new Map(rows.map((row) => [row.split(",")[0]!, row.split(",").slice(1).map(Number)]));
}

function maxDiff(actual: Map<string, number[]>): number {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  let m = 0;
  for (const [id, values] of expected) {
    actual.get(id)!.forEach((v, i) => {
      m = Math.max(m, Math.abs(v - values[i]!));
    });
  }
  return m;
}

describe("a checkpoint with its own normalisation on ONNX Runtime", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
    mkdirSync(images);
    const model = resnext_tiny({ numClasses: names.length, seed: 5 });
    try {
      for (let k = 1; k <= 3; k++) {
        const rgb = pixels(k);
        await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
          .png()
          .toFile(join(images, `img${k}.png`));
        // The reference: the library's forward pass on (x / 255 - mean) / std, in float64.
        const x = Float32Array.from(
          rgb,
          (v, i) => (v / 255 - normalization.mean[i % 3]!) / normalization.std[i % 3]!,
        );
        const y = tf.tidy(() => model.apply(tf.tensor4d(x, [1, H, W, 3]), { training: false }));
        expected.set(`img${k}.png`, Array.from(await y.data()));
        y.dispose();
      }
      const metadata = encodeCheckpointMetadata({
        architecture: "resnext_tiny",
        inputSize: { width: W, height: H },
        attributeNames: names,
        normalization,
        epoch: 1,
        step: null,
        metrics: {},
        config: {},
      });
      await writeSafetensors(checkpoint, model.stateDict(), metadata);
    } finally {
      model.dispose();
    }
  });

  it("tfjs, the reference route, matches the library's forward pass", () => {
    expect(maxDiff(predict(checkpoint, "--engine", "tfjs", "--backend", "cpu"))).toBeLessThan(2e-3);
  });

  it("the weights exported in memory, --engine onnxruntime, match within 2e-3", () => {
    const diff = maxDiff(predict(checkpoint, "--engine", "onnxruntime", "--threads", "1"));
    console.info(`in memory: max |onnxruntime - forward| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(2e-3);
  });

  for (const where of ["outside", "baked"]) {
    it(`reference export --normalization ${where} records it, and predict on the .onnx matches within 2e-3`, () => {
      const model = join(work, `${where}.onnx`);
      reference("export", "--weights", checkpoint, "--out", model, "--normalization", where);
      const diff = maxDiff(predict(model, "--threads", "1"));
      console.info(`${where}: max |onnxruntime - forward| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(2e-3);
    });
  }
});

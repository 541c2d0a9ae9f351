import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { IMAGENET_MEAN, IMAGENET_STD } from "@celeba/augment";
import { resnext_tiny } from "@celeba/resnext";
import { type Batch, train } from "@celeba/train";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { predictArgs, runCli, scratchDir } from "./cli-harness";

// A checkpoint written by @celeba/train's train() alone (no CLI around it) carries the typed
// metadata that `reference predict` needs: architecture, input size, names.
const work = scratchDir("libckpt");

const W = 24;
const H = 32;
const names = ["Smiling", "Male", "Young"];

function pixels(seed: number): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + seed * 97 + ((i * seed) % 13) * 7) % 256;
  return out;
}

function normalized(bytes: Uint8Array): Float32Array {
  return Float32Array.from(
    bytes,
    (v, i) => (v / 255 - IMAGENET_MEAN[i % 3]!) / IMAGENET_STD[i % 3]!,
  );
}

describe("a checkpoint from train() alone", () => {
  it("is accepted by reference predict, whose raw scores match the library's forward pass", async () => {
    await tf.setBackend("cpu");
    const model = resnext_tiny({ numClasses: names.length });
    const images = [1, 2, 3, 4].map(pixels);
    const trainData = async function* (): AsyncIterable<Batch> {
      yield {
        images: Float32Array.from(images.flatMap((p) => [...normalized(p)])),
        labels: Float32Array.from({ length: images.length * names.length }, (_, i) =>
          i % 2 ? 1 : -1,
        ),
        shape: [images.length, H, W, 3],
        ids: images.map((_, i) => `img${i}.png`),
      };
    };
    const runDir = join(work, "run");
    const result = await train({
      model,
      trainData,
      runDir,
      epochs: 1,
      attributeNames: names,
      progress: false,
    });
    expect(result.status).toBe("completed");

    const folder = join(work, "images");
    mkdirSync(folder);
    for (const [i, p] of images.entries()) {
      await sharp(Buffer.from(p), { raw: { width: W, height: H, channels: 3 } })
        .png()
        .toFile(join(folder, `img${i}.png`));
    }
    const out = join(work, "predictions.csv");
    const r = runCli(predictArgs(result.lastCheckpoint!, folder, out, "--raw", "--backend", "cpu"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("resnext_tiny, 3 attributes");
    const rows = readFileSync(out, "utf8").trim().split("\n");
    expect(rows[0]).toBe(["image_id", ...names].join(","));

    const x = tf.tensor4d(Float32Array.from(images.flatMap((p) => [...normalized(p)])), [
      images.length,
      H,
      W,
      3,
    ]);
    const expected = (await model.apply(x, { training: false }).array()) as number[][];
    x.dispose();
    model.dispose();
    for (const [i, row] of rows.slice(1).entries()) {
      const [id, ...scores] = row.split(",");
      expect(id).toBe(`img${i}.png`);
      scores.forEach((s, k) => {
        expect(Math.abs(Number(s) - expected[i]![k]!)).toBeLessThan(1e-4);
      });
    }
  });
});

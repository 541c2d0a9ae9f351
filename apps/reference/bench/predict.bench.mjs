#!/usr/bin/env node
// `reference predict` on a folder of synthetic CelebA images (178x218) with resnext50_32x4d
// weights, timed end to end (start-up, weights, export, decoding and scoring) with
// --engine tfjs (its wasm backend) and --engine onnxruntime at 1 and 2 threads, in one run.
// Env COUNT (images, default 48). Merges its rows into bench/results.json beside this file.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createModel, writeSafetensors } from "@celeba/resnext";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "dist", "cli.js");
const count = Number(process.env.COUNT ?? 48);
const work = mkdtempSync(join(tmpdir(), "celeba-predict-bench-"));

function cliRun(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`reference ${args.join(" ")} failed: ${r.stderr}`);
  return seconds;
}

function readScores(path) {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",").slice(1).map(Number));
}

try {
  const data = join(work, "data");
  cliRun(["synth", "--out", data, "--count", String(count), "--seed", "1"]);
  await tf.setBackend("cpu");
  const model = createModel({ arch: "resnext50_32x4d", numClasses: 40, seed: 1 });
  const weights = join(work, "resnext50_32x4d.safetensors");
  await writeSafetensors(weights, model.stateDict(), { architecture: "resnext50_32x4d" });
  model.dispose();
  const images = join(data, "img_align_celeba");
  const predict = (name, ...extra) => {
    const out = join(work, `${name}.csv`);
    const seconds = cliRun([
      "predict",
      "--weights",
      weights,
      "--images",
      images,
      "--out",
      out,
      "--raw",
      ...extra,
    ]);
    console.log(
      `  predict ${name}: ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(2)} images/s`,
    );
    return { seconds, scores: readScores(out) };
  };
  console.log(`reference predict, resnext50_32x4d, ${count} images 178x218, batch 16`);
  const tfjs = predict("tfjs", "--engine", "tfjs", "--backend", "wasm");
  const results = [];
  for (const threads of [1, 2]) {
    const onnx = predict(
      `onnxruntime-${threads}t`,
      "--engine",
      "onnxruntime",
      "--threads",
      String(threads),
    );
    let diff = 0;
    onnx.scores.forEach((row, i) => {
      row.forEach((v, j) => {
        diff = Math.max(diff, Math.abs(v - tfjs.scores[i][j]));
      });
    });
    const ratio = tfjs.seconds / onnx.seconds;
    console.log(
      `    ${ratio.toFixed(2)}x tfjs wasm; max |onnxruntime - tfjs| = ${diff.toExponential(2)}`,
    );
    results.push({
      name: `reference predict on a folder (${count} images), --engine onnxruntime --threads ${threads} vs --engine tfjs (wasm)`,
      metric: "throughput",
      ours: count / onnx.seconds,
      reference: count / tfjs.seconds,
      ratio,
      unit: "images/s",
      notes: `end to end (start-up, weights, export, decoding); resnext50_32x4d; goal >= 5x; max |onnxruntime - tfjs| = ${diff.toExponential(1)}; reference = tfjs wasm, not PyTorch`,
    });
  }
  const file = join(here, "results.json");
  let old = [];
  if (existsSync(file)) {
    try {
      old = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      // An unreadable file is replaced.
    }
  }
  const names = new Set(results.map((r) => r.name));
  const merged = [...old.filter((r) => !names.has(r.name)), ...results];
  writeFileSync(`${file}.tmp`, `${JSON.stringify(merged, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
} finally {
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// `reference predict` on a folder of synthetic CelebA images (178x218) with resnext50_32x4d
// weights, timed end to end (start-up, reading the weights, decoding and scoring) with
// --engine tfjs (its wasm backend, on the .safetensors) and --engine onnxruntime at 1 and 2
// threads (on the .onnx that `reference export` writes first, timed apart), in one run.
// Each engine also predicts a folder of the first SMALL of those images, so that the fixed
// start-up cost cancels: (COUNT - SMALL) / (t(COUNT) - t(SMALL)) is the folder throughput
// once started. ROUNDS rounds, each running every engine once in a rotating order, so that
// load changes on a shared machine hit all alike; each ratio is the median of the rounds'
// ratios, printed with their range. Env COUNT (default 64), SMALL (16), ROUNDS (3). Merges
// its rows into bench/results.json.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createModel, writeSafetensors } from "@celeba/resnext";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "dist", "cli.js");
const count = Number(process.env.COUNT ?? 64);
const small = Number(process.env.SMALL ?? 16);
const rounds = Number(process.env.ROUNDS ?? 3);
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
  const fewImages = join(work, "few");
  mkdirSync(fewImages);
  for (const f of readdirSync(images).sort().slice(0, small))
    copyFileSync(join(images, f), join(fewImages, f));
  // The speed path: export once, then predict with the .onnx file (ONNX Runtime by itself).
  const onnxModel = join(work, "resnext50_32x4d.onnx");
  const exportSeconds = cliRun(["export", "--weights", weights, "--out", onnxModel]);
  console.log(`  export: ${exportSeconds.toFixed(1)} s`);
  const predict = (name, folder, n, ...extra) => {
    const out = join(work, `${name}-${n}.csv`);
    const seconds = cliRun([
      "predict",
      "--weights",
      extra.includes("onnxruntime") ? onnxModel : weights,
      "--images",
      folder,
      "--out",
      out,
      "--raw",
      "--force",
      ...extra,
    ]);
    console.log(`  predict ${name}, ${n} images: ${seconds.toFixed(1)} s`);
    return { seconds, scores: readScores(out) };
  };
  /** End-to-end seconds on both folders, and the images/s once started. */
  const engine = (name, ...extra) => {
    const few = predict(name, fewImages, small, ...extra);
    const all = predict(name, images, count, ...extra);
    return { ...all, startedIps: (count - small) / (all.seconds - few.seconds) };
  };
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  console.log(
    `reference predict, resnext50_32x4d, folders of ${small} and ${count} images 178x218, batch 16, ${rounds} rounds`,
  );
  const engines = [
    ["tfjs", "--engine", "tfjs", "--backend", "wasm"],
    ...[1, 2].map((t) => [`onnxruntime-${t}t`, "--engine", "onnxruntime", "--threads", String(t)]),
  ];
  /** Per engine, one measurement per round. */
  const measured = new Map(engines.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < engines.length; k++) {
      const [name, ...extra] = engines[(k + r) % engines.length];
      measured.get(name).push(engine(name, ...extra));
    }
  }
  const tfjs = measured.get("tfjs");
  const results = [];
  for (const threads of [1, 2]) {
    const onnx = measured.get(`onnxruntime-${threads}t`);
    let diff = 0;
    onnx[0].scores.forEach((row, i) => {
      row.forEach((v, j) => {
        diff = Math.max(diff, Math.abs(v - tfjs[0].scores[i][j]));
      });
    });
    const endToEnd = onnx.map((o, r) => tfjs[r].seconds / o.seconds);
    const started = onnx.map((o, r) => o.startedIps / tfjs[r].startedIps);
    const seconds = (runs) => median(runs.map((x) => x.seconds));
    const startedIps = (runs) => median(runs.map((x) => x.startedIps));
    console.log(
      `    ${threads} thread(s): ${median(endToEnd).toFixed(2)}x tfjs wasm end to end (${count} images; rounds ${range(endToEnd)}; ` +
        `${seconds(onnx).toFixed(1)} s vs ${seconds(tfjs).toFixed(1)} s), ` +
        `${median(started).toFixed(2)}x once started (rounds ${range(started)}; ${startedIps(onnx).toFixed(2)} vs ${startedIps(tfjs).toFixed(2)} images/s); ` +
        `max |onnxruntime - tfjs| = ${diff.toExponential(2)}`,
    );
    const common = `resnext50_32x4d; goal >= 5x; medians of ${rounds} interleaved rounds; max |onnxruntime - tfjs| = ${diff.toExponential(1)}; reference = --engine tfjs (wasm), not PyTorch`;
    results.push(
      {
        name: `reference predict on a folder of ${count} images, end to end, --engine onnxruntime --threads ${threads} vs --engine tfjs`,
        metric: "throughput",
        ours: count / seconds(onnx),
        reference: count / seconds(tfjs),
        ratio: median(endToEnd),
        unit: "images/s",
        notes: `ratio range over rounds ${range(endToEnd)}; start-up, reading the weights (the .onnx of reference export, ${exportSeconds.toFixed(0)} s once, not counted; .safetensors for tfjs) and decoding included; ${common}`,
      },
      {
        name: `reference predict on a folder once started, --engine onnxruntime --threads ${threads} vs --engine tfjs`,
        metric: "throughput",
        ours: startedIps(onnx),
        reference: startedIps(tfjs),
        ratio: median(started),
        unit: "images/s",
        notes: `ratio range over rounds ${range(started)}; (${count} - ${small}) images / (t(${count}) - t(${small})): decoding and scoring; ${common}`,
      },
    );
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

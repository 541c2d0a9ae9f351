/**
 * `pnpm bench`: images/s of decode + the paper's train augmentation + normalisation over synthetic CelebA
 * JPEGs through createBatches, against a torchvision DataLoader (PIL, same transforms, num_workers = cores)
 * measured in the same run when /usr/bin/python3 has torch. Results go to stdout and bench/results.json
 * (the shared `{ name, metric, ours, reference, ratio, unit, notes }[]` format of the root bench/collect.mjs).
 *
 * Then decoding alone: decodeImage's WebAssembly JPEG decoder and sharp, against Pillow's
 * Image.open().convert("RGB") (bench/pil_decode.py), images per CPU-second on one thread.
 *
 * Environment: BENCH_COUNT (default 2000), BENCH_BATCH (64), BENCH_EPOCHS (2).
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeImage } from "../src/decode-image";
import { createBatches, loadCelebA, makeSyntheticCelebA } from "../src/index";
import { setJpegWasmEnabled } from "../src/jpeg-wasm";

const count = Number(process.env.BENCH_COUNT ?? 2000);
const batchSize = Number(process.env.BENCH_BATCH ?? 64);
const epochs = Number(process.env.BENCH_EPOCHS ?? 2);
const decodeCount = Math.min(count, 500);
const cores = availableParallelism();
const root = mkdtempSync(join(tmpdir(), "celeba-bench-"));
const here = dirname(fileURLToPath(import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const t = performance.now();
  await makeSyntheticCelebA(root, { count, seed: 0 });
  console.log(`made ${count} synthetic JPEGs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const ds = await loadCelebA({ root });
  const measure = async (workers: number): Promise<number> => {
    let images = 0;
    let seconds = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      let start: number | undefined;
      // One spec for both: the same pipeline on the main thread and in the workers.
      const options = {
        batchSize,
        seed: 0,
        epoch,
        workers,
        transform: { preset: "celebaTrain" } as const,
      };
      for await (const batch of createBatches(ds, options)) {
        // Like the Python side, the clock starts at the first batch (worker start-up excluded).
        if (start === undefined) {
          start = performance.now();
          continue;
        }
        images += batch.shape[0];
      }
      seconds += (performance.now() - (start as number)) / 1000;
    }
    const rate = images / seconds;
    console.log(
      `@celeba/data createBatches (decodeImage + celebaTrainTransform + normalise), batch ${batchSize}, ` +
        `${workers > 0 ? `${workers} worker threads` : "main-thread augmentation"}: ${rate.toFixed(1)} images/s`,
    );
    return rate;
  };
  const mainThread = await measure(0);
  const threaded = await measure(cores);
  await ds.close();

  // Decoding alone, one image at a time on one thread: the WebAssembly decoder against sharp and Pillow.
  const folder = join(root, "img_align_celeba");
  const blobs = readdirSync(folder)
    .sort()
    .slice(0, decodeCount)
    .map((name) => readFileSync(join(folder, name)));
  const decodeRate = async (wasm: boolean): Promise<number> => {
    setJpegWasmEnabled(wasm);
    for (const blob of blobs.slice(0, 20)) await decodeImage(blob);
    const rates: number[] = [];
    for (let r = 0; r < 5; r++) {
      const before = process.cpuUsage();
      for (const blob of blobs) await decodeImage(blob);
      const used = process.cpuUsage(before);
      rates.push(blobs.length / ((used.user + used.system) / 1e6));
    }
    setJpegWasmEnabled(true);
    return median(rates);
  };
  const decodeWasm = await decodeRate(true);
  const decodeSharp = await decodeRate(false);
  console.log(
    `decodeImage, ${blobs.length} JPEGs one at a time: WebAssembly ${decodeWasm.toFixed(0)} images/cpu-s, ` +
      `sharp ${decodeSharp.toFixed(0)} images/cpu-s`,
  );
  const python = "/usr/bin/python3";
  let torch: { images_per_s: number; num_workers: number; torch: string } | undefined;
  let referenceNote = "";
  const probe = existsSync(python)
    ? spawnSync(python, ["-c", "import torch, torchvision"], { encoding: "utf8" })
    : undefined;
  if (probe?.status === 0) {
    const run = spawnSync(
      python,
      [join(here, "torch_loader.py"), root, String(batchSize), String(cores), String(epochs)],
      {
        encoding: "utf8",
        timeout: 600_000,
      },
    );
    if (run.status === 0) {
      torch = JSON.parse(run.stdout.trim().split("\n").at(-1) as string);
      console.log(
        `torchvision DataLoader (PIL, same transforms), num_workers ${torch?.num_workers}, torch ${torch?.torch}: ` +
          `${torch?.images_per_s.toFixed(1)} images/s`,
      );
      const ref = torch?.images_per_s ?? 1;
      console.log(
        `ratio @celeba/data / torchvision: main thread ${(mainThread / ref).toFixed(2)}x, ` +
          `${cores} worker threads ${(threaded / ref).toFixed(2)}x`,
      );
    } else {
      referenceNote = `; torch reference failed (exit ${run.status})`;
      console.log(`torch reference failed (exit ${run.status}): ${run.stderr.slice(-500)}`);
    }
  } else {
    referenceNote =
      "; torch reference skipped: /usr/bin/python3 with torch and torchvision not found";
    console.log("torch reference skipped: /usr/bin/python3 with torch and torchvision not found");
  }
  let pil: { images_per_cpu_s: number; pillow: string } | undefined;
  if (probe?.status === 0) {
    const run = spawnSync(python, [join(here, "pil_decode.py"), root, String(decodeCount), "5"], {
      encoding: "utf8",
      timeout: 600_000,
    });
    if (run.status === 0) {
      pil = JSON.parse(run.stdout.trim().split("\n").at(-1) as string);
      console.log(
        `Pillow ${pil?.pillow} Image.open().convert("RGB"): ${pil?.images_per_cpu_s.toFixed(0)} images/cpu-s; ` +
          `ratio WebAssembly / Pillow ${(decodeWasm / (pil?.images_per_cpu_s ?? 1)).toFixed(2)}x, ` +
          `sharp / Pillow ${(decodeSharp / (pil?.images_per_cpu_s ?? 1)).toFixed(2)}x`,
      );
    } else {
      console.log(`Pillow decode reference failed (exit ${run.status}): ${run.stderr.slice(-500)}`);
    }
  }
  const reference = torch?.images_per_s ?? null;
  const row = (name: string, ours: number) => ({
    name,
    metric: "throughput",
    ours,
    reference,
    ratio: reference === null ? null : ours / reference,
    unit: "images/s",
    notes:
      `${count} synthetic JPEGs, batch ${batchSize}, ${epochs} epochs; vs torchvision DataLoader, ` +
      `num_workers ${torch?.num_workers ?? cores}; higher is better, ratio = ours / torchvision${referenceNote}`,
  });
  const pilRate = pil?.images_per_cpu_s ?? null;
  const decodeRow = (name: string, ours: number) => ({
    name,
    metric: "throughput",
    ours,
    reference: pilRate,
    ratio: pilRate === null ? null : ours / pilRate,
    unit: "images/cpu-s",
    notes:
      `${blobs.length} synthetic 178x218 JPEGs decoded one at a time, CPU time, median of 5; vs Pillow ` +
      `Image.open().convert("RGB"); higher is better${pilRate === null ? "; Pillow reference skipped" : ""}`,
  });
  const results = [
    row("createBatches (decode + seed augmentation + normalise), main thread", mainThread),
    row(
      `createBatches (decode + seed augmentation + normalise), ${cores} worker threads`,
      threaded,
    ),
    decodeRow("decodeImage (WebAssembly JPEG decoder)", decodeWasm),
    decodeRow("decodeImage with the WebAssembly decoder off (sharp)", decodeSharp),
  ];
  // Written to a temp file and renamed so a crash never leaves half a file.
  const file = join(here, "results.json");
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, file);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(root, { recursive: true, force: true }));

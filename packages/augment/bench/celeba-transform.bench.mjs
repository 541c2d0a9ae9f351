// Throughput of the paper's train transform (flip + bicubic resize 220x270 + random crop 178x218 +
// normalise) on 178x218 RGB images, against PIL + torchvision doing the same in the same run.
// Both sides are single-threaded. Run: pnpm bench (builds dist first).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  celebaTrainTransform,
  compose,
  randomCrop,
  randomHorizontalFlip,
  resize,
  toFloat32,
} from "../dist/index.js";
import { createRng, deriveSeed } from "../dist/random.js";

const W = 178;
const H = 218;
const COUNT = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const PYTHON = "/usr/bin/python3";

function makeImages() {
  const images = [];
  const rng = createRng("bench-images");
  for (let n = 0; n < COUNT; n++) {
    const data = new Uint8Array(W * H * 3);
    const fx = 5 + rng.nextInt(20);
    const fy = 5 + rng.nextInt(20);
    let i = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        data[i++] = 128 + 100 * Math.sin(x / fx) * Math.cos(y / fy) + rng.nextInt(20);
        data[i++] = (x + y + n) & 255;
        data[i++] = rng.nextInt(256);
      }
    }
    images.push({ data, width: W, height: H, channels: 3 });
  }
  return images;
}

function measure(label, fn) {
  // Warm up the JIT and coefficient caches before timing.
  for (let i = 0; i < 50; i++) fn(i);
  let done = 0;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const deadline = start + BigInt(Math.round(SECONDS * 1e9));
  while (process.hrtime.bigint() < deadline) {
    for (let k = 0; k < 16; k++) fn(done++);
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  // Rates per CPU-second are robust to other processes sharing the cores; wall rates are shown too.
  const rate = done / cpuSecs;
  console.log(
    `${label.padEnd(48)} ${rate.toFixed(0).padStart(7)} images/cpu-s  (${(done / secs).toFixed(0)} images/wall-s, ${done} images)`,
  );
  return rate;
}

const images = makeImages();
const batch = new Float32Array(W * H * 3);
const train = celebaTrainTransform();
const unfused = compose([
  randomHorizontalFlip(0.5),
  (img) => resize(img, { width: 220, height: 270 }),
  randomCrop({ width: 178, height: 218 }),
]);

console.log(
  `@celeba/augment seed train transform, ${W}x${H} RGB, single thread, ~${SECONDS}s per case`,
);
const fused = measure("augment: celebaTrainTransform().apply (fused)", (i) =>
  train.apply(images[i % COUNT], createRng(deriveSeed(1, 0, i)), batch, 0),
);
const composed = measure("augment: compose(flip, resize, randomCrop) + norm", (i) =>
  toFloat32(unfused(images[i % COUNT], createRng(deriveSeed(1, 0, i))), {
    normalize: {},
    out: batch,
  }),
);

let reference = null;
let referenceNote = "";
const hasTorch =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ["-c", "import torch, torchvision, PIL"], { stdio: "ignore" }).status === 0;
if (!hasTorch) {
  console.log(`reference: skipped (${PYTHON} with torch + torchvision + Pillow not found)`);
} else {
  const dir = mkdtempSync(join(tmpdir(), "augment-bench-"));
  try {
    const file = join(dir, "images.bin");
    writeFileSync(file, Buffer.concat(images.map((im) => Buffer.from(im.data))));
    const script = `
import random, sys, time
import numpy as np, torch
from PIL import Image
from torchvision import transforms as T
torch.set_num_threads(1)
W, H, COUNT, SECONDS = ${W}, ${H}, ${COUNT}, ${SECONDS}
raw = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(COUNT, H, W, 3)
imgs = [Image.fromarray(a, "RGB") for a in raw]
crop = T.RandomCrop((218, 178))
post = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
def one(i):
    im = imgs[i % COUNT]
    if random.random() < 0.5:
        im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return post(crop(im.resize((220, 270))))
for i in range(50): one(i)
done, start, cpu0 = 0, time.perf_counter(), time.process_time()
while time.perf_counter() - start < SECONDS:
    for k in range(16):
        one(done); done += 1
print(done / (time.process_time() - cpu0), done / (time.perf_counter() - start))
`;
    const r = spawnSync(PYTHON, ["-c", script, file], { encoding: "utf8" });
    if (r.status !== 0) {
      referenceNote = `reference failed: ${r.stderr.trim().split("\n").pop()}`;
      console.log(`reference: failed (${r.stderr.trim().split("\n").pop()})`);
    } else {
      const [ref, refWall] = r.stdout.trim().split(" ").map(Number);
      reference = ref;
      console.log(
        `${"reference: PIL transpose/resize + torchvision".padEnd(48)} ${ref.toFixed(0).padStart(7)} images/cpu-s  (${refWall.toFixed(0)} images/wall-s, torch threads = 1)`,
      );
      console.log(
        `ratio augment fused / PIL+torchvision (per CPU-second): ${(fused / ref).toFixed(2)}x`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!hasTorch)
  referenceNote = `reference skipped: ${PYTHON} with torch + torchvision + Pillow not found`;

// Shared format gathered by the root bench/collect.mjs; written to a temp file then renamed.
const note = `${W}x${H} RGB, single thread, images per CPU-second; higher is better, ratio = ours / PIL+torchvision`;
const row = (name, ours) => ({
  name,
  metric: "throughput",
  ours,
  reference,
  ratio: reference === null ? null : ours / reference,
  unit: "images/cpu-s",
  notes: referenceNote ? `${note}; ${referenceNote}` : note,
});
const out = join(dirname(fileURLToPath(import.meta.url)), "results.json");
const tmp = `${out}.${process.pid}.tmp`;
writeFileSync(
  tmp,
  `${JSON.stringify(
    [
      row("seed train transform (flip + resize + crop + normalise), fused", fused),
      row("seed train transform, compose(flip, resize, randomCrop) + normalise", composed),
    ],
    null,
    2,
  )}\n`,
);
renameSync(tmp, out);

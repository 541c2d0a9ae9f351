/**
 * Times each grouped-convolution formulation on resnext50_32x4d's 3x3 grouped layers at a
 * 218x178 input, per backend. `pnpm bench:grouped-conv`; numbers go into the README. Each
 * figure is the fastest of RUNS runs (default 5) after a warm-up, because this machine is shared.
 */
import * as tf from "@tensorflow/tfjs-core";
import { GROUPED_CONV_IMPLS, groupedConv2d } from "../src/kernels/grouped-conv";
import { minSeconds, useBackend } from "./backends";

// [stage, spatial H x W at the conv's input, channels]; stride-1 blocks, 32 groups.
const LAYERS: [string, number, number, number][] = [
  ["layer1", 55, 45, 128],
  ["layer2", 28, 23, 256],
  ["layer3", 14, 12, 512],
  ["layer4", 7, 6, 1024],
];
const BATCHES = (process.env.BATCHES ?? "1,16").split(",").map(Number);
const BACKENDS = (process.env.BACKENDS ?? "cpu,wasm").split(",");
const RUNS = Number(process.env.RUNS ?? 5);

const rows: string[] = [];
// Batch-1 times per backend/layer/impl, to skip hopeless formulations at larger batches.
const batchOne = new Map<string, number>();
for (const backend of BACKENDS) {
  if (!(await useBackend(backend))) {
    console.log(`skipping ${backend}: backend unavailable`);
    continue;
  }
  for (const batch of BATCHES) {
    for (const [name, h, w, c] of LAYERS) {
      const x = tf.randomNormal([batch, h, w, c]) as tf.Tensor4D;
      const f = tf.randomNormal([3, 3, c / 32, c]) as tf.Tensor4D;
      const cells: string[] = [];
      const best = Math.min(
        ...GROUPED_CONV_IMPLS.map((i) => batchOne.get(`${backend}/${name}/${i}`) ?? Infinity),
      );
      for (const impl of GROUPED_CONV_IMPLS) {
        const one = batchOne.get(`${backend}/${name}/${impl}`);
        if (batch > 1 && one !== undefined && one > 3 * best) {
          cells.push("(>3x at batch 1)");
          continue;
        }
        // tidy must not return the data: it would walk every element looking for tensors.
        const run = () =>
          tf.tidy(() => {
            groupedConv2d(x, f, { groups: 32, pad: 1, impl }).dataSync();
          });
        const t0 = performance.now();
        run();
        const first = (performance.now() - t0) / 1000;
        // A second warm-up: the first calls also grow wasm memory and build XNNPACK operators.
        if (first <= 2) run();
        // Formulations far off the pace are timed once, to keep the run short.
        const s = first > 2 ? first : minSeconds(run, RUNS);
        if (batch === 1) batchOne.set(`${backend}/${name}/${impl}`, s);
        cells.push(`${(s * 1000).toFixed(1)} ms`);
      }
      tf.dispose([x, f]);
      const row = `| ${backend} | ${batch} | ${name} ${h}x${w}x${c} | ${cells.join(" | ")} |`;
      console.log(row);
      rows.push(row);
    }
  }
}
console.log(`\n| backend | batch | layer (3x3, 32 groups) | ${GROUPED_CONV_IMPLS.join(" | ")} |`);
console.log(`|---|---|---|${GROUPED_CONV_IMPLS.map(() => "---").join("|")}|`);
for (const r of rows) console.log(r);

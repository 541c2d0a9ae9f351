/**
 * resnext50_32x4d inference at 218x178 (the paper's crop), images/s at batch 1 and 16 and at 1
 * and 2 threads, all in one run: our `exportOnnx` graph on ONNX Runtime (onnxruntime-node),
 * torchvision's own `torch.onnx.export` of the same weights on ONNX Runtime, tfjs wasm (our
 * model, fused inference) and PyTorch CPU (Debian's /usr/bin/python3). The weights are
 * torchvision's (seeded), read by us from the .pth the Python side saves. tfjs and PyTorch:
 * median of RUNS (3) after a warm-up. The two ONNX graphs: ROUNDS (9) rounds, each running
 * both once in alternating order in one process, with the session options of
 * `reference predict`; the figures are the medians, and ours/torchvision's is the median of
 * the rounds' ratios (with their range), so that load changes on a shared machine hit both
 * alike. Env THREADS ("1,2"), BATCHES ("1,16").
 * `pnpm bench:onnx` in packages/resnext.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as ort from "onnxruntime-node";
import { type BenchResult, writeResults } from "../../../bench/results.ts";
import { resnext50_32x4d } from "../src/model/factories";
import { exportOnnx } from "../src/onnx/export-onnx";
import { modelProtoType } from "../src/onnx/onnx-schema";
import { readStateDict } from "../src/weights/read-state-dict";
import { medianSeconds, useBackend } from "./backends";

const H = 218;
const W = 178;
const RUNS = Number(process.env.RUNS ?? 3);
/** Rounds of the two ONNX graphs, one run of each per round in alternating order. */
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const BATCHES = (process.env.BATCHES ?? "1,16").split(",").map(Number);
const THREADS = (process.env.THREADS ?? "1,2").split(",").map(Number);
const PYTHON = "/usr/bin/python3";

if (!existsSync(PYTHON))
  throw new Error(`${PYTHON} not found: this benchmark needs torch and torchvision`);
const dir = mkdtempSync(join(tmpdir(), "onnx-bench-"));
try {
  console.log(`resnext50_32x4d inference, ${H}x${W}, ${cpus().length} cores (${cpus()[0]?.model})`);
  const script = join(import.meta.dirname, "..", "scripts", "bench-onnx-torch.py");
  const py = JSON.parse(
    execFileSync(
      PYTHON,
      [script, dir, String(H), String(W), BATCHES.join(","), THREADS.join(","), String(RUNS)],
      { encoding: "utf8" },
    )
      .trim()
      .split("\n")
      .pop()!,
  ) as { torch: string; imagesPerSecond: Record<string, Record<string, number>> };
  console.log(`  PyTorch ${py.torch} CPU: ${JSON.stringify(py.imagesPerSecond)}`);

  await useBackend("wasm");
  const model = resnext50_32x4d({ numClasses: 40 });
  model.loadStateDict(await readStateDict(join(dir, "resnext50_32x4d.pth")));
  const ours = await exportOnnx(model, { inputSize: { width: W, height: H } });
  const torchvision = new Uint8Array(readFileSync(join(dir, "torchvision.onnx")));

  const tfjs: Record<string, number> = {};
  for (const batch of BATCHES) {
    const x = tf.randomNormal([batch, H, W, 3]) as tf.Tensor4D;
    const s = medianSeconds(() => {
      const y = model.apply(x, { training: false });
      y.dataSync();
      y.dispose();
    }, RUNS);
    x.dispose();
    tfjs[batch] = batch / s;
    console.log(`  tfjs wasm batch ${batch}: ${tfjs[batch]!.toFixed(2)} images/s`);
  }
  model.dispose();

  /** The median of some numbers. */
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };

  /**
   * images/s of our graph and torchvision's on ONNX Runtime at one thread count and batch size,
   * with `reference predict`'s session options: both sessions open at once, each round runs
   * both once (the order alternating by round, so neither always runs on a warmer cache), after
   * a warm-up. Returns the median images/s of each and the rounds' ours/torchvision's ratios.
   */
  const onnxRuntimePair = async (
    threads: number,
    batch: number,
  ): Promise<{ ours: number; theirs: number; ratios: number[] }> => {
    const options = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      extra: { session: { intra_op: { allow_spinning: "0" } } },
    } as const;
    const sessions = [
      await ort.InferenceSession.create(ours, options),
      await ort.InferenceSession.create(torchvision, options),
    ];
    const data = Float32Array.from({ length: batch * 3 * H * W }, (_, i) => Math.sin(i));
    const feeds = { input: new ort.Tensor("float32", data, [batch, 3, H, W]) };
    const seconds: [number[], number[]] = [[], []];
    const ratios: number[] = [];
    for (const session of sessions) await session.run(feeds);
    for (let r = 0; r < ROUNDS; r++) {
      const round = [0, 0];
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const t0 = performance.now();
        await sessions[i]!.run(feeds);
        round[i] = (performance.now() - t0) / 1000;
        seconds[i]!.push(round[i]!);
      }
      ratios.push(round[1]! / round[0]!);
    }
    for (const session of sessions) await session.release();
    return { ours: batch / median(seconds[0]), theirs: batch / median(seconds[1]), ratios };
  };

  /**
   * The operators ONNX Runtime runs for a model after its graph optimisations (level "all":
   * fusions and the NCHWc layout), as "op x count": equal lists mean equal kernels, whatever the
   * load on the machine does to the timings.
   */
  const optimizedOps = async (bytes: Uint8Array, name: string): Promise<string> => {
    const optimizedModelFilePath = join(dir, `${name}.optimized.onnx`);
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      graphOptimizationLevel: "all",
      optimizedModelFilePath,
      logSeverityLevel: 3,
    });
    await session.release();
    const type = modelProtoType();
    const model = type.toObject(type.decode(readFileSync(optimizedModelFilePath))) as {
      graph: { node: { opType: string; domain?: string }[] };
    };
    const counts = new Map<string, number>();
    for (const n of model.graph.node) {
      const op = n.domain ? `${n.domain}.${n.opType}` : n.opType;
      counts.set(op, (counts.get(op) ?? 0) + 1);
    }
    return [...counts]
      .map(([op, n]) => `${op} x${n}`)
      .sort()
      .join(", ");
  };
  const oursOps = await optimizedOps(ours, "ours");
  const theirOps = await optimizedOps(torchvision, "torchvision");
  const sameKernels = oursOps === theirOps;
  console.log(`  ONNX Runtime's optimised graph, ours:        ${oursOps}`);
  console.log(`  ONNX Runtime's optimised graph, torchvision: ${theirOps}`);
  console.log(`  same operators after optimisation: ${sameKernels ? "yes" : "NO"}`);

  const rows: BenchResult[] = [];
  console.log(
    "\n| threads | batch | ours on ONNX Runtime | torchvision's export on ONNX Runtime | tfjs wasm | PyTorch CPU | ours / torchvision's export: median (range) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const threads of THREADS) {
    for (const batch of BATCHES) {
      const { ours: oursIps, theirs, ratios } = await onnxRuntimePair(threads, batch);
      const ratio = median(ratios);
      const spread = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
      const pytorch = py.imagesPerSecond[threads]?.[batch] ?? null;
      console.log(
        `| ${threads} | ${batch} | ${oursIps.toFixed(2)} | ${theirs.toFixed(2)} | ${tfjs[batch]!.toFixed(2)} | ${pytorch?.toFixed(2) ?? "—"} | ${ratio.toFixed(2)} (${spread}) |`,
      );
      const where = `218x178, batch ${batch}, ${threads} thread${threads === 1 ? "" : "s"}`;
      rows.push(
        {
          name: `resnext50_32x4d exportOnnx on onnxruntime-node vs torchvision's torch.onnx.export, ${where}`,
          metric: "throughput",
          ours: oursIps,
          reference: theirs,
          ratio,
          unit: "images/s",
          notes:
            `reference = torchvision's own ONNX export of the same weights on ONNX Runtime; medians of ${ROUNDS} rounds alternating between the two, ratio = median of the rounds' ratios (range ${spread}); ` +
            `ONNX Runtime's optimised graphs ${sameKernels ? "run the same operators" : "differ"}`,
        },
        {
          name: `resnext50_32x4d exportOnnx on onnxruntime-node vs PyTorch, ${where}`,
          metric: "throughput",
          ours: oursIps,
          reference: pytorch,
          ratio: pytorch === null ? null : oursIps / pytorch,
          unit: "images/s",
          notes: `reference = PyTorch ${py.torch} CPU at ${threads} thread(s), same run`,
        },
        {
          name: `resnext50_32x4d exportOnnx on onnxruntime-node vs tfjs wasm, ${where}`,
          metric: "throughput",
          ours: oursIps,
          reference: tfjs[batch]!,
          ratio: oursIps / tfjs[batch]!,
          unit: "images/s",
          notes: "reference = our tfjs model on the wasm backend (its own threading), same run",
        },
      );
    }
  }
  writeResults(import.meta.dirname, rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

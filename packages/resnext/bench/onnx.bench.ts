/**
 * resnext50_32x4d inference at 218x178 (the paper's crop), images/s at batch 1 and 16 and at 1
 * and 2 threads, all in one run: our `exportOnnx` graph on ONNX Runtime (onnxruntime-node),
 * torchvision's own `torch.onnx.export` of the same weights on ONNX Runtime, tfjs wasm (our
 * model, fused inference) and PyTorch CPU (Debian's /usr/bin/python3). The weights are
 * torchvision's (seeded), read by us from the .pth the Python side saves. tfjs and PyTorch:
 * median of RUNS (3) after a warm-up. The two ONNX graphs: fastest of ROUNDS (7) runs each,
 * alternating between them in one process. Env THREADS ("1,2"), BATCHES ("1,16").
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
/** Alternating runs of the two ONNX graphs (the fastest of each is kept). */
const ROUNDS = Number(process.env.ROUNDS ?? 7);
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

  /**
   * images/s of our graph and torchvision's on ONNX Runtime at one thread count and batch size:
   * both sessions open at once, runs alternating between them (so a load change on the shared
   * machine hits both alike), the fastest of ROUNDS runs each after a warm-up.
   */
  const onnxRuntimePair = async (threads: number, batch: number): Promise<[number, number]> => {
    const options = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    } as const;
    const sessions = [
      await ort.InferenceSession.create(ours, options),
      await ort.InferenceSession.create(torchvision, options),
    ];
    const data = Float32Array.from({ length: batch * 3 * H * W }, (_, i) => Math.sin(i));
    const feeds = { input: new ort.Tensor("float32", data, [batch, 3, H, W]) };
    const best = [Infinity, Infinity];
    for (const session of sessions) await session.run(feeds);
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < sessions.length; i++) {
        const t0 = performance.now();
        await sessions[i]!.run(feeds);
        best[i] = Math.min(best[i]!, (performance.now() - t0) / 1000);
      }
    }
    for (const session of sessions) await session.release();
    return [batch / best[0]!, batch / best[1]!];
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
    "\n| threads | batch | ours on ONNX Runtime | torchvision's export on ONNX Runtime | tfjs wasm | PyTorch CPU |",
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const threads of THREADS) {
    for (const batch of BATCHES) {
      const [oursIps, theirs] = await onnxRuntimePair(threads, batch);
      const pytorch = py.imagesPerSecond[threads]?.[batch] ?? null;
      console.log(
        `| ${threads} | ${batch} | ${oursIps.toFixed(2)} | ${theirs.toFixed(2)} | ${tfjs[batch]!.toFixed(2)} | ${pytorch?.toFixed(2) ?? "—"} |`,
      );
      const where = `218x178, batch ${batch}, ${threads} thread${threads === 1 ? "" : "s"}`;
      rows.push(
        {
          name: `resnext50_32x4d exportOnnx on onnxruntime-node vs torchvision's torch.onnx.export, ${where}`,
          metric: "throughput",
          ours: oursIps,
          reference: theirs,
          ratio: oursIps / theirs,
          unit: "images/s",
          notes:
            `reference = torchvision's own ONNX export of the same weights on ONNX Runtime; fastest of ${ROUNDS} alternating runs each; ` +
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

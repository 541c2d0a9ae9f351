import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectOneLineError,
  predictArgs,
  runCli as run,
  scratchDir,
  TORCHVISION_TINY_WEIGHTS,
  tinyTrainArgs,
} from "./cli-harness";

// Drives the built CLI: synth -> train -> export -> predict on ONNX Runtime, against the same
// predictions from tfjs (the reference), on a tiny synthetic CelebA.
const work = scratchDir("onnx");

/** A predictions CSV: its header and each image's raw scores. */
function readScores(path: string): { header: string; rows: Map<string, number[]> } {
  const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const rows = new Map<string, number[]>();
  for (const line of lines) {
    const [id, ...values] = line.split(",");
    rows.set(id!, values.map(Number));
  }
  return { header: header!, rows };
}

function maxDiff(a: Map<string, number[]>, b: Map<string, number[]>): number {
  expect([...b.keys()]).toEqual([...a.keys()]);
  let m = 0;
  for (const [id, values] of a) {
    const other = b.get(id)!;
    expect(other).toHaveLength(values.length);
    values.forEach((v, i) => {
      m = Math.max(m, Math.abs(v - other[i]!));
    });
  }
  return m;
}

const data = join(work, "data");
const images = join(data, "img_align_celeba");
const runDir = join(work, "run");
const checkpoint = join(runDir, "checkpoints", "epoch-01.safetensors");

function predict(weights: string, out: string, ...extra: string[]) {
  const r = run(predictArgs(weights, images, out, "--raw", ...extra));
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r;
}

describe("train -> export -> predict on ONNX Runtime", () => {
  beforeAll(() => {
    expect(run(["synth", "--out", data, "--count", "60", "--seed", "3"]).code).toBe(0);
    const trained = run(tinyTrainArgs(data, runDir));
    expect(trained.stderr).toBe("");
    expect(existsSync(checkpoint)).toBe(true);
  });

  it("predict --engine onnxruntime on the exported model equals predict --engine tfjs within 2e-3", () => {
    const model = join(work, "model.onnx");
    const exported = run(["export", "--weights", checkpoint, "--out", model]);
    expect(exported.stderr).toBe("");
    expect(exported.stdout).toMatch(/resnext_tiny, 40 outputs, input 32x40/);
    predict(checkpoint, join(work, "tfjs.csv"), "--engine", "tfjs");
    const r = predict(model, join(work, "onnx.csv"), "--threads", "1");
    expect(r.stdout).toMatch(/engine: onnxruntime \(1 thread\)/);
    const tfjs = readScores(join(work, "tfjs.csv"));
    const onnx = readScores(join(work, "onnx.csv"));
    expect(onnx.header).toBe(tfjs.header);
    expect(onnx.header.split(",")[1]).toBe("5_o_Clock_Shadow");
    expect(onnx.rows.size).toBe(60);
    const diff = maxDiff(tfjs.rows, onnx.rows);
    console.info(`round trip: max |onnxruntime - tfjs| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(2e-3);

    // The same weights exported in memory, and with the normalisation baked into the graph.
    predict(checkpoint, join(work, "memory.csv"), "--engine", "onnxruntime");
    expect(maxDiff(tfjs.rows, readScores(join(work, "memory.csv")).rows)).toBeLessThanOrEqual(2e-3);
    const baked = join(work, "baked.onnx");
    expect(
      run(["export", "--weights", checkpoint, "--out", baked, "--normalization", "baked"]).code,
    ).toBe(0);
    predict(baked, join(work, "baked.csv"));
    expect(maxDiff(tfjs.rows, readScores(join(work, "baked.csv")).rows)).toBeLessThanOrEqual(2e-3);
  });

  it("evaluate --engine onnxruntime reports what tfjs reports", () => {
    const tfjs = run(["evaluate", "--run", runDir]);
    const onnx = run(["evaluate", "--run", runDir, "--engine", "onnxruntime", "--threads", "2"]);
    expect(onnx.stderr).toBe("");
    expect(onnx.code).toBe(0);
    expect(onnx.stdout).toMatch(/engine: onnxruntime/);
    const accuracies = (s: string) => s.match(/accuracy \d+\.\d+%/g);
    expect(accuracies(onnx.stdout)).toEqual(accuracies(tfjs.stdout));
    expect(accuracies(onnx.stdout)!.length).toBeGreaterThanOrEqual(2);
  });

  it("exports torchvision-written weights (--arch) and runs them as tfjs does", () => {
    const weights = TORCHVISION_TINY_WEIGHTS;
    const model = join(work, "torchvision.onnx");
    const exported = run([
      "export",
      "--weights",
      weights,
      "--arch",
      "resnext_tiny",
      "--out",
      model,
    ]);
    expect(exported.stderr).toBe("");
    expect(exported.stdout).toMatch(/10 outputs, input any size/);
    predict(weights, join(work, "tv-tfjs.csv"), "--arch", "resnext_tiny");
    predict(model, join(work, "tv-onnx.csv"));
    const tfjs = readScores(join(work, "tv-tfjs.csv"));
    const onnx = readScores(join(work, "tv-onnx.csv"));
    expect(onnx.header).toBe(tfjs.header);
    expect(maxDiff(tfjs.rows, onnx.rows)).toBeLessThanOrEqual(2e-3);
  });

  it("bad engine use ends with one line and a non-zero exit", () => {
    const model = join(work, "model.onnx");
    const out = join(work, "x.csv");
    const cases: Array<[string[], RegExp]> = [
      [predictArgs(model, images, out, "--engine", "tfjs"), /ONNX model.*--engine onnxruntime/],
      [
        predictArgs(checkpoint, images, out, "--engine", "torch"),
        /--engine "torch".*tfjs, onnxruntime/,
      ],
      [
        ["export", "--weights", join(work, "missing.pth"), "--out", model],
        /missing\.pth does not exist/,
      ],
      [
        ["export", "--weights", checkpoint, "--out", model, "--normalization", "none"],
        /--normalization "none".*outside, baked/,
      ],
      [
        predictArgs(join(data, "list_attr_celeba.txt"), images, out, "--engine", "onnxruntime"),
        /list_attr_celeba\.txt/,
      ],
    ];
    for (const [args, pattern] of cases) {
      expectOneLineError(run(args), pattern, { label: args.join(" ") });
    }
  });
});

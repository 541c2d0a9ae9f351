import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { majorityBaseline } from "@celeba/metrics";
import { readSafetensors, readSafetensorsMetadata } from "@celeba/resnext/weights";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Batch, DataSource } from "../src/batch";
import { CheckpointError, InvalidOptionError, NonFiniteLossError } from "../src/errors";
import { evaluate } from "../src/evaluate";
import { HISTORY_CSV_HEADER, selectBestEpoch } from "../src/history";
import { resume, train } from "../src/train";
import { dataSource, syntheticData, tinyModel } from "./helpers";

const K = 5;
const trainSet = syntheticData(192, K, 1);
const valSet = syntheticData(64, K, 2);
const testSet = syntheticData(64, K, 3);
let root: string;

beforeAll(async () => {
  await tf.setBackend("cpu");
  root = await mkdtemp(join(tmpdir(), "celeba-train-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const names = ["A", "B", "C", "D", "E"];
const sources = () => ({
  trainData: dataSource(trainSet, 16, 7),
  valData: dataSource(valSet, 32, 0, false),
  testData: dataSource(testSet, 32, 0, false),
});

function weights(model: {
  stateDict(): Map<string, { data: ArrayLike<number | bigint> }>;
}): Map<string, number[]> {
  return new Map(
    [...model.stateDict()].map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>)]),
  );
}

describe("train() end to end on a tiny synthetic dataset", () => {
  it("loss falls, accuracy beats the majority baseline, and the run dir is complete", async () => {
    const model = tinyModel({ numClasses: K });
    const frozenBefore = Array.from(model.vars.get("proj.weight")!.dataSync());
    const runDir = join(root, "e2e");
    const checkpoints: number[] = [];
    const before = tf.memory().numTensors;
    const result = await train({
      model,
      ...sources(),
      runDir,
      epochs: 6,
      optimizer: { name: "adamax", lr: 0.02 },
      attributeNames: names,
      seed: 7,
      checkpointMetadata: { architecture: "tiny-test", note: { a: 1 } },
      progress: false,
      hooks: { onCheckpoint: (e) => void checkpoints.push(e.epoch) },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.status).toBe("completed");
    const h = result.history;
    expect(h.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h[5]!.trainLoss).toBeLessThan(h[0]!.trainLoss * 0.8);
    expect(h[5]!.trainAccuracy).toBeGreaterThan(h[0]!.trainAccuracy);
    const baseline = majorityBaseline({ data: valSet.labels, shape: [valSet.n, K] }).mean;
    expect(Math.max(...h.map((r) => r.valAccuracy))).toBeGreaterThan(baseline + 0.05);
    expect(result.bestEpoch).toBe(selectBestEpoch(h));
    expect(result.test!.count).toBe(64);
    expect(result.test!.accuracy).toBeGreaterThan(
      majorityBaseline({ data: testSet.labels, shape: [64, K] }).mean,
    );
    // Only unfrozen parameters move.
    expect(Array.from(model.vars.get("proj.weight")!.dataSync())).toEqual(frozenBefore);
    expect(checkpoints).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const files = await readdir(join(runDir, "checkpoints"));
    for (let e = 1; e <= 6; e++) {
      expect(files).toContain(`epoch-0${e}.safetensors`);
      expect(files).toContain(`epoch-0${e}.optimizer.safetensors`);
      expect(files).toContain(`epoch-0${e}.state.json`);
    }
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const meta = await readSafetensorsMetadata(join(runDir, "checkpoints/epoch-03.safetensors"));
    expect(meta.architecture).toBe("tiny-test");
    expect(JSON.parse(meta.attribute_names!)).toEqual(names);
    expect(JSON.parse(meta.input_size!)).toEqual({ width: 6, height: 6 });
    expect(meta.epoch).toBe("3");
    expect(JSON.parse(meta.note!)).toEqual({ a: 1 });
    expect(JSON.parse(meta.metrics!).val_accuracy).toBeCloseTo(h[2]!.valAccuracy, 12);
    const opt = await readSafetensors(join(runDir, "checkpoints/epoch-03.optimizer.safetensors"));
    expect([...opt.keys()].sort()).toEqual([
      "fc.bias.exp_avg",
      "fc.bias.exp_inf",
      "fc.bias.step",
      "fc.weight.exp_avg",
      "fc.weight.exp_inf",
      "fc.weight.step",
    ]);
    expect(opt.get("fc.weight.step")!.data[0]).toBe(36); // 3 epochs x 12 batches

    const csv = (await readFile(join(runDir, "history.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toBe(HISTORY_CSV_HEADER);
    expect(csv).toHaveLength(7);
    expect(Number(csv[3]!.split(",")[4])).toBeCloseTo(h[2]!.valAccuracy, 12);
    expect(JSON.parse(await readFile(join(runDir, "history.json"), "utf8"))).toEqual(h);
    expect(JSON.parse(await readFile(join(runDir, "latest.json"), "utf8"))).toMatchObject({
      checkpoint: "checkpoints/epoch-06",
      complete: true,
    });
    const res = JSON.parse(await readFile(join(runDir, "result.json"), "utf8"));
    expect(res.bestEpoch).toBe(result.bestEpoch);
    expect(Object.keys(res.test.perAttributeAccuracy)).toEqual(names);

    // The model holds the chosen epoch's weights, and evaluating them reproduces the recorded metrics.
    const best = h[result.bestEpoch! - 1]!;
    const again = await evaluate(model, sources().valData);
    expect(again.accuracy).toBe(best.valAccuracy);
    expect(again.loss).toBeCloseTo(best.valLoss, 6);
    model.dispose();
  });

  it("refuses a run dir that already holds a run, and invalid configs before any work", async () => {
    const model = tinyModel({ numClasses: K });
    await expect(
      train({ model, ...sources(), runDir: join(root, "e2e"), progress: false }),
    ).rejects.toThrow(CheckpointError);
    const bad = join(root, "bad");
    await expect(
      train({
        model,
        ...sources(),
        runDir: bad,
        optimizer: { name: "rmsprop" } as never,
        progress: false,
      }),
    ).rejects.toThrow(/Valid choices: "adamax", "adam", "sgd"/);
    await expect(
      train({ model, ...sources(), runDir: bad, loss: "hinge" as never }),
    ).rejects.toThrow(InvalidOptionError);
    await expect(train({ model, ...sources(), runDir: bad, epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(readdir(bad)).rejects.toThrow(); // nothing was created
    model.dispose();
  });
});

describe("resume", () => {
  const config = {
    epochs: 3,
    optimizer: { name: "adamax" as const, lr: 0.01 },
    seed: 3,
    progress: false as const,
  };

  it("an interrupted (AbortSignal) then resumed run ends with exactly the uninterrupted weights", async () => {
    const ref = tinyModel({ numClasses: K });
    const refResult = await train({
      model: ref,
      ...sources(),
      runDir: join(root, "ref"),
      ...config,
      checkpointEverySteps: 5,
    });
    // train() leaves the best epoch loaded; compare final (epoch 3) weights from its checkpoint.
    const refFinal = await readSafetensors(join(root, "ref", "checkpoints/epoch-03.safetensors"));

    const runDir = join(root, "interrupted");
    for (const stopAt of [
      [1, 3],
      [2, 11],
      [3, 0],
    ] as const) {
      const model = tinyModel({ numClasses: K, seed: 99 }); // wrong init: resume must restore everything
      const ac = new AbortController();
      const hooks = {
        onStepEnd: (e: { epoch: number; step: number }) => {
          if (e.epoch === stopAt[0] && e.step === stopAt[1]) ac.abort();
        },
      };
      const first = stopAt[0] === 1 && stopAt[1] === 3;
      const r = first
        ? await train({
            model: tinyModel({ numClasses: K }),
            ...sources(),
            runDir,
            ...config,
            signal: ac.signal,
            hooks,
          })
        : await resume(runDir, { model, ...sources(), signal: ac.signal, hooks, progress: false });
      expect(r.status).toBe("interrupted");
      const latest = JSON.parse(await readFile(join(runDir, "latest.json"), "utf8"));
      expect(latest).toMatchObject({ epoch: stopAt[0], step: stopAt[1] + 1, complete: false });
      model.dispose();
    }
    const model = tinyModel({ numClasses: K, seed: 5 });
    const done = await resume(runDir, { model, ...sources(), progress: false });
    expect(done.status).toBe("completed");
    const final = await readSafetensors(join(runDir, "checkpoints/epoch-03.safetensors"));
    for (const [k, v] of refFinal)
      expect(Array.from(final.get(k)!.data as Float32Array), k).toEqual(
        Array.from(v.data as Float32Array),
      );
    expect(done.history.map((r) => [r.trainLoss, r.trainAccuracy, r.valAccuracy])).toEqual(
      refResult.history.map((r) => [r.trainLoss, r.trainAccuracy, r.valAccuracy]),
    );
    expect(done.bestEpoch).toBe(refResult.bestEpoch);
    expect(weights(model)).toEqual(weights(ref));
    // Superseded mid-epoch checkpoints are cleaned up.
    expect(
      (await readdir(join(runDir, "checkpoints"))).filter((f) => f.includes("-step-")),
    ).toEqual([]);
    ref.dispose();
    model.dispose();
  });

  it("resume() on a finished run only redoes selection and test", async () => {
    const model = tinyModel({ numClasses: K });
    const before = tf.memory().numTensors;
    const r = await resume(join(root, "ref"), { model, ...sources(), progress: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.status).toBe("completed");
    expect(r.history).toHaveLength(3);
    model.dispose();
  });

  it("resume() of a directory without run.json explains itself", async () => {
    const model = tinyModel({ numClasses: K });
    await expect(resume(join(root, "nope"), { model, ...sources() })).rejects.toThrow(
      /made by train\(\)/,
    );
    model.dispose();
  });
});

describe("guards", () => {
  it("a NaN loss stops the run with NonFiniteLossError and keeps the last good checkpoint", async () => {
    const good = dataSource(trainSet, 16, 7);
    const poisoned: DataSource = async function* (epoch, start) {
      let i = start;
      for await (const b of good(epoch, start) as AsyncIterable<Batch>) {
        if (epoch === 2 && i === 4) b.images[0] = Number.NaN;
        i++;
        yield b;
      }
    };
    const runDir = join(root, "nan");
    const model = tinyModel({ numClasses: K });
    const before = tf.memory().numTensors;
    const err = await train({
      model,
      ...sources(),
      trainData: poisoned,
      runDir,
      epochs: 3,
      progress: false,
    }).catch((e: unknown) => e);
    expect(tf.memory().numTensors).toBe(before);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    const e = err as NonFiniteLossError;
    expect([e.epoch, e.step, Number.isNaN(e.loss)]).toEqual([2, 4, true]);
    expect(e.message).toMatch(/epoch 2, step 4/);
    expect(e.lastCheckpoint).toBe(join(runDir, "checkpoints/epoch-01.safetensors"));
    expect(JSON.parse(await readFile(join(runDir, "latest.json"), "utf8")).checkpoint).toBe(
      "checkpoints/epoch-01",
    );
    // The good checkpoint still loads, and the run can be resumed with clean data.
    const resumed = await resume(runDir, { model, ...sources(), progress: false });
    expect(resumed.status).toBe("completed");
    model.dispose();
  });

  it("tf.memory().numTensors is flat across 50 training steps", async () => {
    const model = tinyModel({ numClasses: K });
    const counts: number[] = [];
    await train({
      model,
      trainData: dataSource(syntheticData(50 * 4, K, 9), 4, 1),
      runDir: join(root, "flat"),
      epochs: 1,
      progress: false,
      hooks: { onStepEnd: () => void counts.push(tf.memory().numTensors) },
    });
    expect(counts).toHaveLength(50);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[0]).toBe(counts[1]);
    model.dispose();
  });

  it("draws a progress bar with images/s, loss and ETA on the given stream", async () => {
    const model = tinyModel({ numClasses: K });
    let out = "";
    await train({
      model,
      ...sources(),
      runDir: join(root, "progress"),
      epochs: 2,
      progress: { write: (s: string) => (out += s), isTTY: true },
    });
    expect(out).toMatch(/epoch 1\/2 .* img\/s loss \d+\.\d{4} ETA/);
    expect(out).toMatch(/epoch 2\/2 \[=+ *\] \d+\/12/);
    model.dispose();
  });

  it("a corrupt latest.json pointer fails with a CheckpointError naming the file", async () => {
    const runDir = join(root, "progress");
    await writeFile(join(runDir, "latest.json"), "{oops");
    const model = tinyModel({ numClasses: K });
    await expect(resume(runDir, { model, ...sources() })).rejects.toThrow(
      /latest\.json: is not valid JSON/,
    );
    model.dispose();
  });
});

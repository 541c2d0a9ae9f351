import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensorsMetadata } from "@celeba/resnext/weights";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCheckpointMetadata } from "../src/checkpoint-metadata";
import { memoryRunStorage } from "../src/run-storage";
import { train } from "../src/train";
import { dataSource, syntheticData, tinyModel } from "./helpers";

const K = 3;
const trainSet = syntheticData(48, K, 1);
const valSet = syntheticData(16, K, 2);
let root: string;

beforeAll(async () => {
  await tf.setBackend("cpu");
  root = await mkdtemp(join(tmpdir(), "celeba-train-memory-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const options = () => ({
  model: tinyModel({ numClasses: K }),
  trainData: dataSource(trainSet, 16, 7),
  valData: dataSource(valSet, 16, 0, false),
  epochs: 2,
  optimizer: { name: "adamax" as const, lr: 0.02 },
  attributeNames: ["A", "B", "C"],
  normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  seed: 3,
  progress: false,
});

describe("train() with memoryRunStorage (the browser's run folder)", () => {
  it("writes byte-identical checkpoints to the file system's, with typed metadata", async () => {
    const onDisk = options();
    const diskDir = join(root, "disk");
    const diskResult = await train({ ...onDisk, runDir: diskDir });
    const storage = memoryRunStorage();
    const inMemory = options();
    const memResult = await train({ ...inMemory, runDir: "run", storage });
    tf.dispose([...onDisk.model.vars.values(), ...inMemory.model.vars.values()]);

    expect(memResult.history).toEqual(
      diskResult.history.map((r) => ({ ...r, seconds: expect.any(Number) })),
    );
    expect(memResult.bestEpoch).toBe(diskResult.bestEpoch);
    expect(memResult.lastCheckpoint).toBe("run/checkpoints/epoch-02.safetensors");
    const memBytes = storage.files.get("run/checkpoints/epoch-02.safetensors")!;
    const diskBytes = new Uint8Array(
      await readFile(join(diskDir, "checkpoints/epoch-02.safetensors")),
    );
    expect(memBytes).toEqual(diskBytes);
    for (const file of ["run.json", "latest.json", "history.csv", "result.json"]) {
      expect(storage.files.has(`run/${file}`)).toBe(true);
    }

    const meta = decodeCheckpointMetadata(await readSafetensorsMetadata(memBytes), "epoch-02");
    expect(meta).toMatchObject({
      architecture: "unknown",
      inputSize: { width: trainSet.size, height: trainSet.size },
      attributeNames: ["A", "B", "C"],
      normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      epoch: 2,
      step: 3,
      config: { epochs: 2, loss: "mse", optimizer: { name: "adamax", lr: 0.02 }, seed: 3 },
    });
    expect(meta.metrics.val_accuracy).toBeCloseTo(memResult.history[1]!.valAccuracy, 12);
  });
});

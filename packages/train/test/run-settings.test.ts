import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { RunDirectory } from "../src/run-directory";
import { memoryRunStorage } from "../src/run-storage";
import { resume, train } from "../src/train";
import { dataSource, syntheticData, tinyModel } from "./helpers";

const trainSet = syntheticData(32, 2, 1);

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("run.json settings", () => {
  it("keeps the caller's settings beside train's config, and resume replaces them", async () => {
    const storage = memoryRunStorage();
    const inputs = () => ({
      model: tinyModel({ numClasses: 2 }),
      trainData: dataSource(trainSet, 16, 7),
      storage,
      progress: false,
    });
    const first = inputs();
    await train({ ...first, runDir: "run", epochs: 1, settings: { data: "/d", backend: "wasm" } });
    const dir = new RunDirectory("run", storage);
    const saved = await dir.readConfig<Record<string, unknown>>();
    expect(saved).toMatchObject({ epochs: 1, settings: { data: "/d", backend: "wasm" } });
    const again = inputs();
    const result = await resume("run", {
      ...again,
      epochs: 2,
      settings: { data: "/d", backend: "cpu" },
    });
    expect(result.history.map((r) => r.epoch)).toEqual([1, 2]);
    expect(await dir.readConfig()).toMatchObject({
      epochs: 2,
      settings: { data: "/d", backend: "cpu" },
    });
    first.model.dispose();
    again.model.dispose();
  });
});

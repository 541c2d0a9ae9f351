import { getAccuracy, perAttributeAccuracy } from "@celeba/metrics";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { dataSource, syntheticData, tinyModel } from "../test/helpers";
import type { Batch } from "./batch";
import { BatchShapeError } from "./errors";
import { evaluate } from "./evaluate";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("evaluate", () => {
  const data = syntheticData(20, 4, 5);
  it("matches a direct forward pass: scores, MSE, accuracy and per-attribute accuracy at threshold 0", async () => {
    const model = tinyModel({ numClasses: 4 });
    const before = tf.memory().numTensors;
    const r = await evaluate(model, dataSource(data, 6, 0, false));
    expect(tf.memory().numTensors).toBe(before);
    const x = tf.tensor4d(data.images, [20, data.size, data.size, 3]);
    const s = model.apply(x, { training: false });
    const direct = s.dataSync();
    expect(Array.from(r.scores)).toEqual(Array.from(direct));
    let se = 0;
    direct.forEach((v, i) => {
      se += (v - (data.labels[i] as number)) ** 2;
    });
    expect(r.loss).toBeCloseTo(se / direct.length, 6);
    const m = (d: Float32Array) => ({ data: d, shape: [20, 4] });
    expect(r.accuracy).toBe(getAccuracy(m(r.scores), m(data.labels)));
    expect(r.perAttributeAccuracy).toEqual(perAttributeAccuracy(m(r.scores), m(data.labels)));
    expect([r.count, r.numClasses, r.ids.length]).toEqual([20, 4, 20]);
    expect(r.ids.slice(0, 2)).toEqual(["img0", "img1"]);
    tf.dispose([x, s]);
    model.dispose();
  });

  it("accepts plain iterables and a custom loss; does not touch BN running stats", async () => {
    const model = tinyModel({ numClasses: 4 });
    const batches = [...((await collect(dataSource(data, 10, 0, false)(0, 0))) as Batch[])];
    const sdBefore = model.stateDict();
    const r = await evaluate(model, batches, { loss: "l1" });
    expect(r.count).toBe(20);
    expect(model.stateDict()).toEqual(sdBefore);
    model.dispose();
  });

  it("rejects empty data and inconsistent batches with BatchShapeError", async () => {
    const model = tinyModel({ numClasses: 4 });
    await expect(evaluate(model, [])).rejects.toThrow(/yielded no batches/);
    const bad: Batch = {
      images: new Float32Array(5),
      shape: [1, 2, 2, 3],
      labels: new Float32Array(4),
      ids: ["x"],
    };
    await expect(evaluate(model, [bad])).rejects.toThrow(BatchShapeError);
    model.dispose();
  });
});

async function collect<T>(it: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

import { readFileSync } from "node:fs";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidOptionError } from "./errors";
import { bceWithLogitsLoss, type LossName, l1Loss, lossByName, mseLoss } from "./losses";

interface LossCase {
  name: string;
  shape: [number, number];
  scores: number[];
  targets: number[];
  [key: string]: unknown;
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/losses.json", import.meta.url), "utf8"),
) as {
  cases: LossCase[];
};

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("losses vs torch.nn (fixtures/losses.json)", () => {
  const fns = { mse: mseLoss, l1: l1Loss, bce: bceWithLogitsLoss } as const;
  for (const c of fixture.cases) {
    for (const key of ["mse", "l1", "bce"] as const) {
      it(`${key} on ${c.name}: value and gradient within 1e-6`, () => {
        const s = tf.tensor2d(c.scores, c.shape);
        const t = tf.tensor2d(c.targets, c.shape);
        const value = fns[key](s, t);
        const grad = tf.grad((x: tf.Tensor) => fns[key](x, t))(s);
        expect(Math.abs((value.dataSync()[0] as number) - (c[key] as number))).toBeLessThan(1e-6);
        const expected = c[`${key}_grad`] as number[];
        const got = grad.dataSync();
        for (let i = 0; i < expected.length; i++)
          expect(Math.abs((got[i] as number) - expected[i]!)).toBeLessThan(1e-6);
        tf.dispose([s, t, value, grad]);
      });
    }
  }

  it("bce stays finite for huge logits (stable form)", () => {
    const v = bceWithLogitsLoss(tf.tensor2d([[1000, -1000]]), tf.tensor2d([[1, -1]]));
    expect(v.dataSync()[0]).toBe(0);
    const w = bceWithLogitsLoss(tf.tensor2d([[-1000]]), tf.tensor2d([[1]]));
    expect(w.dataSync()[0]).toBeCloseTo(1000, 3);
  });
});

describe("lossByName", () => {
  it("maps names to functions", () => {
    expect(lossByName("mse")).toBe(mseLoss);
    expect(lossByName("l1")).toBe(l1Loss);
    expect(lossByName("bce")).toBe(bceWithLogitsLoss);
  });
  it("rejects unknown names listing the valid ones", () => {
    expect(() => lossByName("hinge" as LossName)).toThrow(InvalidOptionError);
    expect(() => lossByName("hinge" as LossName)).toThrow(/"mse", "l1", "bce"/);
  });
});

describe("loss tensor hygiene", () => {
  it.each(["mse", "l1", "bce"] as const)("%s leaks nothing but its result", (name) => {
    const s = tf.randomNormal([4, 3]);
    const t = tf.sign(tf.randomNormal([4, 3]));
    const before = tf.memory().numTensors;
    const v = lossByName(name)(s, t);
    expect(tf.memory().numTensors).toBe(before + 1);
    v.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s, t]);
  });
});

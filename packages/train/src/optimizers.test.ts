import { readFileSync } from "node:fs";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Adam } from "./adam";
import { Adamax } from "./adamax";
import { createOptimizer, type OptimizerConfig } from "./create-optimizer";
import { InvalidOptionError } from "./errors";
import { SGD } from "./sgd";
import type { TorchOptimizer } from "./torch-optimizer";

interface Run {
  config: Record<string, unknown>;
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  after: number[][][];
  state: Record<string, number | number[]>[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/optimizers.json", import.meta.url), "utf8"),
) as Record<"adamax" | "adam" | "sgd", Run[]>;

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** torch kwargs (snake_case) -> our config. */
function toConfig(name: "adamax" | "adam" | "sgd", c: Record<string, unknown>): OptimizerConfig {
  const out: Record<string, unknown> = { name };
  for (const [k, v] of Object.entries(c)) out[k === "weight_decay" ? "weightDecay" : k] = v;
  return out as unknown as OptimizerConfig;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe.each(["adamax", "adam", "sgd"] as const)(
  "%s vs torch.optim (fixtures/optimizers.json)",
  (name) => {
    fixture[name].forEach((run, r) => {
      it(`config ${r} ${JSON.stringify(run.config)}: ${run.grads.length} steps incl. a zero gradient within 1e-6`, () => {
        const params = run.shapes.map((s, i) =>
          tf.tidy(() => tf.variable(tf.tensor(run.init[i]!, s))),
        );
        const opt = createOptimizer(toConfig(name, run.config));
        run.grads.forEach((stepGrads, step) => {
          const grads = Object.fromEntries(
            params.map((p, i) => [p.name, tf.tensor(stepGrads[i]!, run.shapes[i])]),
          );
          opt.applyGradients(grads);
          tf.dispose(grads);
          params.forEach((p, i) => {
            expect(
              maxAbsDiff(p.dataSync(), run.after[step]![i]!),
              `step ${step} param ${i}`,
            ).toBeLessThan(1e-6);
          });
        });
        const names = new Map(params.map((p, i) => [p.name, `p${i}`]));
        const state = opt.getState(names);
        run.state.forEach((st, i) => {
          for (const [k, v] of Object.entries(st)) {
            const got = state.get(`p${i}.${k}`);
            expect(got, `state p${i}.${k}`).toBeDefined();
            expect(maxAbsDiff(got!.data as Float32Array, Array.isArray(v) ? v : [v])).toBeLessThan(
              1e-6,
            );
          }
        });
        opt.dispose();
        tf.dispose(params);
      });
    });

    it("getState/setState round-trips so a restored optimizer continues identically", () => {
      const run = fixture[name][fixture[name].length - 1]!;
      const start = tf.memory().numTensors;
      const a = run.shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(run.init[i]!, s))));
      const b = run.shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(run.init[i]!, s))));
      const optA = createOptimizer(toConfig(name, run.config));
      const step = (opt: TorchOptimizer, params: tf.Variable[], k: number) => {
        const grads = Object.fromEntries(
          params.map((p, i) => [p.name, tf.tensor(run.grads[k]![i]!, run.shapes[i])]),
        );
        opt.applyGradients(grads);
        tf.dispose(grads);
      };
      for (let k = 0; k < 3; k++) step(optA, a, k);
      const state = optA.getState(new Map(a.map((p, i) => [p.name, `w${i}`])));
      b.forEach((p, i) => {
        p.assign(a[i]!);
      });
      const optB = createOptimizer(toConfig(name, run.config));
      optB.setState(state, new Map(b.map((p, i) => [p.name, `w${i}`])));
      for (let k = 3; k < run.grads.length; k++) {
        step(optA, a, k);
        step(optB, b, k);
      }
      a.forEach((p, i) => {
        expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(p.dataSync()));
      });
      optA.dispose();
      optB.dispose();
      tf.dispose([...a, ...b]);
      expect(tf.memory().numTensors).toBe(start);
    });

    it("applyGradients and dispose leak no tensors", () => {
      const before = tf.memory().numTensors;
      const w = tf.tidy(() => tf.variable(tf.randomNormal([3, 2])));
      const opt = createOptimizer({
        name,
        momentum: name === "sgd" ? 0.9 : undefined,
      } as OptimizerConfig);
      const g = tf.onesLike(w);
      opt.applyGradients({ [w.name]: g });
      const afterFirst = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) opt.applyGradients({ [w.name]: g });
      expect(tf.memory().numTensors).toBe(afterFirst);
      opt.dispose();
      tf.dispose([w, g]);
      expect(tf.memory().numTensors).toBe(before);
    });
  },
);

describe("prepareState (the optimizer state made before the first step)", () => {
  for (const config of [
    { name: "adamax" },
    { name: "adam" },
    { name: "adam", amsgrad: true },
    { name: "sgd", momentum: 0.9 },
  ] as OptimizerConfig[]) {
    it(`${JSON.stringify(config)}: same updates bit for bit, no state exported before an update, no leak`, () => {
      const start = tf.memory().numTensors;
      const init = [
        tf.tensor2d([
          [0.5, -1.25],
          [2, 0.125],
        ]),
        tf.tensor1d([3, -0.75]),
      ];
      const grads = [
        tf.tensor2d([
          [0.1, -0.2],
          [0.3, 0],
        ]),
        tf.tensor1d([-1, 0.5]),
      ];
      const run = (prepare: boolean) => {
        const params = init.map((t) => tf.tidy(() => tf.variable(t.clone())));
        const opt = createOptimizer(config);
        if (prepare) {
          opt.prepareState(params);
          opt.prepareState(params); // a second call adds nothing
          expect(opt.getState().size).toBe(0);
          expect(opt.iterations).toBe(0);
        }
        for (let step = 0; step < 3; step++) {
          opt.applyGradients(Object.fromEntries(params.map((p, i) => [p.name, grads[i]!])));
        }
        const values = params.map((p) => Array.from(p.dataSync()));
        const state = [...opt.getState().entries()].map(([k, v]) => [
          k.slice(k.indexOf(".")),
          Array.from(v.data as Float32Array),
        ]);
        opt.dispose();
        tf.dispose(params);
        return { values, state };
      };
      const lazy = run(false);
      const prepared = run(true);
      expect(prepared.values).toEqual(lazy.values);
      expect(prepared.state).toEqual(lazy.state);
      tf.dispose([...init, ...grads]);
      expect(tf.memory().numTensors).toBe(start);
    });
  }

  it("discardPreparedState frees the state of parameters that were never updated", () => {
    const w = tf.variable(tf.ones([4]));
    const v = tf.variable(tf.ones([2]));
    const opt = new Adamax();
    const g = tf.ones([4]);
    opt.applyGradients({ [w.name]: g });
    const updated = tf.memory().numTensors;
    opt.prepareState([w, v]);
    expect(tf.memory().numTensors).toBe(updated + 2);
    opt.discardPreparedState();
    expect(tf.memory().numTensors).toBe(updated);
    expect([...opt.getState().keys()]).toEqual([
      `${w.name}.step`,
      `${w.name}.exp_avg`,
      `${w.name}.exp_inf`,
    ]);
    opt.dispose();
    tf.dispose([w, v, g]);
  });
});

describe("optimizer API", () => {
  it("minimize() works through tf.Optimizer", () => {
    const w = tf.variable(tf.scalar(3));
    const opt = new Adamax({ lr: 0.1 });
    for (let i = 0; i < 50; i++) opt.minimize(() => tf.square(w) as tf.Scalar);
    expect(Math.abs(w.dataSync()[0] as number)).toBeLessThan(0.5);
    expect(opt.iterations).toBe(50);
    opt.dispose();
    w.dispose();
  });

  it("skips parameters whose gradient is missing (torch's grad is None)", () => {
    const w = tf.variable(tf.ones([2]));
    const v = tf.variable(tf.ones([2]));
    const opt = new Adam();
    const g = tf.ones([2]);
    opt.applyGradients({ [w.name]: g });
    expect(Array.from(v.dataSync())).toEqual([1, 1]);
    expect(opt.getState().has(`${v.name}.step`)).toBe(false);
    expect(opt.getState().get(`${w.name}.step`)?.data[0]).toBe(1);
    opt.dispose();
    tf.dispose([w, v, g]);
  });

  it("getWeights/setWeights round-trip", async () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const opt = new SGD({ lr: 0.1, momentum: 0.9 });
    const g = tf.tensor1d([0.5, -1, 2]);
    opt.applyGradients({ [w.name]: g });
    const weights = await opt.getWeights();
    const opt2 = new SGD({ lr: 0.1, momentum: 0.9 });
    await opt2.setWeights(weights);
    expect(opt2.iterations).toBe(1);
    expect(
      Array.from(opt2.getState().get(`${w.name}.momentum_buffer`)!.data as Float32Array),
    ).toEqual([0.5, -1, 2]);
    tf.dispose(weights.map((x) => x.tensor));
    opt.dispose();
    opt2.dispose();
    tf.dispose([w, g]);
  });

  it("is registered with tf.serialization under a distinct class name", () => {
    const opt = new Adamax({ lr: 0.01 });
    expect(Adamax.className).toBe("TorchAdamax");
    expect(opt.getConfig()).toMatchObject({
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
    });
    const copy = tf.serialization.SerializationMap.getMap().classNameMap.TorchAdamax;
    expect(copy?.[0]).toBe(Adamax);
  });

  it("createOptimizer validates names and hyper-parameters", () => {
    expect(() => createOptimizer({ name: "adamw" } as unknown as OptimizerConfig)).toThrow(
      /Valid choices: "adamax", "adam", "sgd"/,
    );
    expect(() => createOptimizer({ name: "adamax", lr: -1 })).toThrow(InvalidOptionError);
    expect(() => createOptimizer({ name: "adam", betas: [1, 0.9] })).toThrow(/adam\.betas\[0\]/);
    expect(() => createOptimizer({ name: "sgd", nesterov: true })).toThrow(/momentum > 0/);
    expect(() =>
      createOptimizer({ name: "sgd", lr: 0.1, learningRate: 1 } as OptimizerConfig),
    ).toThrow(/learningRate/);
    expect(createOptimizer({ name: "adamax" })).toBeInstanceOf(Adamax);
    expect(createOptimizer({ name: "adam" })).toBeInstanceOf(Adam);
  });

  it("setState rejects state for parameters that are not trained", () => {
    const opt = new Adamax();
    const sd = new Map([
      ["layer1.weight.step", { dtype: "float32" as const, shape: [], data: new Float32Array([1]) }],
    ]);
    expect(() => opt.setState(sd, new Map())).toThrow(/not being trained/);
  });
});

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers no gradients by itself (@tensorflow/tfjs and tfjs-node do).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { maxAbs, maxAbsDiff } from "../../test/golden-input";
import { RESNET18_MINI } from "../../test/resnet18-mini";
import { InvalidInputError, InvalidOptionError, StateDictMismatchError } from "../model-errors";
import type { StateDict } from "../weights/state-dict";
import { ARCH_NAMES, ARCHITECTURES, type ResNetSpec } from "./architectures";
import { createModel, resnext_tiny, resolveOptions } from "./factories";
import { type FreezeSpec, RESNET_CHILDREN } from "./freeze";
import { plannedStateDictShapes } from "./resnet";
import type { ResNetModel } from "./resnet-model";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures");
const DEFAULTS = resolveOptions({});

const models: ResNetModel[] = [];
function tiny(options: Parameters<typeof resnext_tiny>[0] = {}): ResNetModel {
  const m = resnext_tiny(options);
  models.push(m);
  return m;
}

function image(n = 2, h = 40, w = 32): tf.Tensor4D {
  return tf.tidy(() => tf.sin(tf.reshape(tf.range(0, n * h * w * 3), [n, h, w, 3])) as tf.Tensor4D);
}

function mse(model: ResNetModel, x: tf.Tensor4D): tf.Scalar {
  return tf.mean(tf.square(model.apply(x, { training: true }))) as tf.Scalar;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
});

describe("architectures vs torchvision", () => {
  const shapes = JSON.parse(readFileSync(join(FIXTURES, "arch-shapes.json"), "utf8")) as Record<
    string,
    { keys: number; parameters: number; sha256: string }
  >;
  const specs: [string, ResNetSpec][] = [
    ...ARCH_NAMES.map((a) => [a, ARCHITECTURES[a]] as [string, ResNetSpec]),
    ["resnet18_mini", RESNET18_MINI],
  ];
  it.each(specs)("%s has torchvision's state_dict keys, order and shapes", (arch, spec) => {
    const planned = plannedStateDictShapes(spec, DEFAULTS);
    const text = [...planned].map(([k, s]) => `${k}\t${s.join(",")}\n`).join("");
    const ref = shapes[arch]!;
    expect(planned.size).toBe(ref.keys);
    let params = 0;
    for (const [k, s] of planned) {
      if (!/running_|num_batches/.test(k)) params += s.reduce((a, b) => a * b, 1);
    }
    expect(params).toBe(ref.parameters);
    expect(createHash("sha256").update(text).digest("hex")).toBe(ref.sha256);
  });
});

describe("createModel and options", () => {
  it("validates arch, listing the valid choices", () => {
    expect(() => createModel({ arch: "resnet9" as never })).toThrow(InvalidOptionError);
    expect(() => createModel({ arch: "resnet9" as never })).toThrow(
      /resnet18, resnet34, .*resnext50_32x4d, .*resnext_tiny/,
    );
  });
  it("validates options by name", () => {
    expect(() => tiny({ numClasses: 0 })).toThrow(/numClasses/);
    expect(() => tiny({ groupedConvImpl: "fast" as never })).toThrow(/auto, split, depthwise/);
    expect(() => tiny({ numClass: 3 } as never)).toThrow(/option name: "numClass"/);
    expect(() => tiny({ seed: 1.5 })).toThrow(/seed/);
  });
  it("is deterministic per seed and differs across seeds", () => {
    const a = tiny({ seed: 3 }).stateDict().get("layer1.0.conv2.weight")!.data;
    const b = tiny({ seed: 3 }).stateDict().get("layer1.0.conv2.weight")!.data;
    const c = tiny({ seed: 4 }).stateDict().get("layer1.0.conv2.weight")!.data;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it("initialises like torchvision (kaiming fan_out convs, BN 1/0, Linear bounds)", () => {
    const m = createModel({ arch: "resnet18", seed: 1 });
    const sd = m.stateDict();
    models.push(m);
    const w = sd.get("layer4.1.conv2.weight")!.data as Float32Array;
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / (512 * 9)), 3);
    expect([...(sd.get("bn1.weight")!.data as Float32Array)].every((v) => v === 1)).toBe(true);
    expect([...(sd.get("bn1.bias")!.data as Float32Array)].every((v) => v === 0)).toBe(true);
    const fc = sd.get("fc.weight")!.data as Float32Array;
    const bound = 1 / Math.sqrt(512);
    const fcMax = fc.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(fcMax).toBeLessThanOrEqual(bound);
    expect(fcMax).toBeGreaterThan(0.99 * bound);
  });
  it("accepts any input size and returns [N, numClasses]; includeTop false gives features", () => {
    const x = image(2, 45, 37);
    const y = tiny({ numClasses: 40 }).apply(x, { training: false });
    expect(y.shape).toEqual([2, 40]);
    const f = tiny({ includeTop: false });
    expect(f.numClasses).toBeNull();
    const feats = f.apply(x, { training: false });
    expect(feats.shape).toEqual([2, 256]);
    expect([...f.namedParameters().keys()].some((k) => k.startsWith("fc."))).toBe(false);
    tf.dispose([x, y, feats]);
  });
  it("rejects NCHW and non-float input with a fix", () => {
    const m = tiny();
    const nchw = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    expect(() => m.apply(nchw, { training: false })).toThrow(InvalidInputError);
    expect(() => m.apply(nchw, { training: false })).toThrow(/transpose\(\[0, 2, 3, 1\]\)/);
    const ints = tf.zeros([1, 32, 32, 3], "int32") as tf.Tensor4D;
    expect(() => m.apply(ints, { training: false })).toThrow(/float32/);
    tf.dispose([nchw, ints]);
  });
});

describe("BatchNorm modes", () => {
  it("training uses batch stats and updates running stats (momentum 0.1, unbiased var)", () => {
    const m = tiny();
    const x = image(3, 20, 16);
    // bn1 sees conv1's output directly: recompute its batch statistics independently.
    const conv = tf.conv2d(x, m.namedParameters().get("conv1.weight") as tf.Tensor4D, 2, 3);
    const flat = tf.reshape(conv, [-1, 8]);
    const n = flat.shape[0];
    const mean = tf.mean(flat, 0).dataSync();
    const varB = tf.moments(flat, 0).variance.dataSync();
    const y = m.apply(x, { training: true });
    const b = m.namedBuffers();
    const rm = b.get("bn1.running_mean")!.dataSync();
    const rv = b.get("bn1.running_var")!.dataSync();
    for (let c = 0; c < 8; c++) {
      expect(rm[c]).toBeCloseTo(0.1 * mean[c]!, 5);
      expect(rv[c]).toBeCloseTo(0.9 + (0.1 * varB[c]! * n) / (n - 1), 5);
    }
    expect(b.get("bn1.num_batches_tracked")!.dataSync()[0]).toBe(1);
    tf.dispose([x, conv, flat, y]);
  });
  it("eval mode leaves running stats alone and depends on running stats only", () => {
    const m = tiny();
    const x = image(2, 32, 32);
    const before = m.stateDict();
    const y1 = m.apply(x, { training: false });
    const y2 = tf.tidy(() => m.apply(tf.slice(x, [0], [1]), { training: false }));
    const after = m.stateDict();
    for (const [k, t] of before) expect(after.get(k)!.data, k).toEqual(t.data);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync().slice(0, 1000)));
    tf.dispose([x, y1, y2]);
  });
  it("refuses training with one value per channel, like PyTorch", () => {
    const x = tf.zeros([1, 1, 1, 3]) as tf.Tensor4D;
    expect(() => tiny().apply(x, { training: true })).toThrow(/more than 1 value per channel/);
    x.dispose();
  });
});

describe("freezing", () => {
  it("freeze(6) freezes conv1, bn1, layer1, layer2 (the paper's first 6 children)", () => {
    const m = tiny();
    const frozen = m.freeze(6);
    expect(frozen.length).toBeGreaterThan(0);
    expect(frozen.every((k) => /^(conv1|bn1|layer1|layer2)\./.test(k))).toBe(true);
    const trainable = [...m.trainableVariables().keys()];
    expect(trainable.every((k) => /^(layer3|layer4|fc)\./.test(k))).toBe(true);
    expect(trainable.length + frozen.length).toBe(m.namedParameters().size);
    expect(RESNET_CHILDREN.slice(0, 6)).toEqual([
      "conv1",
      "bn1",
      "relu",
      "maxpool",
      "layer1",
      "layer2",
    ]);
  });
  it("frozen parameters get no gradient; the others do", () => {
    const m = tiny();
    m.freeze({ prefixes: ["conv1", "bn1", "layer1", "layer2", "layer3.0.conv1"] });
    const x = image(2, 32, 32);
    const names = new Map([...m.namedParameters()].map(([k, v]) => [v.name, k]));
    // No var list: tfjs differentiates every trainable variable, so frozen ones must be skipped.
    const { value, grads } = tf.variableGrads(() => mse(m, x));
    const keys = Object.keys(grads)
      .map((n) => names.get(n))
      .filter((k) => k !== undefined);
    expect(keys.sort()).toEqual([...m.trainableVariables().keys()].sort());
    expect(keys).not.toContain("layer3.0.conv1.weight");
    expect(keys).toContain("layer3.0.bn1.weight");
    tf.dispose([x, value, ...Object.values(grads)]);
    m.unfreeze();
    expect(m.trainableVariables().size).toBe(m.namedParameters().size);
  });
  it("frozen BN still updates running stats in training (PyTorch), unless freezeBatchNormStats", () => {
    const x = image(2, 32, 32);
    for (const freezeStats of [false, true]) {
      const m = tiny({ freezeBatchNormStats: freezeStats });
      m.freeze(6);
      tf.dispose(m.apply(x, { training: true }));
      const b = m.namedBuffers();
      const frozenCount = b.get("layer1.0.bn1.num_batches_tracked")!.dataSync()[0];
      const liveCount = b.get("layer3.0.bn1.num_batches_tracked")!.dataSync()[0];
      expect(frozenCount).toBe(freezeStats ? 0 : 1);
      expect(liveCount).toBe(1);
    }
    x.dispose();
  });
  it("validates freeze specs", () => {
    const m = tiny();
    expect(() => m.freeze(11)).toThrow(/0 to 10/);
    expect(() => m.freeze({ prefixes: ["layer5"] })).toThrow(/layer5/);
    expect(m.freeze({ prefixes: ["relu"] })).toEqual([]);
  });
});

/**
 * Gradients, loss, BN buffers and the tensor bytes alive at the loss after one differentiated
 * training-mode forward of a fresh resnext_tiny, at an input large enough that the early
 * layers' activations dominate what the tape keeps.
 */
function trainingSnapshot(options: Parameters<typeof resnext_tiny>[0], freeze: FreezeSpec | null) {
  const m = tiny(options);
  if (freeze !== null) m.freeze(freeze);
  const x = image(2, 96, 80);
  const vars = [...m.trainableVariables().values()];
  let bytesAtLoss = 0;
  const before = tf.memory().numBytes;
  const { value, grads } = tf.variableGrads(() => {
    const loss = mse(m, x);
    bytesAtLoss = tf.memory().numBytes - before;
    return loss;
  }, vars);
  const byKey = new Map(
    [...m.trainableVariables()].map(([k, v]) => [k, Float32Array.from(grads[v.name]!.dataSync())]),
  );
  const buffers = new Map(
    [...m.namedBuffers()].map(([k, v]) => [k, Float32Array.from(v.dataSync())]),
  );
  const loss = value.dataSync()[0]!;
  tf.dispose([x, value, ...Object.values(grads)]);
  return { byKey, buffers, loss, bytesAtLoss };
}

describe("frozen leading layers run without a gradient tape (recordFrozenLayers: false)", () => {
  const run = (record: boolean, freeze: FreezeSpec) =>
    trainingSnapshot({ seed: 3, recordFrozenLayers: record }, freeze);

  for (const freeze of [6, { prefixes: ["conv1", "bn1", "layer1", "layer2", "layer3.0"] }]) {
    it(`gives the same gradients and BN statistics as recording them (freeze ${JSON.stringify(freeze)})`, () => {
      const recorded = run(true, freeze);
      const skipped = run(false, freeze);
      expect(skipped.loss).toBe(recorded.loss);
      expect([...skipped.byKey.keys()]).toEqual([...recorded.byKey.keys()]);
      for (const [k, g] of recorded.byKey) {
        expect(maxAbsDiff(skipped.byKey.get(k)!, g), k).toBeLessThanOrEqual(
          1e-6 * Math.max(maxAbs(g), 1),
        );
      }
      for (const [k, b] of recorded.buffers) expect(skipped.buffers.get(k), k).toEqual(b);
      // The frozen stem and layers keep nothing for the backward pass.
      expect(skipped.bytesAtLoss).toBeLessThan(recorded.bytesAtLoss * 0.7);
    });
  }

  it("refuses a gradient through the frozen layers with a fix, and gives it when recording", () => {
    const x = image(2, 32, 32);
    const m = tiny();
    m.freeze(6);
    const inputGrad = () => tf.grad((a: tf.Tensor) => mse(m, a as tf.Tensor4D))(x);
    expect(inputGrad).toThrow(InvalidOptionError);
    expect(inputGrad).toThrow(
      /recordFrozenLayers = true.*layer2\.0|layer2\.0.*recordFrozenLayers = true/s,
    );
    // The same weights (same seed), recorded.
    const recording = tiny({ recordFrozenLayers: true });
    recording.freeze(6);
    const g = tf.grad((a: tf.Tensor) => mse(recording, a as tf.Tensor4D))(x);
    expect(g.shape).toEqual(x.shape);
    expect(maxAbs(g.dataSync())).toBeGreaterThan(0);
    tf.dispose([x, g]);
  });

  it("validates the option", () => {
    expect(() => resnext_tiny({ recordFrozenLayers: "yes" as unknown as boolean })).toThrow(
      /recordFrozenLayers/,
    );
  });
});

describe("checkpointBlocks: trainable blocks re-run their forward pass in the backward pass", () => {
  const run = (checkpointBlocks: boolean, freeze: FreezeSpec | null) =>
    trainingSnapshot({ seed: 4, checkpointBlocks }, freeze);

  for (const freeze of [6, null]) {
    it(`gives the same gradients and BN statistics, counted once (freeze ${freeze})`, () => {
      const plain = run(false, freeze);
      const checkpointed = run(true, freeze);
      expect(checkpointed.loss).toBe(plain.loss);
      expect([...checkpointed.byKey.keys()]).toEqual([...plain.byKey.keys()]);
      for (const [k, g] of plain.byKey) {
        expect(maxAbsDiff(checkpointed.byKey.get(k)!, g), k).toBeLessThanOrEqual(
          1e-5 * Math.max(maxAbs(g), 1),
        );
      }
      for (const [k, b] of plain.buffers) expect(checkpointed.buffers.get(k), k).toEqual(b);
      expect(checkpointed.bytesAtLoss).toBeLessThan(plain.bytesAtLoss);
    });
  }

  it("leaks no tensors over training steps, frozen or not", () => {
    const x = image(2, 32, 32);
    for (const freeze of [6, 0]) {
      const m = tiny({ checkpointBlocks: true });
      m.freeze(freeze);
      const before = tf.memory().numTensors;
      for (let step = 0; step < 3; step++) {
        const { value, grads } = tf.variableGrads(() => mse(m, x));
        tf.dispose([value, ...Object.values(grads)]);
      }
      expect(tf.memory().numTensors).toBe(before);
    }
    x.dispose();
  });

  it("validates the option", () => {
    expect(() => resnext_tiny({ checkpointBlocks: 1 as unknown as boolean })).toThrow(
      /checkpointBlocks/,
    );
  });
});

describe("stateDict / loadStateDict", () => {
  it("round-trips in torchvision layout (OIHW conv, [out, in] fc, int64 counter)", () => {
    const a = tiny({ seed: 1, numClasses: 5 });
    const b = tiny({ seed: 2, numClasses: 5 });
    const sd = a.stateDict();
    expect(sd.get("layer2.0.conv2.weight")!.shape).toEqual([16, 4, 3, 3]);
    expect(sd.get("fc.weight")!.shape).toEqual([5, 256]);
    expect(sd.get("bn1.num_batches_tracked")).toEqual({
      dtype: "int64",
      shape: [],
      data: BigInt64Array.of(0n),
    });
    const result = b.loadStateDict(sd);
    expect(result).toEqual({ missing: [], unexpected: [], reinitialized: [], warnings: [] });
    const x = image(1, 32, 32);
    const ya = a.apply(x, { training: false });
    const yb = b.apply(x, { training: false });
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yb]);
  });
  it("reports missing, unexpected and mismatched keys by name in one error, loading nothing", () => {
    const m = tiny({ numClasses: 5 });
    const sd: StateDict = new Map(m.stateDict());
    sd.delete("layer1.0.conv1.weight");
    sd.set("layer9.weight", { dtype: "float32", shape: [1], data: new Float32Array(1) });
    sd.set("bn1.bias", { dtype: "float32", shape: [9], data: new Float32Array(9) });
    sd.set("bn1.weight", { dtype: "float32", shape: [8], data: new Float32Array(8).fill(7) });
    let err: unknown;
    try {
      m.loadStateDict(sd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictMismatchError);
    const e = err as StateDictMismatchError;
    expect(e.missing).toEqual(["layer1.0.conv1.weight"]);
    expect(e.unexpected).toEqual(["layer9.weight"]);
    expect(e.shapeMismatches).toEqual([{ key: "bn1.bias", expected: [8], actual: [9] }]);
    expect(e.message).toMatch(/layer1\.0\.conv1\.weight.*layer9\.weight.*bn1\.bias/);
    expect(m.namedParameters().get("bn1.weight")!.dataSync()[0]).toBe(1);
  });
  it("non-strict loads what matches and reports the rest", () => {
    const m = tiny({ numClasses: 5 });
    const sd: StateDict = new Map(m.stateDict());
    sd.delete("fc.bias");
    sd.set("extra", { dtype: "float32", shape: [1], data: new Float32Array(1) });
    const r = m.loadStateDict(sd, { strict: false });
    expect(r.missing).toEqual(["fc.bias"]);
    expect(r.unexpected).toEqual(["extra"]);
    expect(r.warnings.length).toBe(2);
  });
  it("re-initialises a 1000-class head for numClasses 40 and says so", () => {
    const imagenet = tiny({ seed: 1 }).stateDict();
    const m = tiny({ numClasses: 40 });
    const r = m.loadStateDict(imagenet);
    expect(r.reinitialized).toEqual(["fc.weight", "fc.bias"]);
    expect(r.warnings[0]).toMatch(/fc\.weight is \[1000, 256\].*numClasses=40.*re-initialised/);
    const sd = m.stateDict();
    expect(sd.get("fc.weight")!.shape).toEqual([40, 256]);
    expect(sd.get("layer4.0.conv2.weight")!.data).toEqual(
      imagenet.get("layer4.0.conv2.weight")!.data,
    );
    const fc = sd.get("fc.weight")!.data as Float32Array;
    expect(fc.reduce((a, v) => Math.max(a, Math.abs(v)), 0)).toBeLessThanOrEqual(1 / 16);
    expect(() => m.loadStateDict(imagenet, { reinitializeHead: false })).toThrow(/fc\.weight/);
  });
  it("tolerates files without num_batches_tracked (old torchvision weights)", () => {
    const m = tiny();
    const sd = new Map([...m.stateDict()].filter(([k]) => !k.endsWith("num_batches_tracked")));
    expect(m.loadStateDict(sd).missing).toEqual([]);
  });
  it("ignores fc.* with a warning when built without the head", () => {
    const sd = tiny().stateDict();
    const r = tiny({ includeTop: false }).loadStateDict(sd);
    expect(r.warnings[0]).toMatch(/ignored fc\.weight, fc\.bias/);
  });
  it("converts float64 and float16-decoded tensors", () => {
    const m = tiny({ numClasses: 2 });
    const sd: StateDict = new Map(m.stateDict());
    sd.set("fc.bias", { dtype: "float64", shape: [2], data: Float64Array.of(0.5, -2) });
    m.loadStateDict(sd);
    expect(Array.from(m.namedParameters().get("fc.bias")!.dataSync())).toEqual([0.5, -2]);
  });
});

describe("tensor hygiene", () => {
  it("apply (eval and train), gradients, stateDict, loadStateDict, freeze leak no tensors", () => {
    const x = image(2, 32, 32);
    const other = resnext_tiny({ numClasses: 7 });
    const otherSd = other.stateDict();
    other.dispose();
    const m = tiny({ numClasses: 3 });
    const before = tf.memory().numTensors;
    const y1 = m.apply(x, { training: false });
    const y2 = m.apply(x, { training: true });
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([y1, y2]);
    m.loadStateDict(m.stateDict());
    m.loadStateDict(otherSd);
    m.freeze(6);
    const { value, grads } = tf.variableGrads(() => mse(m, x));
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
  it("dispose releases every tensor a model created", () => {
    const before = tf.memory().numTensors;
    const m = createModel({ arch: "resnext_tiny" });
    expect(tf.memory().numTensors).toBe(before + m.namedParameters().size + m.namedBuffers().size);
    m.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => m.stateDict()).toThrow(/disposed/);
  });
});

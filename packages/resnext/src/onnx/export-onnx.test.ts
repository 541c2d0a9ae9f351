import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as ortWeb from "onnxruntime-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goldenInputNHWC, maxAbs, maxAbsDiff } from "../../test/golden-input";
import { nhwcToNchw, runOnnx } from "../../test/onnx-runtime";
import { RESNET18_MINI } from "../../test/resnet18-mini";
import { ARCH_NAMES, ARCHITECTURES, type ResNetSpec } from "../model/architectures";
import { createModel, resolveOptions } from "../model/factories";
import { buildResNet } from "../model/resnet";
import type { ResNetModel } from "../model/resnet-model";
import { InvalidOptionError } from "../model-errors";
import { readSafetensors } from "../weights/safetensors";
import type { StateDict } from "../weights/state-dict";
import { CorruptWeightsError } from "../weights-errors";
import { exportOnnx, IMAGENET_MEAN, IMAGENET_STD } from "./export-onnx";
import { modelProtoType } from "./onnx-schema";
import { readOnnxMetadata } from "./read-onnx-metadata";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures");

interface Golden {
  numClasses: number;
  eval: { inputShapeNCHW: [number, number, number, number]; output: number[] };
}

interface DecodedValue {
  name: string;
  type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: number }[] } } };
}

interface DecodedGraph {
  node: {
    name: string;
    opType: string;
    input: string[];
    output: string[];
    attribute: { name: string; i: number }[];
  }[];
  initializer: { name: string }[];
  input: DecodedValue[];
  output: DecodedValue[];
}

function decode(bytes: Uint8Array): {
  graph: DecodedGraph;
  opsetImport: { domain: string; version: number }[];
  irVersion: number;
} {
  const type = modelProtoType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: true }) as ReturnType<
    typeof decode
  >;
}

/** A value's dimensions: sizes, and names where symbolic. */
function dimsOf(value: DecodedValue): (string | number | undefined)[] {
  return value.type.tensorType.shape.dim.map((d) => d.dimParam || d.dimValue);
}

/** Replaces every BatchNorm's parameters and statistics with seeded values far from 1 and 0. */
function randomizeBatchNorm(model: ResNetModel, seed: number): void {
  const sd: StateDict = model.stateDict();
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const [key, t] of sd) {
    if (t.dtype !== "float32") continue;
    const fill = (f: () => number) => {
      const data = t.data as Float32Array;
      for (let i = 0; i < data.length; i++) data[i] = f();
    };
    if (key.endsWith(".running_var")) fill(() => 0.5 + rand());
    else if (key.endsWith(".running_mean")) fill(() => 0.2 * (rand() - 0.5));
    else if (/bn\d\.weight$|downsample\.1\.weight$/.test(key)) fill(() => 0.5 + 0.5 * rand());
    else if (/bn\d\.bias$|downsample\.1\.bias$/.test(key)) fill(() => 0.2 * (rand() - 0.5));
  }
  model.loadStateDict(sd);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe.each([
  { name: "resnext_tiny", spec: ARCHITECTURES.resnext_tiny as ResNetSpec },
  { name: "resnet18_mini", spec: RESNET18_MINI },
])("ONNX Runtime on the export vs torchvision: $name", ({ name, spec }) => {
  it("matches torchvision's eval-mode outputs within 2e-3", async () => {
    const golden = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as Golden;
    const model = buildResNet(name, spec, resolveOptions({ numClasses: golden.numClasses }));
    try {
      model.loadStateDict(await readSafetensors(join(FIXTURES, `${name}.safetensors`)));
      const [n, , h, w] = golden.eval.inputShapeNCHW;
      const bytes = await exportOnnx(model, { inputSize: { width: w, height: h } });
      const x = nhwcToNchw(goldenInputNHWC(n, h, w), n, h, w);
      const y = await runOnnx(bytes, x, [n, 3, h, w]);
      expect(y.dims).toEqual([n, golden.numClasses]);
      expect(maxAbs(golden.eval.output)).toBeGreaterThan(0.1);
      const diff = maxAbsDiff(y.data, golden.eval.output);
      console.info(`${name}: max |onnxruntime - torchvision| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(2e-3);
    } finally {
      model.dispose();
    }
  });
});

describe("ONNX Runtime on the export vs our tfjs outputs, every architecture at 40x32", () => {
  const [n, h, w] = [2, 32, 40];
  const nhwc = goldenInputNHWC(n, h, w);
  // wasm runs the big networks' forward passes several times faster than cpu.
  beforeAll(async () => {
    const wasmMain = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(`${dirname(wasmMain)}/`);
    await tf.setBackend("wasm");
  });
  afterAll(async () => {
    await tf.setBackend("cpu");
  });
  it.each(ARCH_NAMES)(
    "%s within 2e-3 of the output scale",
    async (arch) => {
      const model = createModel({ arch, numClasses: 10, seed: 5 });
      try {
        randomizeBatchNorm(model, 11);
        const ours = tf.tidy(() =>
          model.apply(tf.tensor4d(nhwc, [n, h, w, 3]), { training: false }).dataSync(),
        );
        const bytes = await exportOnnx(model, { inputSize: { width: w, height: h } });
        const y = await runOnnx(bytes, nhwcToNchw(nhwc, n, h, w), [n, 3, h, w]);
        const scale = Math.max(1, maxAbs(ours));
        const diff = maxAbsDiff(y.data, ours);
        console.info(
          `${arch}: max |onnxruntime - tfjs| = ${diff.toExponential(2)} (scale ${scale.toFixed(2)})`,
        );
        expect(maxAbs(ours)).toBeGreaterThan(0.01);
        expect(diff).toBeLessThanOrEqual(2e-3 * scale);
      } finally {
        model.dispose();
      }
      // The 101- and 152-layer nets on the cpu backend: minutes when CI runs every suite at once.
    },
    600_000,
  );
});

describe("graph validity (resnext_tiny)", () => {
  let model: ResNetModel;
  let bytes: Uint8Array;
  const size = { width: 24, height: 20 };
  beforeAll(async () => {
    model = createModel({ arch: "resnext_tiny", numClasses: 3, seed: 2 });
    randomizeBatchNorm(model, 3);
    bytes = await exportOnnx(model, {
      inputSize: size,
      attributeNames: ["Smiling", "Male", "Young"],
      metadata: { trained_on: "synthetic" },
    });
  });
  afterAll(() => model.dispose());

  it("uses every initializer, defines every value before use, and has no BatchNormalization", () => {
    const { graph, opsetImport, irVersion } = decode(bytes);
    expect(opsetImport).toEqual([{ domain: "", version: 13 }]);
    expect(irVersion).toBe(7);
    const defined = new Set([
      ...graph.input.map((i) => i.name),
      ...graph.initializer.map((i) => i.name),
    ]);
    const used = new Set<string>();
    for (const node of graph.node) {
      for (const i of node.input) {
        expect(defined.has(i), `${node.name} reads ${i} before it is defined`).toBe(true);
        used.add(i);
      }
      for (const o of node.output) defined.add(o);
    }
    const unused = graph.initializer.map((i) => i.name).filter((name) => !used.has(name));
    expect(unused).toEqual([]);
    expect(graph.output.map((o) => o.name)).toEqual(["output"]);
    expect(defined.has("output")).toBe(true);
    const ops = new Set(graph.node.map((node) => node.opType));
    expect([...ops].sort()).toEqual(
      ["Add", "Conv", "Flatten", "Gemm", "GlobalAveragePool", "MaxPool", "Relu"].sort(),
    );
    // One Conv per convolution of the state dict, each with its folded bias.
    const convKeys = [...model.stateDict().keys()].filter((k) =>
      /conv\d\.weight$|downsample\.0\.weight$/.test(k),
    );
    const convs = graph.node.filter((node) => node.opType === "Conv");
    expect(convs).toHaveLength(convKeys.length);
    for (const c of convs) expect(c.input).toHaveLength(3);
    const groups = convs.map((c) => c.attribute.find((a) => a.name === "group")?.i);
    expect(groups.filter((g) => g === 4)).toHaveLength(4); // each block's 3x3 is grouped
    expect(graph.node.at(-1)!.opType).toBe("Gemm");
  });

  it("declares NCHW input with a symbolic batch and fixed size, and records the metadata", () => {
    const { graph } = decode(bytes);
    const dims = dimsOf(graph.input[0]!);
    expect(dims).toEqual(["batch", 3, 20, 24]);
    const outDims = dimsOf(graph.output[0]!);
    expect(outDims).toEqual(["batch", 3]);
    const info = readOnnxMetadata(bytes);
    expect(info.producerName).toBe("@celeba/resnext");
    expect(info.opset).toBe(13);
    expect(info.metadata).toEqual({
      trained_on: "synthetic",
      architecture: "resnext_tiny",
      input_size: JSON.stringify(size),
      input_layout: "NCHW",
      normalization: "outside",
      normalization_mean: JSON.stringify(IMAGENET_MEAN),
      normalization_std: JSON.stringify(IMAGENET_STD),
      num_classes: "3",
      batch_norm: "folded",
      attribute_names: JSON.stringify(["Smiling", "Male", "Young"]),
    });
  });

  it("runs at batch 1 and 3, each row equal to that image alone", async () => {
    const { width: w, height: h } = size;
    const x3 = nhwcToNchw(goldenInputNHWC(3, h, w), 3, h, w);
    const y3 = await runOnnx(bytes, x3, [3, 3, h, w]);
    expect(y3.dims).toEqual([3, 3]);
    for (let i = 0; i < 3; i++) {
      const per = 3 * h * w;
      const y1 = await runOnnx(bytes, x3.slice(i * per, (i + 1) * per), [1, 3, h, w]);
      expect(y1.dims).toEqual([1, 3]);
      expect(maxAbsDiff(y1.data, y3.data.slice(i * 3, i * 3 + 3))).toBeLessThanOrEqual(1e-5);
    }
  });

  it("loads and runs in onnxruntime-web (wasm) in Node, matching onnxruntime-node", async () => {
    ortWeb.env.wasm.numThreads = 1;
    const { width: w, height: h } = size;
    const x = nhwcToNchw(goldenInputNHWC(2, h, w), 2, h, w);
    const session = await ortWeb.InferenceSession.create(bytes);
    try {
      const out = await session.run({ input: new ortWeb.Tensor("float32", x, [2, 3, h, w]) });
      const node = await runOnnx(bytes, x, [2, 3, h, w]);
      expect(out.output!.dims).toEqual([2, 3]);
      expect(maxAbsDiff(out.output!.data as Float32Array, node.data)).toBeLessThanOrEqual(1e-5);
    } finally {
      await session.release();
    }
  });

  it("with normalization 'baked' takes RGB in [0, 1] and equals 'outside' on normalised input", async () => {
    const { width: w, height: h } = size;
    const baked = await exportOnnx(model, { inputSize: size, normalization: "baked" });
    expect(readOnnxMetadata(baked).metadata.normalization).toBe("baked");
    const rgb = nhwcToNchw(goldenInputNHWC(2, h, w), 2, h, w).map((v) => (v + 1.5) / 3);
    const normalised = rgb.map((v, i) => {
      const c = Math.floor(i / (h * w)) % 3;
      return (v - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
    });
    const a = await runOnnx(baked, rgb, [2, 3, h, w]);
    const b = await runOnnx(bytes, normalised, [2, 3, h, w]);
    expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1e-4);
  });

  it("bakes and records a custom normalize: equals 'outside' on input normalised with it", async () => {
    const { width: w, height: h } = size;
    const normalize = { mean: [0.9, 0.1, 0.6], std: [0.1, 0.4, 0.05] };
    const baked = await exportOnnx(model, { inputSize: size, normalization: "baked", normalize });
    const outside = await exportOnnx(model, { inputSize: size, normalize });
    for (const m of [baked, outside]) {
      const { metadata } = readOnnxMetadata(m);
      expect(JSON.parse(metadata.normalization_mean!)).toEqual(normalize.mean);
      expect(JSON.parse(metadata.normalization_std!)).toEqual(normalize.std);
    }
    const rgb = nhwcToNchw(goldenInputNHWC(2, h, w), 2, h, w).map((v) => (v + 1.5) / 3);
    const normalised = rgb.map((v, i) => {
      const c = Math.floor(i / (h * w)) % 3;
      return (v - normalize.mean[c]!) / normalize.std[c]!;
    });
    const a = await runOnnx(baked, rgb, [2, 3, h, w]);
    const b = await runOnnx(bytes, normalised, [2, 3, h, w]);
    expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs(b.data)));
  });

  it("leaves a symbolic height and width with inputSize: null (any size runs)", async () => {
    const dynamic = await exportOnnx(model, { inputSize: null });
    const { graph } = decode(dynamic);
    const dims = dimsOf(graph.input[0]!);
    expect(dims).toEqual(["batch", 3, "height", "width"]);
    expect(readOnnxMetadata(dynamic).metadata.input_size).toBeUndefined();
    const ours = tf.tidy(() =>
      model
        .apply(tf.tensor4d(goldenInputNHWC(1, 30, 26), [1, 30, 26, 3]), { training: false })
        .dataSync(),
    );
    const y = await runOnnx(
      dynamic,
      nhwcToNchw(goldenInputNHWC(1, 30, 26), 1, 30, 26),
      [1, 3, 30, 26],
    );
    expect(maxAbsDiff(y.data, ours)).toBeLessThanOrEqual(2e-3 * Math.max(1, maxAbs(ours)));
  });

  it("exports a model without its head as pooled features", async () => {
    const trunk = createModel({ arch: "resnext_tiny", includeTop: false, seed: 2 });
    try {
      const features = await exportOnnx(trunk, { inputSize: size });
      const { graph } = decode(features);
      expect(graph.node.at(-1)!.opType).toBe("Flatten");
      const { width: w, height: h } = size;
      const nhwc = goldenInputNHWC(2, h, w);
      const ours = tf.tidy(() =>
        trunk.apply(tf.tensor4d(nhwc, [2, h, w, 3]), { training: false }).dataSync(),
      );
      const y = await runOnnx(features, nhwcToNchw(nhwc, 2, h, w), [2, 3, h, w]);
      expect(y.dims).toEqual([2, trunk.numFeatures]);
      expect(maxAbsDiff(y.data, ours)).toBeLessThanOrEqual(2e-3 * Math.max(1, maxAbs(ours)));
    } finally {
      trunk.dispose();
    }
  });

  it.each([
    [{ inputSize: { width: 0, height: 10 } }, "inputSize"],
    [{ normalization: "imagenet" }, "normalization"],
    [{ normalize: { mean: [0.5, 0.5, 0.5], std: [0.2, 0, 0.2] } }, "normalize"],
    [{ normalize: { mean: [0.5], std: [0.2] } }, "normalize"],
    [{ attributeNames: ["a", "b"] }, "attributeNames"],
    [{ metadata: { epochs: 3 } }, "metadata.epochs"],
    [{ opset: 17 }, "exportOnnx option"],
  ])("rejects %j, naming %s", async (options, field) => {
    const error = await exportOnnx(model, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(field);
  });

  it("readOnnxMetadata names the file when the bytes are not ONNX", () => {
    expect(() => readOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff, 1]), "x.onnx")).toThrow(
      CorruptWeightsError,
    );
    expect(() => readOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff, 1]), "x.onnx")).toThrow(
      /x\.onnx/,
    );
  });
});

describe.each(["cpu", "wasm"])("exportOnnx leaks no tensors (%s)", (backend) => {
  beforeAll(async () => {
    if (backend === "wasm") {
      const wasmMain = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
      setWasmPaths(`${dirname(wasmMain)}/`);
    }
    await tf.setBackend(backend);
  });
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("keeps the tensor count unchanged", async () => {
    const model = createModel({ arch: "resnext_tiny", numClasses: 4 });
    try {
      const before = tf.memory().numTensors;
      await exportOnnx(model, { inputSize: { width: 16, height: 16 } });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });
});

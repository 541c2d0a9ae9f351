import { assertOptionKeys } from "@celeba/internal";
import * as tf from "@tensorflow/tfjs-core";
import { foldBatchNorm } from "../kernels/fused-inference";
import { type BlockOps, blockForward, blockLayers, type ConvBnLayout } from "../model/block";
import { BN_EPS } from "../model/conv-bn";
import { networkLayout } from "../model/layout";
import type { ResNetModel } from "../model/resnet-model";
import { InvalidOptionError } from "../model-errors";
import { floatValueInfo, OnnxGraphBuilder } from "./onnx-graph-builder";
import { modelProtoType } from "./onnx-schema";

/** Where input normalisation happens: before the model (`"outside"`) or in its graph (`"baked"`). */
export type OnnxNormalization = "outside" | "baked";

/** The normalisations {@link exportOnnx} accepts. */
export const ONNX_NORMALIZATIONS = ["outside", "baked"] as const satisfies OnnxNormalization[];

/** ImageNet's per-channel RGB mean (torchvision's `Normalize`): the default of `normalize`. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
/** ImageNet's per-channel RGB standard deviation: the default of `normalize`. */
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** The ONNX operator set the export targets. */
export const ONNX_OPSET = 13;

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /**
   * The input's height and width, fixed in the graph and recorded in the metadata. Default the
   * seed's crop, 178x218 (width x height). `null` leaves both symbolic (`"height"`, `"width"`):
   * the network pools globally, so any size runs.
   */
  inputSize?: { width: number; height: number } | null;
  /**
   * `"outside"` (default): the input is already normalised as in training (with `normalize`).
   * `"baked"`: the input is RGB in [0, 1] and the graph normalises it first.
   */
  normalization?: OnnxNormalization;
  /**
   * The model's input normalisation, `(x - mean) / std` per RGB channel on `x` in [0, 1]:
   * baked into the graph with `normalization: "baked"`, and recorded in the metadata either way
   * (`normalization_mean`, `normalization_std`) so a runtime can prepare the input. Default
   * ImageNet's ({@link IMAGENET_MEAN}, {@link IMAGENET_STD}), what every pipeline of ours uses.
   */
  normalize?: { mean: readonly number[]; std: readonly number[] };
  /** One name per output, recorded as `attribute_names` (a JSON array) in the metadata. */
  attributeNames?: readonly string[];
  /** Further `metadata_props` entries (string values); they cannot replace the exporter's own. */
  metadata?: Readonly<Record<string, string>>;
}

/** The graph's input and output names. */
export const ONNX_INPUT_NAME = "input";
/** @see ONNX_INPUT_NAME */
export const ONNX_OUTPUT_NAME = "output";

const OPTION_KEYS = ["inputSize", "normalization", "normalize", "attributeNames", "metadata"];

/**
 * Exports a model in eval mode as the bytes of an ONNX model (opset 13, IR version 7), ready for
 * ONNX Runtime (`onnxruntime-node`, `onnxruntime-web`) or any other ONNX runtime.
 *
 * The graph takes `input`, NCHW float32 `[batch, 3, H, W]` with a symbolic batch size, and
 * returns `output`, `[batch, numClasses]` (or the pooled features `[batch, numFeatures]` for a
 * model without its head). Every BatchNorm is folded into the convolution before it (the same
 * folding as eval-mode `apply`), grouped convolutions are one `Conv` with its `group`
 * attribute, and the head is `GlobalAveragePool`, `Flatten` and `Gemm`. Every initializer is
 * used. `metadata_props` records `architecture`, `input_size`, `input_layout` (`NCHW`),
 * `normalization` with the `normalize` mean and std (`normalization_mean`/`normalization_std`), `num_classes`,
 * `batch_norm` (`folded`) and, when given, `attribute_names`. Browser-safe: it reads the
 * weights with `tf.Tensor.data()` and encodes with protobufjs.
 *
 * @param model - Any model of the family; it is only read.
 * @param options - See {@link ExportOnnxOptions}.
 * @returns The serialised `ModelProto`.
 * @throws {InvalidOptionError} On an unknown option or an invalid value.
 * @example
 * const model = resnext50_32x4d({ numClasses: 40 });
 * const bytes = await exportOnnx(model, { attributeNames: CELEBA_ATTRIBUTE_NAMES });
 * const session = await ort.InferenceSession.create(bytes);
 */
export async function exportOnnx(
  model: ResNetModel,
  options: ExportOnnxOptions = {},
): Promise<Uint8Array> {
  const { inputSize, normalization, normalize, attributeNames, metadata } = validate(
    model,
    options,
  );
  // The model's own variables (HWIO filters), read once each: no state-dict copy of the weights.
  const variables = new Map([...model.namedParameters(), ...model.namedBuffers()]);
  const g = new OnnxGraphBuilder();
  const { spec } = model;

  let x = ONNX_INPUT_NAME;
  if (normalization === "baked") {
    const mean = g.initializer("normalize.mean", [1, 3, 1, 1], Float32Array.from(normalize.mean));
    const std = g.initializer("normalize.std", [1, 3, 1, 1], Float32Array.from(normalize.std));
    x = g.node("Div", "normalize", [g.node("Sub", "normalize.centered", [x, mean]), std]);
  }

  // Every layer's folded weights, read back one layer at a time, before the graph is built.
  const layout = networkLayout(spec);
  const layers = [layout.stem, ...layout.blocks.flatMap((b) => blockLayers(b))];
  const foldedWeights = new Map<string, { filter: Float32Array; bias: Float32Array }>();
  for (const layer of layers) {
    const w = variables.get(`${layer.conv}.weight`) as tf.Tensor4D;
    foldedWeights.set(layer.conv, await folded(w, variables, layer.bn));
  }
  // The network's own block forward pass, with graph nodes as values.
  const ops: BlockOps<string, ConvBnLayout> = {
    /** `conv(x)` with the following BatchNorm folded in, then a ReLU when `relu`. */
    convBn: (input, layer, relu) => {
      const { conv, kernel: k, inChannels, outChannels: out, groups, stride, pad } = layer;
      const { filter, bias } = foldedWeights.get(conv)!;
      const y = g.node(
        "Conv",
        conv,
        [
          input,
          g.initializer(`${conv}.weight`, [out, inChannels / groups, k, k], filter),
          g.initializer(`${conv}.bias`, [out], bias),
        ],
        {
          dilations: [1, 1],
          group: groups,
          kernel_shape: [k, k],
          pads: [pad, pad, pad, pad],
          strides: [stride, stride],
        },
      );
      return relu ? g.node("Relu", `${conv}.relu`, [y]) : y;
    },
    addRelu: (out, identity, block) =>
      g.node("Relu", `${block}.relu`, [g.node("Add", `${block}.add`, [out, identity])]),
    release: () => {},
  };

  x = ops.convBn(x, layout.stem, true);
  x = g.node("MaxPool", "maxpool", [x], {
    kernel_shape: [3, 3],
    pads: [1, 1, 1, 1],
    strides: [2, 2],
  });
  for (const block of layout.blocks) x = blockForward(x, block, ops);
  x = g.node("Flatten", "flatten", [g.node("GlobalAveragePool", "avgpool", [x])], { axis: 1 });
  const outputs = model.numClasses ?? model.numFeatures;
  if (model.numClasses !== null) {
    // tfjs keeps the head as [in, out]; Gemm gets torchvision's [out, in] with transB.
    const weight = tf.tidy(() => tf.transpose(variables.get("fc.weight")!));
    const bias = variables.get("fc.bias")!;
    const [weightData, biasData] = await Promise.all([weight.data(), bias.data()]);
    weight.dispose();
    x = g.node(
      "Gemm",
      "fc",
      [
        x,
        g.initializer("fc.weight", weight.shape, weightData as Float32Array),
        g.initializer("fc.bias", [outputs], Float32Array.from(biasData as Float32Array)),
      ],
      { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 },
    );
  }
  g.rename(x, ONNX_OUTPUT_NAME);

  const [height, width] =
    inputSize === null ? ["height", "width"] : [inputSize.height, inputSize.width];
  const props: Record<string, string> = {
    ...metadata,
    architecture: model.arch,
    ...(inputSize === null ? {} : { input_size: JSON.stringify(inputSize) }),
    input_layout: "NCHW",
    normalization,
    normalization_mean: JSON.stringify(normalize.mean),
    normalization_std: JSON.stringify(normalize.std),
    num_classes: String(outputs),
    batch_norm: "folded",
    ...(attributeNames === undefined ? {} : { attribute_names: JSON.stringify(attributeNames) }),
  };
  const modelProto = {
    irVersion: 7,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "@celeba/resnext",
    graph: {
      name: model.arch,
      node: g.nodes,
      initializer: g.initializers,
      input: [floatValueInfo(ONNX_INPUT_NAME, ["batch", 3, height, width])],
      output: [floatValueInfo(ONNX_OUTPUT_NAME, ["batch", outputs])],
    },
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
  };
  const type = modelProtoType();
  return type.encode(modelProto).finish();
}

/**
 * The folded filter (laid out OIHW, as ONNX's `Conv` takes it) and bias of one convolution and
 * its BatchNorm, as plain arrays. Runs on the current backend (wasm transposes natively).
 */
async function folded(
  weight: tf.Tensor4D,
  variables: Map<string, tf.Variable>,
  bn: string,
): Promise<{ filter: Float32Array; bias: Float32Array }> {
  const vector = (name: string) => variables.get(`${bn}.${name}`) as tf.Tensor1D;
  const [filter, bias] = tf.tidy(() => {
    const f = foldBatchNorm(
      weight,
      {
        weight: vector("weight"),
        bias: vector("bias"),
        runningMean: vector("running_mean"),
        runningVar: vector("running_var"),
      },
      BN_EPS,
      "HWIO",
    );
    return [tf.transpose(f.filter, [3, 2, 0, 1]), f.bias];
  });
  try {
    return {
      filter: (await filter.data()) as Float32Array,
      bias: (await bias.data()) as Float32Array,
    };
  } finally {
    tf.dispose([filter, bias]);
  }
}

function validate(
  model: ResNetModel,
  options: ExportOnnxOptions,
): Required<Omit<ExportOnnxOptions, "attributeNames">> & {
  inputSize: { width: number; height: number } | null;
  normalize: { mean: number[]; std: number[] };
  attributeNames: readonly string[] | undefined;
} {
  assertOptionKeys(InvalidOptionError, options, OPTION_KEYS, {
    option: "exportOnnx option",
    hint: "Remove or rename it.",
  });
  const inputSize =
    options.inputSize === undefined ? { width: 178, height: 218 } : options.inputSize;
  if (
    inputSize !== null &&
    !(
      typeof inputSize === "object" &&
      Number.isInteger(inputSize.width) &&
      Number.isInteger(inputSize.height) &&
      inputSize.width > 0 &&
      inputSize.height > 0
    )
  ) {
    throw new InvalidOptionError({
      option: "inputSize",
      value: inputSize,
      hint: "Pass { width, height } in positive whole pixels, e.g. { width: 178, height: 218 }, or null.",
    });
  }
  const normalization = options.normalization ?? "outside";
  if (!(ONNX_NORMALIZATIONS as readonly string[]).includes(normalization)) {
    throw new InvalidOptionError({
      option: "normalization",
      value: normalization,
      hint: "Say where input normalisation happens.",
      validChoices: ONNX_NORMALIZATIONS,
    });
  }
  const normalize = validateNormalize(options.normalize);
  const outputs = model.numClasses ?? model.numFeatures;
  const { attributeNames } = options;
  if (
    attributeNames !== undefined &&
    (!Array.isArray(attributeNames) ||
      attributeNames.length !== outputs ||
      !attributeNames.every((n) => typeof n === "string"))
  ) {
    throw new InvalidOptionError({
      option: "attributeNames",
      value: attributeNames,
      hint: `Pass one name (a string) per output: ${model.arch} has ${outputs}.`,
    });
  }
  const metadata = options.metadata ?? {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") {
      throw new InvalidOptionError({
        option: `metadata.${key}`,
        value,
        hint: "metadata_props values are strings: JSON.stringify other values.",
      });
    }
  }
  return { inputSize, normalization, normalize, attributeNames, metadata };
}

function validateNormalize(value: ExportOnnxOptions["normalize"]): {
  mean: number[];
  std: number[];
} {
  if (value === undefined) return { mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] };
  const rgb = (v: unknown, positive: boolean): v is number[] =>
    Array.isArray(v) &&
    v.length === 3 &&
    v.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0));
  if (
    typeof value !== "object" ||
    value === null ||
    !rgb(value.mean, false) ||
    !rgb(value.std, true)
  ) {
    throw new InvalidOptionError({
      option: "normalize",
      value,
      hint: "Pass { mean: [r, g, b], std: [r, g, b] } with every std > 0, e.g. ImageNet's { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }.",
    });
  }
  return { mean: [...value.mean], std: [...value.std] };
}

import type { ResNetSpec } from "./architectures";
import { type Block, blockLayers, blockLayout, type ConvBnLayout } from "./block";

/** Every layer of a network, derived from its spec; what the model, its state dict and the
 * ONNX export are built from. Internal. */
export interface NetworkLayout {
  /** `conv1` + `bn1` (followed by a ReLU and a 3x3 max pool). */
  stem: ConvBnLayout;
  /** Every block in forward order (`layer1.0` first). */
  blocks: Block<ConvBnLayout>[];
  /** Channels of the pooled features (the input of `fc`). */
  numFeatures: number;
}

/**
 * The layout of `spec`, mirroring torchvision's `ResNet.__init__` and `_make_layer`: the first
 * block of `layer2`..`layer4` strides, and a block whose shape changes has a downsample.
 * Internal.
 */
export function networkLayout(spec: ResNetSpec): NetworkLayout {
  const stem: ConvBnLayout = {
    conv: "conv1",
    bn: "bn1",
    inChannels: 3,
    outChannels: spec.stemWidth,
    kernel: 7,
    stride: 2,
    pad: 3,
    groups: 1,
  };
  const blocks: Block<ConvBnLayout>[] = [];
  let inplanes = spec.stemWidth;
  spec.layers.forEach((count, s) => {
    for (let b = 0; b < count; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const block = blockLayout(spec, `layer${s + 1}.${b}`, inplanes, spec.planes[s]!, stride);
      blocks.push(block);
      inplanes = block.steps.at(-1)!.outChannels;
    }
  });
  return { stem, blocks, numFeatures: inplanes };
}

/** How a state-dict entry is laid out, in PyTorch and in tfjs. */
export type EntryKind = "conv" | "vector" | "fcWeight" | "count";

/** One state-dict entry of a model, as PyTorch has it. Internal. */
export interface PlannedEntry {
  key: string;
  kind: EntryKind;
  /** Buffers (BN running statistics) are state but not parameters. */
  isBuffer: boolean;
  /** The shape PyTorch gives this tensor. */
  torchShape: number[];
  /** torchvision's initial value: a normal or uniform distribution's std or bound, or a fill. */
  init: { normal: number } | { uniform: number } | { fill: number };
}

/** The state-dict entries of one conv-bn layer, in torchvision's order. Internal. */
export function convBnEntries(layer: ConvBnLayout): PlannedEntry[] {
  const { conv, bn, inChannels, outChannels: c, kernel, groups } = layer;
  const vector = (key: string, isBuffer: boolean, fill: number): PlannedEntry => ({
    key,
    kind: "vector",
    isBuffer,
    torchShape: [c],
    init: { fill },
  });
  return [
    {
      key: `${conv}.weight`,
      kind: "conv",
      isBuffer: false,
      torchShape: [c, inChannels / groups, kernel, kernel],
      // kaiming_normal_(mode="fan_out", nonlinearity="relu"): fan_out = out * kh * kw.
      init: { normal: Math.sqrt(2 / (c * kernel * kernel)) },
    },
    vector(`${bn}.weight`, false, 1),
    vector(`${bn}.bias`, false, 0),
    vector(`${bn}.running_mean`, true, 0),
    vector(`${bn}.running_var`, true, 1),
    {
      key: `${bn}.num_batches_tracked`,
      kind: "count",
      isBuffer: true,
      torchShape: [],
      init: { fill: 0 },
    },
  ];
}

/** The entries of `fc` (`[out, in]` weight, bias). Internal. */
export function fcEntries(numFeatures: number, numClasses: number): PlannedEntry[] {
  // nn.Linear's init: kaiming_uniform_(a=√5) for the weight, U(±1/√fan_in) for the bias.
  const init = { uniform: 1 / Math.sqrt(numFeatures) };
  return [
    {
      key: "fc.weight",
      kind: "fcWeight",
      isBuffer: false,
      torchShape: [numClasses, numFeatures],
      init,
    },
    { key: "fc.bias", kind: "vector", isBuffer: false, torchShape: [numClasses], init },
  ];
}

/**
 * A model's whole state dict, keys and torchvision shapes in state_dict order, from its layout.
 * Internal.
 */
export function plannedEntries(layout: NetworkLayout, numClasses: number | null): PlannedEntry[] {
  const layers = [layout.stem, ...layout.blocks.flatMap((b) => blockLayers(b))];
  const entries = layers.flatMap(convBnEntries);
  if (numClasses !== null) entries.push(...fcEntries(layout.numFeatures, numClasses));
  return entries;
}

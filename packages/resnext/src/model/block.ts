import { blockExpansion, type ResNetSpec } from "./architectures";

/**
 * One convolution and the BatchNorm after it, as torchvision names and shapes them: `conv` and
 * `bn` are the state-dict prefixes (`"layer1.0.conv2"`, `"layer1.0.bn2"`). Internal.
 */
export interface ConvBnLayout {
  conv: string;
  bn: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: number;
  groups: number;
}

/**
 * A residual block as data: conv-bn `steps` with a ReLU between them, then the residual add
 * (through `downsample` when the shape changes) and a ReLU. torchvision's `BasicBlock` has two
 * steps, `Bottleneck` three. `L` is what a step is: its layout, or the model's variables for it.
 * Internal.
 */
export interface Block<L> {
  /** The block's state-dict prefix, e.g. `"layer2.0"`. */
  name: string;
  steps: L[];
  downsample?: L;
}

/** A block's conv-bn layers, in state-dict order (steps, then downsample). Internal. */
export function blockLayers<L>(block: Block<L>): L[] {
  return block.downsample === undefined ? block.steps : [...block.steps, block.downsample];
}

function convBn(
  prefix: string,
  names: [string, string],
  inChannels: number,
  outChannels: number,
  kernel: number,
  stride: number,
  groups: number,
): ConvBnLayout {
  const [conv, bn] = names;
  const pad = (kernel - 1) / 2;
  return {
    conv: `${prefix}.${conv}`,
    bn: `${prefix}.${bn}`,
    inChannels,
    outChannels,
    kernel,
    stride,
    pad,
    groups,
  };
}

/**
 * The layout of block `name` of an architecture, as torchvision's `BasicBlock` and
 * `Bottleneck` build it (the stride sits in the 3x3 convolution, ResNet v1.5). Internal.
 *
 * @param inplanes - Input channels.
 * @param planes - The stage's `planes`; the block outputs `planes * expansion` channels.
 */
export function blockLayout(
  spec: ResNetSpec,
  name: string,
  inplanes: number,
  planes: number,
  stride: number,
): Block<ConvBnLayout> {
  const out = planes * blockExpansion(spec.block);
  const steps =
    spec.block === "basic"
      ? [
          convBn(name, ["conv1", "bn1"], inplanes, planes, 3, stride, 1),
          convBn(name, ["conv2", "bn2"], planes, planes, 3, 1, 1),
        ]
      : bottleneckSteps(spec, name, inplanes, planes, out, stride);
  const block: Block<ConvBnLayout> = { name, steps };
  if (stride !== 1 || inplanes !== out) {
    block.downsample = convBn(name, ["downsample.0", "downsample.1"], inplanes, out, 1, stride, 1);
  }
  return block;
}

function bottleneckSteps(
  spec: ResNetSpec,
  name: string,
  inplanes: number,
  planes: number,
  out: number,
  stride: number,
): ConvBnLayout[] {
  const width = Math.floor(planes * (spec.widthPerGroup / 64)) * spec.groups;
  return [
    convBn(name, ["conv1", "bn1"], inplanes, width, 1, 1, 1),
    convBn(name, ["conv2", "bn2"], width, width, 3, stride, spec.groups),
    convBn(name, ["conv3", "bn3"], width, out, 1, 1, 1),
  ];
}

/**
 * How a forward pass computes (an execution mode): tensors with batch statistics, folded
 * weights, ONNX graph nodes. `T` is a value flowing through the network, `L` a conv-bn layer.
 * Internal.
 */
export interface BlockOps<T, L> {
  /** `relu?(batchNorm(conv(x)))`. */
  convBn(x: T, layer: L, relu: boolean): T;
  /** `relu(out + identity)`, the end of block `block`. */
  addRelu(out: T, identity: T, block: string): T;
  /** `x` is no longer needed by the block (tensors are disposed; graph values ignore it). */
  release(x: T): void;
}

/**
 * The forward pass of a residual block, written once for every execution mode, as
 * torchvision's `Bottleneck.forward`: each intermediate is released as soon as the next layer
 * has it, so at most a few activations of the block are alive at once. `x` stays the caller's.
 * Internal.
 */
export function blockForward<T, L>(x: T, block: Block<L>, ops: BlockOps<T, L>): T {
  const last = block.steps.length - 1;
  let out = x;
  block.steps.forEach((step, i) => {
    const input = out;
    out = ops.convBn(input, step, i < last);
    if (input !== x) ops.release(input);
  });
  const identity = block.downsample === undefined ? x : ops.convBn(x, block.downsample, false);
  const y = ops.addRelu(out, identity, block.name);
  ops.release(out);
  if (identity !== x) ops.release(identity);
  return y;
}

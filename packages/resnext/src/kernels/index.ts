// The kernels, tuning and tables behind the models (the `@celeba/resnext/kernels` entry point):
// for benchmarks, other architectures, tests and training loops; a model user never needs them.
export type { ArchName, BlockType, ResNetSpec } from "../model/architectures";
export { ARCHITECTURES } from "../model/architectures";
// tfjs engine state that @celeba/train needs (backed by ../tfjs-internals, the only module that
// reads tfjs' engine internals).
export { registeredVariable, registeredVariables } from "../tfjs-internals";
export { readsBackCheaply } from "./backend-capabilities";
export type { Conv2dGradOptions, ConvGradient } from "./conv-gradient";
export { CONV_GRADIENTS, conv2dIm2colGrad } from "./conv-gradient";
export type { FoldableBatchNorm } from "./fused-inference";
export { foldBatchNorm } from "./fused-inference";
export type { GroupedConv2dOptions, GroupedConvImpl } from "./grouped-conv";
export { fastestGroupedConvImpl, GROUPED_CONV_IMPLS, groupedConv2d } from "./grouped-conv";

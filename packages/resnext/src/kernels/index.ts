// The kernels and tuning behind the models (the `@celeba/resnext/kernels` entry point): for
// benchmarks, other architectures and tests; a model user never needs them.
export type { Conv2dGradOptions, ConvGradient } from "./conv-gradient";
export { CONV_GRADIENTS, conv2dIm2colGrad } from "./conv-gradient";
export type { FoldableBatchNorm } from "./fused-inference";
export { foldBatchNorm } from "./fused-inference";
export type { GroupedConv2dOptions, GroupedConvImpl } from "./grouped-conv";
export { fastestGroupedConvImpl, GROUPED_CONV_IMPLS, groupedConv2d } from "./grouped-conv";

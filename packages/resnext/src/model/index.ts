// The ResNet family as a model: the architecture table, the factories and the network.
export type { ArchName, BlockType, ResNetSpec } from "./architectures";
export { ARCH_NAMES, ARCHITECTURES } from "./architectures";
export type { CreateModelConfig } from "./factories";
export {
  createModel,
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  resnext_tiny,
  resnext50_32x4d,
  resnext101_32x8d,
  resnext101_64x4d,
  wide_resnet50_2,
  wide_resnet101_2,
} from "./factories";
export type {
  FreezeSpec,
  LoadStateDictOptions,
  LoadStateDictResult,
  ResNetModel,
  ResNetOptions,
} from "./resnet";
export { RESNET_CHILDREN } from "./resnet";

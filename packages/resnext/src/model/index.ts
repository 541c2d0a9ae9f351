// The ResNet family as models, as the main entry exports them: the factories, `createModel` and
// their types. The architecture table itself is in the kernels entry, `RESNET_CHILDREN` in the
// weights entry.
export type { ArchName, BlockType, ResNetSpec } from "./architectures";
export { ARCH_NAMES } from "./architectures";
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
export type { FreezeSpec } from "./freeze";
export type { LoadStateDictOptions, LoadStateDictResult } from "./load-state-dict";
export type { ResNetModel, ResNetOptions } from "./resnet-model";

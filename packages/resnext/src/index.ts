// Models (model half of the package).
export type { ArchName, BlockType, ResNetSpec } from "./architectures";
export { ARCH_NAMES, ARCHITECTURES } from "./architectures";
export { readsBackCheaply } from "./backend-capabilities";
// Kernels and tuning (groupedConv2d, conv2dIm2colGrad, foldBatchNorm) are in `@celeba/resnext/kernels`;
// the option types that name them stay here, as ResNetOptions uses them.
export type { ConvGradient } from "./conv-gradient";
export { ResnextError } from "./errors";
export type { GroupedConvImpl } from "./grouped-conv";
export type { ShapeMismatch } from "./model-errors";
export {
  InvalidInputError,
  InvalidOptionError,
  StateDictMismatchError,
} from "./model-errors";
export type { CreateModelConfig } from "./models";
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
} from "./models";
// Weights half (read/write of state dicts): the exports from ./read-state-dict, ./safetensors,
// ./state-dict and ./weights-errors (biome sorts them in among the model exports).
export type { WeightsFormat } from "./read-state-dict";
export { detectWeightsFormat, readStateDict } from "./read-state-dict";
export type {
  FreezeSpec,
  LoadStateDictOptions,
  LoadStateDictResult,
  ResNetModel,
  ResNetOptions,
} from "./resnet";
export { RESNET_CHILDREN } from "./resnet";
export {
  encodeSafetensors,
  readSafetensors,
  readSafetensorsMetadata,
  writeSafetensors,
} from "./safetensors";
export type { StateDict, StateDtype, StateTensor, StateTensorData } from "./state-dict";
export { stateTensorToFloat32 } from "./state-dict";
export {
  CorruptWeightsError,
  InvalidStateDictError,
  UnsafePickleError,
  UnsupportedFormatError,
} from "./weights-errors";

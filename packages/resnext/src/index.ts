// Models (model half of the package): see ./model.

export { ResnextError } from "./errors";
export { readsBackCheaply } from "./kernels/backend-capabilities";
// Kernels and tuning (groupedConv2d, conv2dIm2colGrad, foldBatchNorm) are in `@celeba/resnext/kernels`;
// the option types that name them stay here, as ResNetOptions uses them.
export type { ConvGradient } from "./kernels/conv-gradient";
export type { GroupedConvImpl } from "./kernels/grouped-conv";
export type {
  ArchName,
  BlockType,
  CreateModelConfig,
  FreezeSpec,
  LoadStateDictOptions,
  LoadStateDictResult,
  ResNetModel,
  ResNetOptions,
  ResNetSpec,
} from "./model";
export {
  ARCH_NAMES,
  ARCHITECTURES,
  createModel,
  RESNET_CHILDREN,
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
} from "./model";
export type { ShapeMismatch } from "./model-errors";
export {
  InvalidInputError,
  InvalidOptionError,
  StateDictMismatchError,
} from "./model-errors";
// Weights half (read/write of state dicts): see ./weights.
export type { StateDict, StateDtype, StateTensor, StateTensorData, WeightsFormat } from "./weights";
export {
  detectWeightsFormat,
  encodeSafetensors,
  readSafetensors,
  readSafetensorsMetadata,
  readStateDict,
  stateTensorToFloat32,
  writeSafetensors,
} from "./weights";
export {
  CorruptWeightsError,
  InvalidStateDictError,
  UnsafePickleError,
  UnsupportedFormatError,
} from "./weights-errors";

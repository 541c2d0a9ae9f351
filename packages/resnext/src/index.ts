// The main entry: the ResNet family as models, their errors, and the weights I/O a model user
// needs (reading any weights file, writing a checkpoint). Everything else is in a subpath:
// `@celeba/resnext/weights` (all of the state-dict I/O), `@celeba/resnext/kernels` (the kernels
// and tables behind the models) and `@celeba/resnext/onnx` (ONNX export).
export { ResnextError } from "./errors";
export type { ConvGradient } from "./kernels/conv-gradient";
export type { GroupedConvImpl } from "./kernels/grouped-conv";
export * from "./model";
export type { ShapeMismatch } from "./model-errors";
export {
  InvalidInputError,
  InvalidOptionError,
  StateDictMismatchError,
} from "./model-errors";
export type { StateDict, StateDtype, StateTensor, StateTensorData, WeightsFormat } from "./weights";
export { readStateDict, writeSafetensors } from "./weights";
export {
  CorruptWeightsError,
  InvalidStateDictError,
  UnsafePickleError,
  UnsupportedFormatError,
} from "./weights-errors";

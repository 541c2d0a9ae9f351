// Reading and writing state dicts (the `@celeba/resnext/weights` entry point): PyTorch `.pth`
// (zip and legacy pickle) and `.safetensors`, with no model attached; `readStateDict` and
// `writeSafetensors` are also in the main entry.
export { RESNET_CHILDREN } from "../model/freeze";
export {
  CorruptWeightsError,
  InvalidStateDictError,
  UnsafePickleError,
  UnsupportedFormatError,
} from "../weights-errors";
export type { WeightsFormat } from "./read-state-dict";
export { detectWeightsFormat, readStateDict } from "./read-state-dict";
export { readSafetensors, readSafetensorsMetadata } from "./safetensors";
export { encodeSafetensors, writeSafetensors } from "./safetensors-write";
export type { StateDict, StateDtype, StateTensor, StateTensorData } from "./state-dict";
export { stateTensorToFloat32 } from "./state-dict";

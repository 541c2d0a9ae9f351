// Reading and writing state dicts (the `@celeba/resnext/weights` entry point): PyTorch `.pth`
// (zip and legacy pickle) and `.safetensors`, with no model attached.
export type { WeightsFormat } from "./read-state-dict";
export { detectWeightsFormat, readStateDict } from "./read-state-dict";
export {
  encodeSafetensors,
  readSafetensors,
  readSafetensorsMetadata,
  writeSafetensors,
} from "./safetensors";
export type { StateDict, StateDtype, StateTensor, StateTensorData } from "./state-dict";
export { stateTensorToFloat32 } from "./state-dict";

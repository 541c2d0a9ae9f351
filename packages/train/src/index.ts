export { Adam, type AdamConfig } from "./adam";
export { Adamax, type AdamaxConfig } from "./adamax";
export type { Batch, DataSource, EvalData } from "./batch";
export {
  type BestEpochResult,
  type TestBestEpochOptions,
  testBestEpoch,
} from "./best-epoch";
export type { CheckpointState, EpochProgress, LatestPointer } from "./checkpoint";
export {
  type CheckpointMetadata,
  CheckpointMetadataError,
  decodeCheckpointMetadata,
  encodeCheckpointMetadata,
  MAX_INPUT_SIDE,
  type Normalization,
} from "./checkpoint-metadata";
export {
  createOptimizer,
  OPTIMIZER_NAMES,
  type OptimizerConfig,
  type OptimizerName,
  type TrainOptimizer,
} from "./create-optimizer";
export {
  BatchShapeError,
  CheckpointError,
  InvalidOptionError,
  NonFiniteLossError,
  TrainError,
} from "./errors";
export { type EvaluateOptions, type EvaluationResult, evaluate } from "./evaluate";
export { type CheckpointRequest, type FitOptions, fit } from "./fit-loop";
export { type EpochRecord, HISTORY_CSV_HEADER, historyToCsv, selectBestEpoch } from "./history";
export {
  bceWithLogitsLoss,
  LOSS_NAMES,
  type LossFunction,
  type LossName,
  l1Loss,
  lossByName,
  mseLoss,
} from "./losses";
export type { ProgressStream } from "./progress-bar";
export { type CheckpointToSave, RunDirectory } from "./run-directory";
export {
  CHECKPOINT_BASE,
  checkpointBase,
  checkpointFiles,
  epochOfWeightsFile,
  epochWeightsPath,
  RUN_FILES,
} from "./run-layout";
export {
  type MemoryRunStorage,
  memoryRunStorage,
  type RunStorage,
  runPath,
} from "./run-storage";
export { SGD, type SGDConfig } from "./sgd";
export type { ParamState } from "./torch-optimizer";
export {
  type CheckpointEvent,
  type ResumeOptions,
  type RunInputs,
  resume,
  type StepEndEvent,
  type TrainHooks,
  type TrainOptions,
  type TrainResult,
  train,
} from "./train";
export { type StepResult, type TrainStepOptions, trainStep, trainStepAsync } from "./train-step";
export type { TrainableModel } from "./trainable-model";

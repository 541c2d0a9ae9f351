// The main entry: training, resuming, evaluating, and the checkpoints' metadata. The building
// blocks live behind subpaths: `@celeba/train/optimizers`, `@celeba/train/losses` and
// `@celeba/train/run-directory`; their types are exported here too where a signature names them.

export type { AdamConfig } from "./adam";
export type { AdamaxConfig } from "./adamax";
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
  type Normalization,
} from "./checkpoint-metadata";
export type {
  OptimizerConfig,
  OptimizerName,
  TrainOptimizer,
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
export type { EpochRecord } from "./history";
export type { LossFunction, LossName } from "./losses";
export type { ProgressStream } from "./progress-bar";
export type { CheckpointToSave, RunDirectory } from "./run-directory";
export {
  type MemoryRunStorage,
  memoryRunStorage,
  type RunStorage,
} from "./run-storage";
export type { SGDConfig } from "./sgd";
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

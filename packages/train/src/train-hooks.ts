import type { EvaluationResult } from "./evaluate";
import type { EpochRecord } from "./history";

/** Emitted after every optimizer step. */
export interface StepEndEvent {
  /** 1-based epoch. */
  epoch: number;
  /** 0-based index of the step just finished. */
  step: number;
  /** Loss of the step. */
  loss: number;
  /** Images in the step's batch. */
  batchSize: number;
  /** Throughput since the epoch (or the resume) started. */
  imagesPerSecond: number;
}

/** Emitted after a checkpoint and `latest.json` are written. */
export interface CheckpointEvent {
  /** 1-based epoch the checkpoint belongs to (0 for the initial weights). */
  epoch: number;
  /** Steps done in that epoch. */
  step: number;
  /** True for an end-of-epoch checkpoint. */
  complete: boolean;
  /** Absolute path of the weights file. */
  path: string;
}

/** Callbacks for logging; each may be async (the loop awaits it). */
export interface TrainHooks {
  /** After each optimizer step. */
  onStepEnd?(event: StepEndEvent): void | Promise<void>;
  /** After validation of an epoch's checkpoint. */
  onValidationEnd?(event: { epoch: number; result: EvaluationResult }): void | Promise<void>;
  /** After an epoch's checkpoint and history are written. */
  onEpochEnd?(record: EpochRecord): void | Promise<void>;
  /** After any checkpoint is written (epoch, mid-epoch, interrupt). */
  onCheckpoint?(event: CheckpointEvent): void | Promise<void>;
  /** After the chosen checkpoint was evaluated on the test data. */
  onTestEnd?(event: { epoch: number; result: EvaluationResult }): void | Promise<void>;
}

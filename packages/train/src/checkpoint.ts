import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "@celeba/resnext";
import { writeJsonAtomic } from "./atomic-write";
import { CheckpointError } from "./errors";
import type { EpochRecord } from "./history";
import { readVariablesBack } from "./read-variables-back";
import type { TorchOptimizer } from "./torch-optimizer";
import type { TrainableModel } from "./trainable-model";

/** Running sums of the epoch in progress, saved in mid-epoch checkpoints. */
export interface EpochProgress {
  lossSum: number;
  correct: number;
  count: number;
  values: number;
  seconds: number;
}

/** The `<checkpoint>.state.json` file: where the run is and everything the loop needs to continue exactly. */
export interface CheckpointState {
  version: 1;
  /** The run seed; all randomness derives from (seed, epoch, step). */
  seed: number | string;
  /** The next step to run: 1-based epoch, 0-based batch index. */
  next: { epoch: number; step: number };
  /** Sums of the epoch in progress (zeros at epoch boundaries). */
  epochProgress: EpochProgress;
  /** Completed epochs. */
  history: EpochRecord[];
  /** Steps in one epoch, once an epoch has completed. */
  stepsPerEpoch?: number;
  /** Input size seen in the batches, `[height, width, channels]`. */
  inputSize?: number[];
  /** Optimizer update count. */
  optimizerIterations: number;
}

/** The `latest.json` pointer, rewritten last so it always names a complete checkpoint. */
export interface LatestPointer {
  /** Checkpoint base path relative to the run dir, e.g. `checkpoints/epoch-03`. */
  checkpoint: string;
  epoch: number;
  step: number;
  /** True for an end-of-epoch checkpoint. */
  complete: boolean;
}

/** Files of one checkpoint, from its base path. */
export function checkpointFiles(base: string): {
  weights: string;
  optimizer: string;
  state: string;
} {
  return {
    weights: `${base}.safetensors`,
    optimizer: `${base}.optimizer.safetensors`,
    state: `${base}.state.json`,
  };
}

/** Base path (relative to the run dir) of an end-of-epoch or mid-epoch checkpoint. */
export function checkpointBase(epoch: number, step?: number): string {
  const e = String(epoch).padStart(2, "0");
  return step === undefined
    ? `checkpoints/epoch-${e}`
    : `checkpoints/epoch-${e}-step-${String(step).padStart(6, "0")}`;
}

/** Writes weights, optimizer state and loop state of one checkpoint (each atomically). */
export async function writeCheckpoint(
  runDir: string,
  base: string,
  parts: {
    model: TrainableModel;
    optimizer: TorchOptimizer | undefined;
    paramNames: ReadonlyMap<string, string>;
    metadata: Record<string, string>;
    state: CheckpointState;
  },
): Promise<void> {
  const files = checkpointFiles(join(runDir, base));
  await readVariablesBack();
  await writeSafetensors(files.weights, parts.model.stateDict(), parts.metadata);
  const optState = parts.optimizer?.getState(parts.paramNames) ?? new Map();
  await writeSafetensors(files.optimizer, optState, { format: "pt", kind: "optimizer-state" });
  await writeJsonAtomic(files.state, parts.state);
}

/** Reads `latest.json`, or undefined when the run has no checkpoint yet. */
export async function readLatest(runDir: string): Promise<LatestPointer | undefined> {
  const path = join(runDir, "latest.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as LatestPointer;
  } catch (e) {
    throw new CheckpointError(
      path,
      `is not valid JSON (${(e as Error).message}). Point it at the last checkpoint by hand.`,
    );
  }
}

/** Loads a checkpoint's weights into the model and returns its loop state and optimizer state dict. */
export async function readCheckpoint(
  runDir: string,
  base: string,
  model: TrainableModel,
): Promise<{
  state: CheckpointState;
  optimizerState: Awaited<ReturnType<typeof readSafetensors>>;
}> {
  const files = checkpointFiles(join(runDir, base));
  let state: CheckpointState;
  try {
    state = JSON.parse(await readFile(files.state, "utf8")) as CheckpointState;
  } catch (e) {
    throw new CheckpointError(
      files.state,
      `cannot be read (${(e as Error).message}). latest.json must name a complete checkpoint; restore it or start a new run.`,
    );
  }
  model.loadStateDict(await readSafetensors(files.weights), { strict: true });
  const optimizerState = await readSafetensors(files.optimizer);
  return { state, optimizerState };
}

/** Deletes a superseded mid-epoch checkpoint. */
export async function removeCheckpoint(runDir: string, base: string): Promise<void> {
  const files = checkpointFiles(join(runDir, base));
  await Promise.all(Object.values(files).map((f) => rm(f, { force: true })));
}

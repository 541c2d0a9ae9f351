import { encodeSafetensors, readSafetensors, type StateDict } from "@celeba/resnext/weights";
import { CheckpointError } from "./errors";
import type { EpochRecord } from "./history";
import { readVariablesBack } from "./read-variables-back";
import { CHECKPOINT_BASE, checkpointFiles } from "./run-layout";
import { type RunStorage, runPath } from "./run-storage";
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

/** JSON as the run folder stores it: pretty-printed, newline-terminated. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Reads a safetensors file from the storage; a corrupt file is reported with its path. */
export async function readSafetensorsFrom(storage: RunStorage, path: string): Promise<StateDict> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.readBytes(path);
  } catch (e) {
    throw new CheckpointError({ path, message: `cannot be read (${(e as Error).message}).` });
  }
  try {
    return await readSafetensors(bytes);
  } catch (e) {
    throw new CheckpointError({ path, message: (e as Error).message.replace(/^<bytes>:?\s*/, "") });
  }
}

/** Writes weights, optimizer state and loop state of one checkpoint (each atomically). */
export async function writeCheckpoint(
  storage: RunStorage,
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
  const files = checkpointFiles(runPath(runDir, base));
  await readVariablesBack();
  await storage.write(files.weights, encodeSafetensors(parts.model.stateDict(), parts.metadata));
  const optState = parts.optimizer?.getState(parts.paramNames) ?? new Map();
  await storage.write(
    files.optimizer,
    encodeSafetensors(optState, { format: "pt", kind: "optimizer-state" }),
  );
  await storage.write(files.state, formatJson(parts.state));
}

/** Reads `latest.json`, or undefined when the run has no checkpoint yet. */
export async function readLatest(
  storage: RunStorage,
  runDir: string,
): Promise<LatestPointer | undefined> {
  const path = runPath(runDir, "latest.json");
  const text = await storage.readText(path);
  if (text === undefined) return undefined;
  let pointer: LatestPointer;
  try {
    pointer = JSON.parse(text) as LatestPointer;
  } catch (e) {
    throw new CheckpointError({
      path,
      message: `is not valid JSON (${(e as Error).message}). Point it at the last checkpoint by hand.`,
    });
  }
  // Only names run-layout's checkpointBase() makes are accepted, so the pointer cannot reach outside runDir.
  const base = (pointer as { checkpoint?: unknown } | null)?.checkpoint;
  if (typeof base !== "string" || !CHECKPOINT_BASE.test(base)) {
    throw new CheckpointError({
      path,
      message:
        `"checkpoint" is ${JSON.stringify(base)}, not a checkpoint inside the run folder ` +
        '("checkpoints/epoch-NN" or "checkpoints/epoch-NN-step-NNNNNN"). Point it at one of the run\'s checkpoints.',
    });
  }
  return pointer;
}

/** Loads a checkpoint's weights into the model and returns its loop state and optimizer state dict. */
export async function readCheckpoint(
  storage: RunStorage,
  runDir: string,
  base: string,
  model: TrainableModel,
): Promise<{
  state: CheckpointState;
  optimizerState: StateDict;
}> {
  const files = checkpointFiles(runPath(runDir, base));
  let state: CheckpointState;
  try {
    const text = await storage.readText(files.state);
    if (text === undefined) throw new Error("no such file");
    state = JSON.parse(text) as CheckpointState;
  } catch (e) {
    throw new CheckpointError({
      path: files.state,
      message: `cannot be read (${(e as Error).message}). latest.json must name a complete checkpoint; restore it or start a new run.`,
    });
  }
  model.loadStateDict(await readSafetensorsFrom(storage, files.weights), { strict: true });
  const optimizerState = await readSafetensorsFrom(storage, files.optimizer);
  return { state, optimizerState };
}

/** Deletes a superseded mid-epoch checkpoint. */
export async function removeCheckpoint(
  storage: RunStorage,
  runDir: string,
  base: string,
): Promise<void> {
  const files = checkpointFiles(runPath(runDir, base));
  await Promise.all(Object.values(files).map((f) => storage.remove(f)));
}

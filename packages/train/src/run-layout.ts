/**
 * The file layout of a run folder, in one place: the app and the web page ask for paths here
 * instead of spelling `epoch-NN` themselves.
 *
 * ```text
 * run.json                 the run's config (train's, plus whatever the caller stores in it)
 * latest.json              the checkpoint to resume from, rewritten last
 * history.csv, .json       one record per completed epoch
 * result.json              best epoch, its checkpoint and its test metrics
 * checkpoints/epoch-NN.safetensors (+ .optimizer.safetensors, .state.json)
 * checkpoints/epoch-NN-step-NNNNNN.*   the newest mid-epoch checkpoint only
 * ```
 */
export const RUN_FILES = {
  config: "run.json",
  latest: "latest.json",
  historyCsv: "history.csv",
  historyJson: "history.json",
  result: "result.json",
  checkpoints: "checkpoints",
} as const;

/** Files of one checkpoint, from its base path (relative or absolute). */
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
    ? `${RUN_FILES.checkpoints}/epoch-${e}`
    : `${RUN_FILES.checkpoints}/epoch-${e}-step-${String(step).padStart(6, "0")}`;
}

/** The base paths {@link checkpointBase} makes, relative to the run folder. */
export const CHECKPOINT_BASE = /^checkpoints\/epoch-\d{2,}(-step-\d{6,})?$/;

/** Whether a base path relative to the run folder is a mid-epoch checkpoint (pruned when superseded). */
export function isStepCheckpoint(base: string): boolean {
  return /-step-\d+$/.test(base);
}

/**
 * The weights file of an epoch's checkpoint, `<runDir>/checkpoints/epoch-NN.safetensors`
 * (epoch 0 holds the weights before training).
 *
 * @param runDir - The run folder.
 * @param epoch - A 1-based epoch, or 0.
 * @returns Its path, with `/` separators.
 * @example
 * ```ts
 * epochWeightsPath("runs/seed", 3); // "runs/seed/checkpoints/epoch-03.safetensors"
 * ```
 */
export function epochWeightsPath(runDir: string, epoch: number): string {
  return checkpointFiles(`${runDir.replace(/[\\/]+$/, "")}/${checkpointBase(epoch)}`).weights;
}

/**
 * The epoch of an end-of-epoch weights file name in `checkpoints/` (`epoch-03.safetensors` is 3),
 * or undefined for any other file (optimizer state, loop state, mid-epoch checkpoints).
 *
 * @param fileName - A bare file name.
 */
export function epochOfWeightsFile(fileName: string): number | undefined {
  const m = /^epoch-(\d{2,})\.safetensors$/.exec(fileName);
  return m ? Number(m[1]) : undefined;
}

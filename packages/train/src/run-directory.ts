import type { StateDict } from "@celeba/resnext/weights";
import {
  type CheckpointState,
  formatJson,
  type LatestPointer,
  readCheckpoint,
  readLatest,
  readSafetensorsFrom,
  removeCheckpoint,
  writeCheckpoint,
} from "./checkpoint";
import { defaultRunStorage } from "./default-run-storage";
import { CheckpointError } from "./errors";
import { type EpochRecord, historyToCsv } from "./history";
import { checkpointBase, checkpointFiles, isStepCheckpoint, RUN_FILES } from "./run-layout";
import { type RunStorage, runPath } from "./run-storage";
import type { TorchOptimizer } from "./torch-optimizer";
import type { TrainableModel } from "./trainable-model";

/** One checkpoint to save: where the run is, and the weights, optimizer and loop state. */
export interface CheckpointToSave {
  epoch: number;
  step: number;
  /** True at an epoch's end: the history files are rewritten with it. */
  complete: boolean;
  model: TrainableModel;
  optimizer: TorchOptimizer | undefined;
  paramNames: ReadonlyMap<string, string>;
  metadata: Record<string, string>;
  state: CheckpointState;
}

/**
 * A run folder's files, read and written in the order that keeps it resumable: a checkpoint,
 * then the history, then `latest.json`, then the superseded mid-epoch checkpoint is pruned.
 * {@link train} and {@link resume} keep their runs through it.
 */
export class RunDirectory {
  /** The checkpoint `latest.json` names, once one is read or written. */
  private lastBase: string | undefined;

  constructor(
    readonly runDir: string,
    readonly storage: RunStorage = defaultRunStorage(),
  ) {}

  /** The path of a file in the run folder. */
  path(relative: string): string {
    return runPath(this.runDir, relative);
  }

  /** The run's config (`run.json`), or undefined when the folder holds no run. */
  async readConfig<T>(): Promise<T | undefined> {
    const path = this.path(RUN_FILES.config);
    const text = await this.storage.readText(path);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new CheckpointError({ path, message: `is not valid JSON (${(e as Error).message}).` });
    }
  }

  /** Writes `run.json`. */
  async writeConfig(config: unknown): Promise<void> {
    await this.storage.write(this.path(RUN_FILES.config), formatJson(config));
  }

  /** Reads `latest.json` (undefined before the first checkpoint), and remembers it for pruning. */
  async readLatest(): Promise<LatestPointer | undefined> {
    const latest = await readLatest(this.storage, this.runDir);
    this.lastBase = latest?.checkpoint;
    return latest;
  }

  /** Loads a checkpoint's weights into the model; returns its loop and optimizer state. */
  readCheckpoint(base: string, model: TrainableModel) {
    return readCheckpoint(this.storage, this.runDir, base, model);
  }

  /** The weights of an epoch's checkpoint. */
  readEpochWeights(epoch: number): Promise<StateDict> {
    return readSafetensorsFrom(this.storage, this.epochWeightsPath(epoch));
  }

  /** The weights file of an epoch's checkpoint. */
  epochWeightsPath(epoch: number): string {
    return checkpointFiles(this.path(checkpointBase(epoch))).weights;
  }

  /** The weights file of the checkpoint `latest.json` names, if any. */
  lastCheckpoint(): string | undefined {
    return this.lastBase ? checkpointFiles(this.path(this.lastBase)).weights : undefined;
  }

  /**
   * Saves a checkpoint (`epoch-NN` at an epoch's end or for epoch 0, `epoch-NN-step-NNNNNN`
   * otherwise), the history at an epoch's end, then `latest.json`, and prunes the mid-epoch
   * checkpoint it supersedes.
   *
   * @returns The weights file written.
   */
  async saveCheckpoint(c: CheckpointToSave): Promise<string> {
    const base =
      c.complete || (c.epoch === 0 && c.step === 0)
        ? checkpointBase(c.epoch)
        : checkpointBase(c.epoch, c.step);
    await writeCheckpoint(this.storage, this.runDir, base, c);
    if (c.complete) await this.writeHistory(c.state.history);
    const pointer: LatestPointer = {
      checkpoint: base,
      epoch: c.epoch,
      step: c.step,
      complete: c.complete,
    };
    // latest.json goes last: until it is renamed, the previous checkpoint stays the one to resume from.
    await this.storage.write(this.path(RUN_FILES.latest), formatJson(pointer));
    const previous = this.lastBase;
    if (previous && previous !== base && isStepCheckpoint(previous))
      await removeCheckpoint(this.storage, this.runDir, previous);
    this.lastBase = base;
    return checkpointFiles(this.path(base)).weights;
  }

  /** Writes `history.csv` and `history.json`. */
  async writeHistory(history: EpochRecord[]): Promise<void> {
    await this.storage.write(this.path(RUN_FILES.historyCsv), historyToCsv(history));
    await this.storage.write(this.path(RUN_FILES.historyJson), formatJson(history));
  }

  /** Writes `result.json`. */
  async writeResult(result: unknown): Promise<void> {
    await this.storage.write(this.path(RUN_FILES.result), formatJson(result));
  }
}

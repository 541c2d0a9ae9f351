import type { StateDict } from "@celeba/resnext/weights";
import type { DataSource, EvalData } from "./batch";
import { testBestEpoch } from "./best-epoch";
import type { CheckpointState, LatestPointer } from "./checkpoint";
import {
  type CheckpointMetadata,
  encodeCheckpointMetadata,
  type Normalization,
} from "./checkpoint-metadata";
import { createOptimizer, type OptimizerConfig } from "./create-optimizer";
import { CheckpointError, InvalidOptionError } from "./errors";
import type { EvaluationResult } from "./evaluate";
import { type CheckpointRequest, fit, zeroProgress } from "./fit-loop";
import type { EpochRecord } from "./history";
import { type LossFunction, type LossName, lossByName } from "./losses";
import { ProgressBar, type ProgressStream } from "./progress-bar";
import { RunDirectory } from "./run-directory";
import { checkpointBase, RUN_FILES } from "./run-layout";
import type { RunStorage } from "./run-storage";
import { architectureOf, type RunConfig, validateConfig } from "./train-config";
import type { TrainHooks } from "./train-hooks";
import type { TrainableModel } from "./trainable-model";

export type { CheckpointEvent, StepEndEvent, TrainHooks } from "./train-hooks";

/** Options that are not saved in the run directory (pass them again to {@link resume}). */
export interface RunInputs {
  /** The model to train; only `model.trainableVariables()` are updated. */
  model: TrainableModel;
  /** Training batches of `(epoch, startBatch)`; must be deterministic for an exact resume. */
  trainData: DataSource;
  /** Validation data, evaluated after every epoch; the best epoch is chosen on it. */
  valData?: EvalData;
  /** Test data, evaluated once with the chosen checkpoint. */
  testData?: EvalData;
  /** Logging callbacks. */
  hooks?: TrainHooks;
  /** Abort to stop after the current step with a checkpoint (status `"interrupted"`). */
  signal?: AbortSignal;
  /** Progress bar: true/false, or a stream to draw on. Default: on when stderr is a TTY. */
  progress?: boolean | ProgressStream;
  /** Steps per epoch, for the progress bar's ETA before the first epoch completes. Default unknown. */
  stepsPerEpoch?: number;
  /** Where the run folder lives. Default: the file system (Node); browsers pass {@link memoryRunStorage}. */
  storage?: RunStorage;
}

/** Options of {@link train}. */
export interface TrainOptions extends RunInputs {
  /** Directory for checkpoints, history and results; created if missing, must not hold a run. */
  runDir: string;
  /** Number of epochs. Default 12 (the paper's). */
  epochs?: number;
  /** Loss name or function. Default `"mse"` (the paper's). A function must be passed again to `resume`. */
  loss?: LossName | LossFunction;
  /** Optimizer and hyper-parameters. Default `{ name: "adamax" }` (lr 0.002, the paper's). */
  optimizer?: OptimizerConfig;
  /** Attribute names, in label column order, stored in checkpoint metadata. Default none. */
  attributeNames?: string[];
  /** Run seed, recorded so data sources can derive (seed, epoch, step) randomness. Default 0. */
  seed?: number | string;
  /** Architecture name stored in checkpoint metadata. Default: the model's `arch`, else `"unknown"`. */
  architecture?: string;
  /** Input normalisation stored in checkpoint metadata. Default none (readers assume ImageNet's). */
  normalization?: Normalization;
  /** Extra checkpoint metadata keys; non-strings are JSON-encoded. The typed keys of {@link CheckpointMetadata} take precedence. Default {}. */
  checkpointMetadata?: Record<string, unknown>;
  /** Also checkpoint every N steps within an epoch (0 = only at epoch ends). Default 0. */
  checkpointEverySteps?: number;
  /**
   * The caller's own settings of the run (an app's data folder and flags, say), kept in
   * `run.json` under `"settings"` so a run folder has one config file. Default none.
   */
  settings?: Record<string, unknown>;
  /** Decision threshold for accuracy. Default 0 (the paper's). */
  threshold?: number;
}

/** Options of {@link resume}: the inputs again, and optionally more epochs. */
export interface ResumeOptions extends RunInputs {
  /** Total epochs (to extend a finished run). Default: as saved. */
  epochs?: number;
  /** Required when the run was started with a custom loss function. */
  loss?: LossFunction;
  /** Replaces the caller's settings kept in `run.json` (see {@link TrainOptions.settings}). Default: as saved. */
  settings?: Record<string, unknown>;
}

/** What {@link train} and {@link resume} return. */
export interface TrainResult {
  /** `"completed"`, or `"interrupted"` when the signal aborted (a checkpoint was written). */
  status: "completed" | "interrupted";
  /** Completed epochs. */
  history: EpochRecord[];
  /** Epoch chosen by validation accuracy (ties: earliest); undefined if interrupted or no valData. */
  bestEpoch?: number;
  /** Test evaluation of the chosen checkpoint, when testData was given. */
  test?: EvaluationResult;
  /** The run directory. */
  runDir: string;
  /** Weights file of the last checkpoint written. */
  lastCheckpoint?: string;
}

/**
 * Trains a model with the paper's procedure: per epoch, train on every batch
 * (loss + accuracy), validate, checkpoint (`checkpoints/epoch-NN.*`), write
 * `history.csv`/`history.json` and update `latest.json`; finally pick the
 * best epoch by validation accuracy and evaluate it on the test data
 * (`result.json`). The model is left holding the chosen epoch's weights.
 *
 * @param options - See {@link TrainOptions}.
 * @returns Status, history, best epoch and test metrics.
 * @throws {InvalidOptionError} On an invalid option (before any work).
 * @throws {CheckpointError} When `runDir` already holds a run (use {@link resume}).
 * @throws {NonFiniteLossError} When the loss becomes NaN/Inf; the last good checkpoint stays in `latest.json`.
 * @example
 * ```ts
 * const result = await train({ model, trainData, valData, testData, runDir: "runs/celeba" });
 * console.log(result.bestEpoch, result.test?.accuracy);
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config: RunConfig = {
    version: 1,
    epochs: options.epochs ?? 12,
    loss: typeof options.loss === "function" ? "custom" : (options.loss ?? "mse"),
    optimizer: options.optimizer ?? { name: "adamax" },
    attributeNames: options.attributeNames ?? null,
    seed: options.seed ?? 0,
    checkpointMetadata: options.checkpointMetadata ?? {},
    checkpointEverySteps: options.checkpointEverySteps ?? 0,
    threshold: options.threshold ?? 0,
    architecture: architectureOf(options),
    normalization: options.normalization ?? null,
    ...(options.settings ? { settings: options.settings } : {}),
  };
  validateConfig(config);
  // Fail on a bad optimizer config before touching the disk.
  createOptimizer(config.optimizer).dispose();
  const lossFn =
    typeof options.loss === "function" ? options.loss : lossByName(config.loss as LossName);
  const dir = new RunDirectory(options.runDir, options.storage);
  if ((await dir.storage.readText(dir.path(RUN_FILES.config))) !== undefined) {
    throw new CheckpointError({
      path: options.runDir,
      message:
        "already holds a run (run.json exists). Call resume(runDir, ...) to continue it, or pick an empty runDir.",
    });
  }
  await dir.writeConfig(config);
  return runLoop(dir, config, lossFn, options, undefined);
}

/**
 * Continues a run from its last complete checkpoint (`latest.json`): loads
 * weights, optimizer and loop state, then replays the data from the saved
 * (epoch, step), so the result equals an uninterrupted run. On a finished
 * run it redoes only the best-epoch selection and test evaluation.
 *
 * @param runDir - The run directory given to {@link train}.
 * @param options - The model (built as for `train`) and data sources again.
 * @returns As {@link train}.
 * @throws {CheckpointError} When `runDir` has no `run.json` or the checkpoint does not fit the model.
 * @throws {NonFiniteLossError} As {@link train}.
 * @example
 * ```ts
 * const ac = new AbortController(); process.once("SIGINT", () => ac.abort());
 * const result = await resume("runs/celeba", { model, trainData, valData, signal: ac.signal });
 * ```
 */
export async function resume(runDir: string, options: ResumeOptions): Promise<TrainResult> {
  const dir = new RunDirectory(runDir, options.storage);
  const runJson = dir.path(RUN_FILES.config);
  let config: RunConfig;
  try {
    const text = await dir.storage.readText(runJson);
    if (text === undefined) throw new Error("no such file");
    config = JSON.parse(text) as RunConfig;
  } catch (e) {
    throw new CheckpointError({
      path: runJson,
      message: `cannot be read (${(e as Error).message}). Is ${runDir} a directory made by train()?`,
    });
  }
  if (options.epochs !== undefined) config = { ...config, epochs: options.epochs };
  if (options.settings !== undefined) config = { ...config, settings: options.settings };
  validateConfig(config);
  let lossFn: LossFunction;
  if (options.loss) lossFn = options.loss;
  else if (config.loss === "custom") {
    throw new InvalidOptionError({
      option: "loss",
      hint: "This run was started with a custom loss function; pass the same function as resume(runDir, { loss }).",
    });
  } else lossFn = lossByName(config.loss);
  if (options.epochs !== undefined || options.settings !== undefined) await dir.writeConfig(config);
  return runLoop(dir, config, lossFn, options, await dir.readLatest());
}

async function runLoop(
  dir: RunDirectory,
  config: RunConfig,
  lossFn: LossFunction,
  inputs: RunInputs,
  latest: LatestPointer | undefined,
): Promise<TrainResult> {
  const { model, hooks = {} } = inputs;
  let state: CheckpointState = {
    version: 1,
    seed: config.seed,
    next: { epoch: 1, step: 0 },
    epochProgress: zeroProgress(),
    history: [],
    optimizerIterations: 0,
  };
  let optimizerState: StateDict | undefined;
  if (latest) ({ state, optimizerState } = await dir.readCheckpoint(latest.checkpoint, model));
  const variables = model.trainableVariables();
  const paramNames = new Map([...variables].map(([key, v]) => [v.name, key]));
  const optimizer = createOptimizer(config.optimizer);
  const bar = new ProgressBar(
    typeof inputs.progress === "object"
      ? { stream: inputs.progress }
      : { enabled: inputs.progress },
  );
  const checkpoint = async ({ epoch, step, complete, metrics }: CheckpointRequest) => {
    state.optimizerIterations = optimizer.iterations;
    const path = await dir.saveCheckpoint({
      epoch,
      step,
      complete,
      model,
      optimizer,
      paramNames,
      metadata: checkpointMetadataOf(config, model, state, epoch, step, metrics),
      state,
    });
    await hooks.onCheckpoint?.({ epoch, step, complete, path });
  };
  let status: "completed" | "interrupted";
  try {
    if (optimizerState) optimizer.setState(optimizerState, paramNames);
    // The initial weights are checkpoint 0, so a run killed before its first epoch resumes exactly.
    if (!latest) await checkpoint({ epoch: 0, step: 0, complete: false, metrics: {} });
    status = await fit({
      model,
      optimizer,
      variables,
      loss: lossFn,
      trainData: inputs.trainData,
      ...(inputs.valData ? { valData: inputs.valData } : {}),
      epochs: config.epochs,
      threshold: config.threshold,
      checkpointEverySteps: config.checkpointEverySteps,
      state,
      ...(inputs.signal ? { signal: inputs.signal } : {}),
      bar,
      ...(inputs.stepsPerEpoch !== undefined ? { stepsPerEpoch: inputs.stepsPerEpoch } : {}),
      hooks,
      checkpoint,
      lastCheckpoint: () => dir.lastCheckpoint(),
    });
  } finally {
    optimizer.dispose();
  }
  const lastCheckpoint = dir.lastCheckpoint();
  if (status === "interrupted") {
    return {
      status,
      history: state.history,
      runDir: dir.runDir,
      ...(lastCheckpoint ? { lastCheckpoint } : {}),
    };
  }
  return finish(dir, config, lossFn, inputs, state.history, lastCheckpoint);
}

/** The metadata of a checkpoint: the typed {@link CheckpointMetadata} over the caller's extra keys. */
function checkpointMetadataOf(
  config: RunConfig,
  model: TrainableModel,
  state: CheckpointState,
  epoch: number,
  step: number,
  metrics: Record<string, number>,
): Record<string, string> {
  const user = Object.fromEntries(
    Object.entries(config.checkpointMetadata).map(([k, v]) => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
  const [height, width] = state.inputSize ?? [];
  const typed: CheckpointMetadata = {
    architecture: config.architecture ?? architectureOf({ ...config, model }),
    inputSize: height && width ? { width, height } : null,
    attributeNames: config.attributeNames,
    normalization: config.normalization ?? null,
    epoch,
    step,
    metrics,
    config: {
      epochs: config.epochs,
      loss: config.loss,
      optimizer: config.optimizer,
      seed: config.seed,
      threshold: config.threshold,
    },
  };
  return { ...user, ...encodeCheckpointMetadata(typed) };
}

async function finish(
  dir: RunDirectory,
  config: RunConfig,
  lossFn: LossFunction,
  inputs: RunInputs,
  history: EpochRecord[],
  lastCheckpoint: string | undefined,
): Promise<TrainResult> {
  const { bestEpoch, selectedBy, test } = await testBestEpoch({
    model: inputs.model,
    history,
    loadEpoch: async (epoch) =>
      inputs.model.loadStateDict(await dir.readEpochWeights(epoch), { strict: true }),
    ...(inputs.testData ? { testData: inputs.testData } : {}),
    loss: lossFn,
    threshold: config.threshold,
  });
  if (bestEpoch !== undefined && test)
    await inputs.hooks?.onTestEnd?.({ epoch: bestEpoch, result: test });
  const resultJson = {
    status: "completed",
    bestEpoch: bestEpoch ?? null,
    bestCheckpoint: bestEpoch === undefined ? null : `${checkpointBase(bestEpoch)}.safetensors`,
    selectedBy,
    test: test
      ? {
          loss: test.loss,
          accuracy: test.accuracy,
          count: test.count,
          perAttributeAccuracy: Object.fromEntries(
            test.perAttributeAccuracy.map((a, i) => [config.attributeNames?.[i] ?? String(i), a]),
          ),
        }
      : null,
    history,
  };
  await dir.writeResult(resultJson);
  return {
    status: "completed",
    history,
    ...(bestEpoch !== undefined ? { bestEpoch } : {}),
    ...(test ? { test } : {}),
    runDir: dir.runDir,
    ...(lastCheckpoint ? { lastCheckpoint } : {}),
  };
}

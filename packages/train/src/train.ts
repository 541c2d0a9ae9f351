import type { StateDict } from "@celeba/resnext";
import * as tf from "@tensorflow/tfjs-core";
import type { DataSource, EvalData } from "./batch";
import { batchTensors } from "./batch-tensors";
import {
  type CheckpointState,
  checkpointBase,
  checkpointFiles,
  type EpochProgress,
  formatJson,
  type LatestPointer,
  readCheckpoint,
  readLatest,
  readSafetensorsFrom,
  removeCheckpoint,
  writeCheckpoint,
} from "./checkpoint";
import {
  type CheckpointMetadata,
  encodeCheckpointMetadata,
  type Normalization,
} from "./checkpoint-metadata";
import { createOptimizer, type OptimizerConfig } from "./create-optimizer";
import { defaultRunStorage } from "./default-run-storage";
import { CheckpointError, InvalidOptionError, NonFiniteLossError } from "./errors";
import { type EvaluationResult, evaluate } from "./evaluate";
import { type EpochRecord, historyToCsv, selectBestEpoch } from "./history";
import { LOSS_NAMES, type LossFunction, type LossName, lossByName } from "./losses";
import { ProgressBar, type ProgressStream } from "./progress-bar";
import { type RunStorage, runPath } from "./run-storage";
import { trainStepAsync } from "./train-step";
import type { TrainableModel } from "./trainable-model";

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
  /** Decision threshold for accuracy. Default 0 (the paper's). */
  threshold?: number;
}

/** Options of {@link resume}: the inputs again, and optionally more epochs. */
export interface ResumeOptions extends RunInputs {
  /** Total epochs (to extend a finished run). Default: as saved. */
  epochs?: number;
  /** Required when the run was started with a custom loss function. */
  loss?: LossFunction;
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

/** The `run.json` file. */
interface RunConfig {
  version: 1;
  epochs: number;
  loss: LossName | "custom";
  optimizer: OptimizerConfig;
  attributeNames: string[] | null;
  seed: number | string;
  checkpointMetadata: Record<string, unknown>;
  checkpointEverySteps: number;
  threshold: number;
  /** Absent in runs started before the typed metadata. */
  architecture?: string;
  normalization?: Normalization | null;
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
  };
  validateConfig(config);
  // Fail on a bad optimizer config before touching the disk.
  createOptimizer(config.optimizer).dispose();
  const lossFn =
    typeof options.loss === "function" ? options.loss : lossByName(config.loss as LossName);
  const storage = options.storage ?? defaultRunStorage();
  const runJson = runPath(options.runDir, "run.json");
  if ((await storage.readText(runJson)) !== undefined) {
    throw new CheckpointError({
      path: options.runDir,
      message:
        "already holds a run (run.json exists). Call resume(runDir, ...) to continue it, or pick an empty runDir.",
    });
  }
  await storage.write(runJson, formatJson(config));
  return runLoop(storage, options.runDir, config, lossFn, options, undefined);
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
  const storage = options.storage ?? defaultRunStorage();
  const runJson = runPath(runDir, "run.json");
  let config: RunConfig;
  try {
    const text = await storage.readText(runJson);
    if (text === undefined) throw new Error("no such file");
    config = JSON.parse(text) as RunConfig;
  } catch (e) {
    throw new CheckpointError({
      path: runJson,
      message: `cannot be read (${(e as Error).message}). Is ${runDir} a directory made by train()?`,
    });
  }
  if (options.epochs !== undefined) config = { ...config, epochs: options.epochs };
  validateConfig(config);
  let lossFn: LossFunction;
  if (options.loss) lossFn = options.loss;
  else if (config.loss === "custom") {
    throw new InvalidOptionError({
      option: "loss",
      hint: "This run was started with a custom loss function; pass the same function as resume(runDir, { loss }).",
    });
  } else lossFn = lossByName(config.loss);
  if (options.epochs !== undefined) await storage.write(runJson, formatJson(config));
  return runLoop(storage, runDir, config, lossFn, options, await readLatest(storage, runDir));
}

async function runLoop(
  storage: RunStorage,
  runDir: string,
  config: RunConfig,
  lossFn: LossFunction,
  inputs: RunInputs,
  latest: LatestPointer | undefined,
): Promise<TrainResult> {
  const { model, hooks = {}, signal } = inputs;
  let state: CheckpointState = {
    version: 1,
    seed: config.seed,
    next: { epoch: 1, step: 0 },
    epochProgress: zeroProgress(),
    history: [],
    optimizerIterations: 0,
  };
  let optimizerState: StateDict | undefined;
  if (latest) {
    ({ state, optimizerState } = await readCheckpoint(storage, runDir, latest.checkpoint, model));
  }
  const variables = model.trainableVariables();
  const paramNames = new Map([...variables].map(([key, v]) => [v.name, key]));
  const optimizer = createOptimizer(config.optimizer);
  const bar = new ProgressBar(
    typeof inputs.progress === "object"
      ? { stream: inputs.progress }
      : { enabled: inputs.progress },
  );
  let lastBase = latest?.checkpoint;
  const metadataFor = (
    epoch: number,
    step: number,
    metrics: Record<string, number>,
  ): Record<string, string> => {
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
  };
  const save = async (
    base: string,
    epoch: number,
    step: number,
    complete: boolean,
    metrics: Record<string, number>,
  ) => {
    state.optimizerIterations = optimizer.iterations;
    await writeCheckpoint(storage, runDir, base, {
      model,
      optimizer,
      paramNames,
      metadata: metadataFor(epoch, step, metrics),
      state,
    });
    if (complete) {
      await storage.write(runPath(runDir, "history.csv"), historyToCsv(state.history));
      await storage.write(runPath(runDir, "history.json"), formatJson(state.history));
    }
    const pointer: LatestPointer = { checkpoint: base, epoch, step, complete };
    // latest.json goes last: until it is renamed, the previous checkpoint stays the one to resume from.
    await storage.write(runPath(runDir, "latest.json"), formatJson(pointer));
    if (lastBase && lastBase !== base && /-step-\d+$/.test(lastBase))
      await removeCheckpoint(storage, runDir, lastBase);
    lastBase = base;
    await hooks.onCheckpoint?.({
      epoch,
      step,
      complete,
      path: checkpointFiles(runPath(runDir, base)).weights,
    });
  };
  const lastCheckpoint = () =>
    lastBase ? checkpointFiles(runPath(runDir, lastBase)).weights : undefined;
  const interrupted = async (
    epoch: number,
    step: number,
    progress: EpochProgress,
  ): Promise<TrainResult> => {
    state.next = { epoch, step };
    state.epochProgress = progress;
    await save(checkpointBase(epoch, step), epoch, step, false, {});
    bar.stop("interrupted");
    return {
      status: "interrupted",
      history: state.history,
      runDir,
      lastCheckpoint: lastCheckpoint(),
    };
  };

  try {
    if (optimizerState) optimizer.setState(optimizerState, paramNames);
    if (!latest) {
      // The initial weights are checkpoint 0, so a run killed before its first epoch resumes exactly.
      await save(checkpointBase(0), 0, 0, false, {});
    }
    for (let epoch = state.next.epoch; epoch <= config.epochs; epoch++) {
      let step = epoch === state.next.epoch ? state.next.step : 0;
      const progress = epoch === state.next.epoch ? { ...state.epochProgress } : zeroProgress();
      const started = performance.now();
      const secondsBefore = progress.seconds;
      const elapsed = () => secondsBefore + (performance.now() - started) / 1000;
      let imagesThisRun = 0;
      bar.start(
        `epoch ${epoch}/${config.epochs}`,
        state.stepsPerEpoch ?? inputs.stepsPerEpoch,
        step,
      );
      if (signal?.aborted)
        return await interrupted(epoch, step, { ...progress, seconds: elapsed() });
      for await (const batch of inputs.trainData(epoch, step)) {
        const n = batch.shape[0];
        state.inputSize ??= batch.shape.slice(1);
        let result: Awaited<ReturnType<typeof trainStepAsync>>;
        const t = batchTensors(batch, step);
        try {
          result = await trainStepAsync(model, optimizer, lossFn, t.x, t.y, {
            variables,
            epoch,
            step,
            threshold: config.threshold,
          });
        } catch (e) {
          if (NonFiniteLossError.isInstance(e)) {
            bar.stop("non-finite loss");
            throw new NonFiniteLossError({
              epoch,
              step,
              loss: e.loss,
              lastCheckpoint: lastCheckpoint(),
            });
          }
          throw e;
        } finally {
          tf.dispose([t.x, t.y]);
        }
        progress.lossSum += result.loss * n;
        progress.correct += result.correct;
        progress.count += n;
        progress.values += n * t.numClasses;
        imagesThisRun += n;
        step++;
        const seconds = (performance.now() - started) / 1000;
        bar.update(step, imagesThisRun, result.loss);
        await hooks.onStepEnd?.({
          epoch,
          step: step - 1,
          loss: result.loss,
          batchSize: n,
          imagesPerSecond: imagesThisRun / Math.max(seconds, 1e-9),
        });
        if (signal?.aborted)
          return await interrupted(epoch, step, { ...progress, seconds: elapsed() });
        if (config.checkpointEverySteps > 0 && step % config.checkpointEverySteps === 0) {
          state.next = { epoch, step };
          state.epochProgress = { ...progress, seconds: elapsed() };
          await save(checkpointBase(epoch, step), epoch, step, false, {});
        }
      }
      bar.stop();
      if (progress.count === 0) {
        throw new InvalidOptionError({
          option: "trainData",
          value: `epoch ${epoch}`,
          hint: "The training data source yielded no batches for this epoch; check the split and the batch size.",
        });
      }
      let val: EvaluationResult | undefined;
      if (inputs.valData) {
        try {
          val = await evaluate(model, inputs.valData, {
            loss: lossFn,
            epoch,
            signal,
            threshold: config.threshold,
          });
        } catch (e) {
          if (signal?.aborted)
            return await interrupted(epoch, step, { ...progress, seconds: elapsed() });
          throw e;
        }
        await hooks.onValidationEnd?.({ epoch, result: val });
      }
      const record: EpochRecord = {
        epoch,
        trainLoss: progress.lossSum / progress.count,
        trainAccuracy: progress.correct / progress.values,
        valLoss: val?.loss ?? Number.NaN,
        valAccuracy: val?.accuracy ?? Number.NaN,
        seconds: elapsed(),
      };
      state.history = [...state.history.filter((r) => r.epoch < epoch), record];
      state.next = { epoch: epoch + 1, step: 0 };
      state.epochProgress = zeroProgress();
      state.stepsPerEpoch = step;
      await save(checkpointBase(epoch), epoch, step, true, {
        train_loss: record.trainLoss,
        train_accuracy: record.trainAccuracy,
        val_loss: record.valLoss,
        val_accuracy: record.valAccuracy,
      });
      await hooks.onEpochEnd?.(record);
    }
  } finally {
    optimizer.dispose();
  }
  return finish(storage, runDir, config, lossFn, inputs, state.history, lastCheckpoint());
}

async function finish(
  storage: RunStorage,
  runDir: string,
  config: RunConfig,
  lossFn: LossFunction,
  inputs: RunInputs,
  history: EpochRecord[],
  lastCheckpoint: string | undefined,
): Promise<TrainResult> {
  const hasVal = history.some((r) => Number.isFinite(r.valAccuracy));
  const bestEpoch = hasVal ? selectBestEpoch(history) : history.at(-1)?.epoch;
  let test: EvaluationResult | undefined;
  if (bestEpoch !== undefined) {
    const weights = checkpointFiles(runPath(runDir, checkpointBase(bestEpoch))).weights;
    inputs.model.loadStateDict(await readSafetensorsFrom(storage, weights), { strict: true });
    if (inputs.testData) {
      test = await evaluate(inputs.model, inputs.testData, {
        loss: lossFn,
        threshold: config.threshold,
      });
      await inputs.hooks?.onTestEnd?.({ epoch: bestEpoch, result: test });
    }
  }
  const resultJson = {
    status: "completed",
    bestEpoch: bestEpoch ?? null,
    bestCheckpoint: bestEpoch === undefined ? null : `${checkpointBase(bestEpoch)}.safetensors`,
    selectedBy: hasVal ? "val_accuracy" : "last_epoch",
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
  await storage.write(runPath(runDir, "result.json"), formatJson(resultJson));
  return {
    status: "completed",
    history,
    ...(bestEpoch !== undefined ? { bestEpoch } : {}),
    ...(test ? { test } : {}),
    runDir,
    ...(lastCheckpoint ? { lastCheckpoint } : {}),
  };
}

function validateConfig(config: RunConfig): void {
  if (!Number.isInteger(config.epochs) || config.epochs < 1) {
    throw new InvalidOptionError({
      option: "epochs",
      value: config.epochs,
      hint: "Expected a positive integer (the paper used 12).",
    });
  }
  if (config.loss !== "custom" && !LOSS_NAMES.includes(config.loss)) {
    throw new InvalidOptionError({
      option: "loss",
      value: config.loss,
      hint: "Pass a built-in loss name or a loss function.",
      validChoices: LOSS_NAMES,
    });
  }
  if (!Number.isInteger(config.checkpointEverySteps) || config.checkpointEverySteps < 0) {
    throw new InvalidOptionError({
      option: "checkpointEverySteps",
      value: config.checkpointEverySteps,
      hint: "Expected an integer >= 0 (0 = checkpoint only at epoch ends).",
    });
  }
  if (!Number.isFinite(config.threshold)) {
    throw new InvalidOptionError({
      option: "threshold",
      value: config.threshold,
      hint: "Expected a finite number (the paper used 0).",
    });
  }
  if (typeof config.seed !== "number" && typeof config.seed !== "string") {
    throw new InvalidOptionError({
      option: "seed",
      value: config.seed,
      hint: "Expected a number or a string.",
    });
  }
}

/** The architecture to record: given, else named in the extra metadata, else the model's own `arch`. */
function architectureOf(options: {
  architecture?: string;
  checkpointMetadata?: Record<string, unknown>;
  model: TrainableModel;
}): string {
  const extra = options.checkpointMetadata?.architecture;
  return (
    options.architecture ??
    (typeof extra === "string" ? extra : undefined) ??
    options.model.arch ??
    "unknown"
  );
}

function zeroProgress(): EpochProgress {
  return { lossSum: 0, correct: 0, count: 0, values: 0, seconds: 0 };
}

import * as tf from "@tensorflow/tfjs-core";
import type { DataSource, EvalData } from "./batch";
import { batchTensors } from "./batch-tensors";
import type { CheckpointState, EpochProgress } from "./checkpoint";
import { InvalidOptionError, NonFiniteLossError } from "./errors";
import { type EvaluationResult, evaluate } from "./evaluate";
import type { EpochRecord } from "./history";
import type { LossFunction } from "./losses";
import type { ProgressBar } from "./progress-bar";
import type { TorchOptimizer } from "./torch-optimizer";
import type { TrainHooks } from "./train-hooks";
import { trainStepAsync } from "./train-step";
import type { TrainableModel } from "./trainable-model";

/** Where the fit loop asks for a checkpoint: the loop state is already updated to resume there. */
export interface CheckpointRequest {
  /** 1-based epoch. */
  epoch: number;
  /** Steps done in that epoch. */
  step: number;
  /** True at an epoch's end. */
  complete: boolean;
  /** The epoch's metrics at its end, for the checkpoint's metadata; empty otherwise. */
  metrics: Record<string, number>;
}

/** What {@link fit} needs: the model and its optimizer, the data, and where to report. */
export interface FitOptions {
  model: TrainableModel;
  optimizer: TorchOptimizer;
  /** The model's trainable variables, by state-dict key. */
  variables: Map<string, tf.Variable>;
  loss: LossFunction;
  trainData: DataSource;
  valData?: EvalData;
  /** Train until this epoch (inclusive). */
  epochs: number;
  threshold: number;
  /** Also ask for a checkpoint every N steps within an epoch (0 = only at epoch ends). */
  checkpointEverySteps: number;
  /** The loop state to continue from; the loop updates it in place. */
  state: CheckpointState;
  signal?: AbortSignal;
  bar: ProgressBar;
  /** Steps per epoch for the bar, until an epoch has completed. */
  stepsPerEpoch?: number;
  hooks?: TrainHooks;
  /** Persists the state at this point; the loop itself does no file I/O. */
  checkpoint(request: CheckpointRequest): Promise<void>;
  /** The weights file of the last checkpoint persisted, for the non-finite loss error. */
  lastCheckpoint(): string | undefined;
}

/**
 * The steps and epochs of training: per epoch, a step per batch, then validation; the state moves
 * on as it goes, and `checkpoint` is called where the run must be resumable (each epoch's end,
 * every `checkpointEverySteps`, and on abort). Replaying the data from `state.next` makes a
 * resumed run equal an uninterrupted one.
 *
 * @returns `"interrupted"` when the signal aborted (after its checkpoint), else `"completed"`.
 * @throws {NonFiniteLossError} When a step's loss is NaN or infinite.
 * @throws {InvalidOptionError} When the training data yields no batch in an epoch.
 */
export async function fit(options: FitOptions): Promise<"completed" | "interrupted"> {
  const { model, optimizer, state, signal, bar, hooks = {} } = options;
  const interrupted = async (epoch: number, step: number, progress: EpochProgress) => {
    state.next = { epoch, step };
    state.epochProgress = progress;
    await options.checkpoint({ epoch, step, complete: false, metrics: {} });
    bar.stop("interrupted");
    return "interrupted" as const;
  };
  for (let epoch = state.next.epoch; epoch <= options.epochs; epoch++) {
    let step = epoch === state.next.epoch ? state.next.step : 0;
    const progress = epoch === state.next.epoch ? { ...state.epochProgress } : zeroProgress();
    const started = performance.now();
    const secondsBefore = progress.seconds;
    const elapsed = () => secondsBefore + (performance.now() - started) / 1000;
    let imagesThisRun = 0;
    bar.start(
      `epoch ${epoch}/${options.epochs}`,
      state.stepsPerEpoch ?? options.stepsPerEpoch,
      step,
    );
    if (signal?.aborted) return await interrupted(epoch, step, { ...progress, seconds: elapsed() });
    for await (const batch of options.trainData(epoch, step)) {
      const n = batch.shape[0];
      state.inputSize ??= batch.shape.slice(1);
      let result: Awaited<ReturnType<typeof trainStepAsync>>;
      const t = batchTensors(batch, step);
      try {
        result = await trainStepAsync(model, optimizer, options.loss, t.x, t.y, {
          variables: options.variables,
          epoch,
          step,
          threshold: options.threshold,
        });
      } catch (e) {
        if (NonFiniteLossError.isInstance(e)) {
          bar.stop("non-finite loss");
          throw new NonFiniteLossError({
            epoch,
            step,
            loss: e.loss,
            lastCheckpoint: options.lastCheckpoint(),
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
      if (options.checkpointEverySteps > 0 && step % options.checkpointEverySteps === 0) {
        state.next = { epoch, step };
        state.epochProgress = { ...progress, seconds: elapsed() };
        await options.checkpoint({ epoch, step, complete: false, metrics: {} });
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
    if (options.valData) {
      try {
        val = await evaluate(model, options.valData, {
          loss: options.loss,
          epoch,
          signal,
          threshold: options.threshold,
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
    await options.checkpoint({
      epoch,
      step,
      complete: true,
      metrics: {
        train_loss: record.trainLoss,
        train_accuracy: record.trainAccuracy,
        val_loss: record.valLoss,
        val_accuracy: record.valAccuracy,
      },
    });
    await hooks.onEpochEnd?.(record);
  }
  return "completed";
}

/** The sums of an epoch not yet begun. */
export function zeroProgress(): EpochProgress {
  return { lossSum: 0, correct: 0, count: 0, values: 0, seconds: 0 };
}

import type { EvalData } from "./batch";
import { type EvaluateOptions, type EvaluationResult, evaluate } from "./evaluate";
import { type EpochRecord, selectBestEpoch } from "./history";
import type { LossFunction, LossName } from "./losses";
import type { TrainableModel } from "./trainable-model";

/** What {@link testBestEpoch} needs: the history, a way to load an epoch, and the test data. */
export interface TestBestEpochOptions<M extends TrainableModel, D extends EvalData> {
  model: M;
  /** Completed epochs; the best is chosen by `valAccuracy` (ties: earliest), else the last. */
  history: EpochRecord[];
  /** Loads the given epoch's checkpoint into `model`. */
  loadEpoch(epoch: number): Promise<unknown>;
  /** Test data; without it only the choice is made. */
  testData?: D;
  loss: LossName | LossFunction;
  /** Decision threshold. Default 0 (the paper's). */
  threshold?: number;
  /** Scores the model on the test data. Default {@link evaluate}; another engine may stand in. */
  evaluate?: (model: M, data: D, options: EvaluateOptions) => Promise<EvaluationResult>;
}

/** The chosen epoch, why, and its test result. */
export interface BestEpochResult {
  bestEpoch?: number;
  selectedBy: "val_accuracy" | "last_epoch";
  test?: EvaluationResult;
}

/**
 * The seed's last step: pick the epoch with the best validation accuracy (the last epoch when
 * nothing was validated), load its checkpoint and evaluate it on the test data. {@link train}
 * ends with it, and an app that re-validates a run's checkpoints calls it the same way.
 *
 * @returns The chosen epoch, how it was chosen, and its test result when `testData` is given.
 * @example
 * ```ts
 * const { bestEpoch, test } = await testBestEpoch({
 *   model, history, testData, loss: "mse",
 *   loadEpoch: async (e) => model.loadStateDict(await readStateDict(epochWeightsPath(runDir, e))),
 * });
 * ```
 */
export async function testBestEpoch<M extends TrainableModel, D extends EvalData>(
  options: TestBestEpochOptions<M, D>,
): Promise<BestEpochResult> {
  const { history } = options;
  const hasVal = history.some((r) => Number.isFinite(r.valAccuracy));
  const bestEpoch = hasVal ? selectBestEpoch(history) : history.at(-1)?.epoch;
  const selectedBy = hasVal ? "val_accuracy" : "last_epoch";
  if (bestEpoch === undefined) return { selectedBy };
  await options.loadEpoch(bestEpoch);
  if (options.testData === undefined) return { bestEpoch, selectedBy };
  const score = options.evaluate ?? evaluate;
  const test = await score(options.model, options.testData, {
    loss: options.loss,
    threshold: options.threshold ?? 0,
  });
  return { bestEpoch, selectedBy, test };
}

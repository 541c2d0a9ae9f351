import { TrainError } from "./errors";

/** One row of the training history (`history.json`; `history.csv` uses snake_case columns). */
export interface EpochRecord {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss over the epoch's samples (model in train mode, before each step). */
  trainLoss: number;
  /** Training accuracy over the epoch (threshold 0), from the same forward passes. */
  trainAccuracy: number;
  /** Validation loss of the epoch's checkpoint (NaN when there is no validation data). */
  valLoss: number;
  /** Validation accuracy of the epoch's checkpoint (NaN when there is no validation data). */
  valAccuracy: number;
  /** Wall-clock seconds spent on the epoch (training + validation), summed over resumes. */
  seconds: number;
}

/** The `history.csv` header. */
export const HISTORY_CSV_HEADER = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds";

/**
 * Picks the epoch whose checkpoint is used for testing: the highest
 * validation accuracy, ties going to the earliest epoch (the paper's rule,
 * which chose epoch 3).
 *
 * @param history - Epoch records, in any order.
 * @returns The chosen 1-based epoch.
 * @throws {TrainError} When no record has a finite validation accuracy.
 * @example
 * ```ts
 * selectBestEpoch([{ epoch: 1, valAccuracy: 0.9 }, { epoch: 2, valAccuracy: 0.91 }] as EpochRecord[]); // 2
 * ```
 */
export function selectBestEpoch(
  history: readonly Pick<EpochRecord, "epoch" | "valAccuracy">[],
): number {
  let best: Pick<EpochRecord, "epoch" | "valAccuracy"> | undefined;
  for (const r of history) {
    if (!Number.isFinite(r.valAccuracy)) continue;
    if (
      best === undefined ||
      r.valAccuracy > best.valAccuracy ||
      (r.valAccuracy === best.valAccuracy && r.epoch < best.epoch)
    ) {
      best = r;
    }
  }
  if (best === undefined) {
    throw new TrainError({
      message:
        `selectBestEpoch: none of the ${history.length} history records has a finite valAccuracy. ` +
        "Pass validation data (valData) to train() so every epoch is validated.",
    });
  }
  return best.epoch;
}

/**
 * Formats the history as CSV with the {@link HISTORY_CSV_HEADER} columns.
 *
 * @param history - Epoch records, written in the given order.
 * @returns CSV text ending with a newline.
 * @example
 * ```ts
 * await writeFile("history.csv", historyToCsv(result.history));
 * // epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds
 * ```
 */
export function historyToCsv(history: readonly EpochRecord[]): string {
  const rows = history.map((r) =>
    [r.epoch, r.trainLoss, r.trainAccuracy, r.valLoss, r.valAccuracy, r.seconds.toFixed(3)].join(
      ",",
    ),
  );
  return `${[HISTORY_CSV_HEADER, ...rows].join("\n")}\n`;
}

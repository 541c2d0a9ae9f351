import type { EpochRecord, StepEndEvent, TrainHooks } from "@celeba/train";

/** How `train` and `demo` show a run: a progress bar, plain progress lines, and epoch lines. */
export interface TrainingOutput {
  /** For the library's `progress` input: its redrawn bar only on a terminal. */
  progressBar: boolean;
  /** Prints plain progress lines (off a terminal) and one line per epoch (always). */
  hooks: TrainHooks;
}

/** One epoch's line: train and validation loss and accuracy, and its time. */
export function formatEpochLine(record: EpochRecord, epochs: number): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : "-");
  const loss = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "-");
  return (
    `epoch ${record.epoch}/${epochs}: train loss ${loss(record.trainLoss)} accuracy ${pct(record.trainAccuracy)}, ` +
    `validation loss ${loss(record.valLoss)} accuracy ${pct(record.valAccuracy)} (${record.seconds.toFixed(1)} s)`
  );
}

/** One plain progress line, for logs and pipes: no carriage return, no escape codes. */
export function formatStepLine(event: StepEndEvent, epochs: number, stepsPerEpoch: number): string {
  return (
    `epoch ${event.epoch}/${epochs} step ${event.step + 1}/${stepsPerEpoch}: ` +
    `loss ${event.loss.toFixed(4)}, ${event.imagesPerSecond.toFixed(1)} img/s`
  );
}

/**
 * Chooses the output of a training run. On a terminal the library draws its bar (redrawn with
 * carriage returns); anywhere else (a file, a pipe, a CI log) a plain line every tenth of an epoch
 * stands in for it, so logs hold no redraws. `quiet` drops both; the epoch lines always print.
 */
export function trainingOutput(options: {
  log: (line: string) => void;
  quiet: boolean;
  terminal: boolean;
  epochs: number;
  stepsPerEpoch: number;
}): TrainingOutput {
  const { log, quiet, terminal, epochs, stepsPerEpoch } = options;
  const plain = !quiet && !terminal;
  const every = Math.max(1, Math.round(stepsPerEpoch / 10));
  return {
    progressBar: !quiet && terminal,
    hooks: {
      onStepEnd(event) {
        const done = event.step + 1;
        if (plain && (done % every === 0 || done === stepsPerEpoch)) {
          log(formatStepLine(event, epochs, stepsPerEpoch));
        }
      },
      onEpochEnd(record) {
        log(formatEpochLine(record, epochs));
      },
    },
  };
}

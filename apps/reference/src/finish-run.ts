import { join } from "node:path";
import { writePredictions } from "@celeba/data";
import { writeFileAtomic } from "@celeba/internal/node";
import type { EpochRecord, EvaluationResult } from "@celeba/train";
import { renderAccuracyChart } from "./chart";
import { type RunSummary, renderReportMarkdown, summarizeRun } from "./report";

/**
 * Writes what a finished run leaves beside its checkpoints: `summary.json`, `report.md`,
 * `accuracy.png` and `predictions.csv` (the test split's predictions by the best checkpoint,
 * ±1 by the paper's threshold of 0).
 */
export async function writeRunOutputs(options: {
  runDir: string;
  title: string;
  config: Record<string, unknown>;
  history: EpochRecord[];
  bestEpoch: number;
  test: EvaluationResult;
  attributeNames: string[];
  realCelebA: boolean;
}): Promise<RunSummary> {
  const { runDir, history, bestEpoch, test, attributeNames } = options;
  const { summary, report } = summarizeRun(options);
  await writeFileAtomic(join(runDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  const { png } = await renderAccuracyChart(
    history.map((h) => ({
      epoch: h.epoch,
      trainAccuracy: h.trainAccuracy,
      valAccuracy: h.valAccuracy,
    })),
    bestEpoch,
  );
  await writeFileAtomic(join(runDir, "accuracy.png"), png);
  await writeFileAtomic(
    join(runDir, "report.md"),
    renderReportMarkdown({
      title: options.title,
      config: options.config,
      history,
      summary,
      report,
    }),
  );
  await writePredictions(join(runDir, "predictions.csv"), test.ids, attributeNames, test.scores);
  return summary;
}

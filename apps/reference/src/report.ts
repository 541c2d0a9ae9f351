import { type AttributeReport, attributeReport, formatAttributeTable } from "@celeba/metrics";
import type { EpochRecord, EvaluationResult } from "@celeba/train";
import { PAPER_PUBLISHED } from "./published";

/** What a run's `summary.json` holds. */
export interface RunSummary {
  bestEpoch: number;
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  majorityBaselineAccuracy: number;
  testCount: number;
  perAttribute: Array<{
    name: string;
    accuracy: number;
    baseline: number;
    precision: number;
    recall: number;
    f1: number;
    balancedAccuracy: number;
    positiveRate: number;
  }>;
  realCelebA: boolean;
  published?: typeof PAPER_PUBLISHED;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

function describeMargin(diff: number): string {
  const points = Math.abs(diff * 100).toFixed(2);
  return diff >= 0 ? `${points} points above it` : `${points} points below it`;
}

/**
 * Builds the run summary and the paper's tables from the history and the test evaluation
 * of the best checkpoint.
 */
export function summarizeRun(options: {
  history: EpochRecord[];
  bestEpoch: number;
  test: EvaluationResult;
  attributeNames: string[];
  realCelebA: boolean;
}): { summary: RunSummary; report: AttributeReport } {
  const { history, bestEpoch, test, attributeNames, realCelebA } = options;
  const best = history.find((h) => h.epoch === bestEpoch);
  if (!best) throw new Error(`history has no epoch ${bestEpoch}`);
  const report = attributeReport(
    { data: test.scores, shape: [test.count, test.numClasses] },
    { data: test.labels, shape: [test.count, test.numClasses] },
    attributeNames,
  );
  const summary: RunSummary = {
    bestEpoch,
    trainAccuracy: best.trainAccuracy,
    valAccuracy: best.valAccuracy,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    majorityBaselineAccuracy: report.meanBaseline,
    testCount: test.count,
    perAttribute: report.attributes.map((a) => ({
      name: a.name,
      accuracy: a.accuracy,
      baseline: a.baseline,
      precision: a.precision,
      recall: a.recall,
      f1: a.f1,
      balancedAccuracy: a.balancedAccuracy,
      positiveRate: a.positiveRate,
    })),
    realCelebA,
    ...(realCelebA ? { published: PAPER_PUBLISHED } : {}),
  };
  return { summary, report };
}

/**
 * Renders `report.md`: accuracy per epoch for train and validation, and test accuracy per
 * attribute beside the majority baseline (and the paper's published figures on real CelebA).
 */
export function renderReportMarkdown(options: {
  title: string;
  config: Record<string, unknown>;
  history: EpochRecord[];
  summary: RunSummary;
  report: AttributeReport;
}): string {
  const { title, config, history, summary, report } = options;
  const lines: string[] = [`# ${title}`, ""];
  lines.push(
    `Best epoch by validation accuracy: **${summary.bestEpoch}**. ` +
      `Test accuracy of that checkpoint: **${pct(summary.testAccuracy)}** on ${summary.testCount} images, ` +
      `against **${pct(summary.majorityBaselineAccuracy)}** for the majority-class baseline ` +
      `(${describeMargin(summary.testAccuracy - summary.majorityBaselineAccuracy)}).`,
    "",
  );
  if (summary.realCelebA) {
    const p = PAPER_PUBLISHED;
    lines.push(
      "## Against the paper's published figures",
      "",
      "| | this run | seed |",
      "| --- | --- | --- |",
      `| train accuracy (best epoch) | ${pct(summary.trainAccuracy)} | ${pct(p.trainAccuracy)} |`,
      `| test accuracy | ${pct(summary.testAccuracy)} | ${pct(p.testAccuracy)} |`,
      `| best epoch | ${summary.bestEpoch} | ${p.bestEpoch} |`,
      "",
      "The write-up publishes overall figures only; its per-attribute table is not in the text.",
      "",
    );
  } else {
    lines.push(
      "This run used synthetic CelebA, so the paper's published figures (train 95.7%, test 91.8%, best epoch 3) do not apply.",
      "",
    );
  }
  lines.push(
    "## Accuracy per epoch",
    "",
    "| epoch | train loss | train accuracy | validation loss | validation accuracy |",
  );
  lines.push("| --- | --- | --- | --- | --- |");
  for (const h of history) {
    const mark = h.epoch === summary.bestEpoch ? " **(best)**" : "";
    lines.push(
      `| ${h.epoch}${mark} | ${h.trainLoss.toFixed(4)} | ${pct(h.trainAccuracy)} | ${h.valLoss.toFixed(4)} | ${pct(h.valAccuracy)} |`,
    );
  }
  lines.push("", "![Train vs validation accuracy](accuracy.png)", "");
  lines.push(
    `## Test accuracy per attribute (epoch ${summary.bestEpoch})`,
    "",
    formatAttributeTable(report),
    "",
  );
  lines.push("## Configuration", "", "```json", JSON.stringify(config, null, 2), "```", "");
  return lines.join("\n");
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSyntheticCelebA } from "@celeba/data";
import { epochWeightsPath } from "@celeba/train";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateRun } from "./commands/evaluate";
import { predictFolder } from "./commands/predict";
import { paperRunConfig } from "./run-config";
import { runTraining } from "./run-training";

const work = mkdtempSync(join(tmpdir(), "celeba-use-cases-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("use cases, called as functions", () => {
  it("runTraining trains a run, predictFolder predicts with its checkpoint, evaluateRun re-tests it", async () => {
    const data = join(work, "data");
    await makeSyntheticCelebA(data, { count: 60, seed: 9 });
    const runDir = join(work, "run");
    const config = paperRunConfig(data, {
      arch: "resnext_tiny",
      epochs: 1,
      batchSize: 16,
      imageSize: { width: 32, height: 40 },
      backend: "cpu",
    });
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const outcome = await runTraining({ runDir, config, resuming: false }, { log, quiet: true });
    expect(outcome.result.status).toBe("completed");
    expect(outcome.result.bestEpoch).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^epoch 1\/1: train loss /));
    expect(JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")).settings.arch).toBe(
      "resnext_tiny",
    );
    const out = join(work, "predictions.csv");
    await predictFolder(
      {
        weights: epochWeightsPath(runDir, 1),
        imagesDir: join(data, "img_align_celeba"),
        out,
        batchSize: 16,
        backend: "cpu",
        raw: false,
        skipBadImages: false,
      },
      { log },
    );
    expect(existsSync(out)).toBe(true);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    expect(rows).toHaveLength(61);
    expect(rows[0]!.split(",")).toHaveLength(41);

    // evaluateRun re-validates the run's checkpoint and agrees with training's choice and test.
    const before = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    lines.length = 0;
    await evaluateRun({ runDir, config, engine: "tfjs", threads: 1 }, { log });
    expect(lines.filter((l) => /^epoch \d+: validation accuracy/.test(l))).toHaveLength(1);
    const after = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(after.bestEpoch).toBe(before.bestEpoch);
    expect(after.testAccuracy).toBeCloseTo(before.testAccuracy, 6);
  }, 300_000);
});

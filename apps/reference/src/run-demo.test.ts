import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CELEBA_ATTRIBUTE_NAMES } from "@celeba/data";
import { epochWeightsPath } from "@celeba/train";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../test/cli-harness";
import { CliError } from "./errors";
import { resizeForCrop } from "./run-config";
import { DEMO_TRAINING, type DemoConfig, runDemo } from "./run-demo";

const work = mkdtempSync(join(tmpdir(), "celeba-run-demo-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SIZE = { width: 32, height: 40 };
/** The demo at a size that trains in seconds: 60 images, one epoch at 32x40 on cpu. */
const quick = (out: string): DemoConfig => ({
  out,
  count: 60,
  privateCount: 12,
  force: false,
  training: {
    ...DEMO_TRAINING,
    epochs: 1,
    batchSize: 16,
    imageSize: SIZE,
    resize: resizeForCrop(SIZE),
    backend: "cpu",
  },
});

describe("runDemo", () => {
  it("makes data, a run whose checkpoint `reference predict` accepts, and the private predictions", async () => {
    const out = join(work, "demo");
    const lines: string[] = [];
    const outcome = await runDemo(quick(out), { log: (l) => lines.push(l), quiet: true });
    expect(outcome.runDir).toBe(out);
    expect(outcome.result.status).toBe("completed");
    expect(outcome.result.bestEpoch).toBe(1);
    expect(readdirSync(join(out, "data", "img_align_celeba"))).toHaveLength(60);
    expect(lines).toContainEqual(expect.stringMatching(/^epoch 1\/1: train loss /));

    const settings = JSON.parse(readFileSync(join(out, "run.json"), "utf8")).settings;
    expect(settings).toMatchObject({ arch: "resnext_tiny", data: join(out, "data"), lr: 0.01 });
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.perAttribute).toHaveLength(40);
    expect(readFileSync(join(out, "report.md"), "utf8")).toMatch(/Demo: resnext_tiny/);

    // The private predictions: a row per image, image_id then CelebA's 40 attributes as ±1.
    expect(outcome.predictions).toBe(join(out, "private-predictions.csv"));
    const rows = readFileSync(outcome.predictions!, "utf8").trim().split("\n");
    expect(rows).toHaveLength(13);
    expect(rows[0]!.split(",")).toEqual(["image_id", ...CELEBA_ATTRIBUTE_NAMES]);
    for (const row of rows.slice(1)) {
      for (const v of row.split(",").slice(1)) expect(["1", "-1"]).toContain(v);
    }

    // The built CLI reads the best checkpoint and predicts what the demo predicted.
    const again = join(work, "again.csv");
    const r = runCli([
      "predict",
      ...["--weights", epochWeightsPath(out, 1), "--backend", "cpu"],
      ...["--images", join(out, "private", "img_align_celeba"), "--out", again],
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(again, "utf8")).toBe(readFileSync(outcome.predictions!, "utf8"));
  }, 300_000);

  it("refuses a setting that is not valid before it makes the folder", async () => {
    const out = join(work, "refused");
    const config = quick(out);
    config.training.epochs = 0;
    const refused = runDemo(config, { log: () => {}, quiet: true });
    await expect(refused).rejects.toThrow(CliError);
    await expect(runDemo(config, { log: () => {}, quiet: true })).rejects.toThrow(
      "--epochs 0 is not valid: give a positive integer.",
    );
    expect(existsSync(out)).toBe(false);
  });
});

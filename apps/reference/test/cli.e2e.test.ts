import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLI,
  expectOneLineError,
  predictArgs,
  runCli as run,
  scratchDir,
  startCli,
  TORCHVISION_TINY_WEIGHTS,
  tinyTrainArgs,
} from "./cli-harness";

// Drives the built CLI through the whole workflow on a tiny synthetic CelebA:
// synth -> train -> SIGKILL -> resume -> evaluate -> predict.
const work = scratchDir("cli");
const data = join(work, "data");
const runDir = join(work, "run");
const trainArgs = tinyTrainArgs(data, runDir, { epochs: "3" });

describe("reference CLI end to end", () => {
  it("has a built CLI", () => {
    expect(existsSync(CLI), `${CLI} is missing: run "pnpm build" first`).toBe(true);
  });

  it("synth writes the CelebA layout", () => {
    const r = run(["synth", "--out", data, "--count", "120", "--seed", "3"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const attr = readFileSync(join(data, "list_attr_celeba.txt"), "utf8").split("\n");
    expect(attr[0]!.trim()).toBe("120");
    expect(attr[1]!.trim().split(/\s+/)).toHaveLength(40);
    expect(readdirSync(join(data, "img_align_celeba"))).toHaveLength(120);
  });

  it("train survives SIGKILL after its first checkpoint and resumes to the end", async () => {
    const { child } = startCli(trainArgs);
    const first = join(runDir, "checkpoints", "epoch-01.safetensors");
    const killed = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (existsSync(join(runDir, "latest.json")) && existsSync(first)) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve(true);
        }
      }, 50);
      child.on("exit", () => {
        clearInterval(timer);
        resolve(false);
      });
    });
    expect(killed, "training finished before the first checkpoint could be observed").toBe(true);
    expect(existsSync(join(runDir, "summary.json"))).toBe(false);

    const refused = run(trainArgs);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already holds a training run.*--resume/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const resumed = run(["train", "--resume", runDir, "--quiet"]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    for (const f of [
      "run.json",
      "history.csv",
      "summary.json",
      "report.md",
      "accuracy.png",
      "predictions.csv",
    ]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    for (const e of ["01", "02", "03"]) {
      expect(existsSync(join(runDir, "checkpoints", `epoch-${e}.safetensors`))).toBe(true);
    }
    const history = readFileSync(join(runDir, "history.csv"), "utf8").trim().split("\n");
    expect(history[0]).toMatch(/^epoch,train_loss,train_accuracy,/);
    expect(history).toHaveLength(4);
    const png = readFileSync(join(runDir, "accuracy.png"));
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(summary.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(summary.bestEpoch).toBeLessThanOrEqual(3);
    expect(summary.perAttribute).toHaveLength(40);
    expect(summary.testAccuracy).toBeGreaterThan(0);
    expect(summary.majorityBaselineAccuracy).toBeGreaterThan(0.5);
  });

  it("evaluate re-validates every checkpoint and agrees with training's choice", () => {
    const before = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    const r = run(["evaluate", "--run", runDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^epoch \d+: validation accuracy/gm)).toHaveLength(3);
    const after = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(after.bestEpoch).toBe(before.bestEpoch);
    expect(after.testAccuracy).toBeCloseTo(before.testAccuracy, 6);
  });

  it("predict writes one ±1 row per image with the checkpoint's names", () => {
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    const weights = join(
      runDir,
      "checkpoints",
      `epoch-${String(summary.bestEpoch).padStart(2, "0")}.safetensors`,
    );
    const out = join(work, "private.csv");
    const r = run(predictArgs(weights, join(data, "img_align_celeba"), out));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    expect(rows).toHaveLength(121);
    const header = rows[0]!.split(",");
    expect(header[0]).toBe("image_id");
    expect(header[1]).toBe("5_o_Clock_Shadow");
    expect(header).toHaveLength(41);
    for (const v of rows[1]!.split(",").slice(1)) expect(["1", "-1"]).toContain(v);
  });

  it("predict takes a bare torchvision state dict: --arch, class count from fc.weight, raw scores", () => {
    // resnext_tiny weights written by torchvision's own code, 10 classes.
    const weights = TORCHVISION_TINY_WEIGHTS;
    const out = join(work, "bare.csv");
    const images = join(data, "img_align_celeba");
    const r = run(predictArgs(weights, images, out, "--arch", "resnext_tiny", "--raw"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    expect(rows[0]).toBe(
      ["image_id", ...Array.from({ length: 10 }, (_, i) => `output_${i}`)].join(","),
    );
    expect(rows).toHaveLength(121);
    const values = rows[1]!.split(",").slice(1).map(Number);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 1 && v !== -1)).toBe(true);

    // Without --arch a bare state dict is taken for resnext50_32x4d, which these weights do not fit.
    const wrong = run(predictArgs(weights, images, join(work, "x.csv")));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    expect(wrong.stderr).toMatch(
      /does not fit resnext50_32x4d \(the default for a bare state dict\).*layer1\.0\.conv1\.weight.*pass --arch: one of .*resnext_tiny/,
    );
  });

  it("bad flags and paths end with one line and a non-zero exit", () => {
    const cases: Array<[string[], RegExp]> = [
      [["train", "--data", join(work, "nope"), "--out", join(work, "r2")], /nope/],
      [
        ["train", "--data", data, "--out", join(work, "r3"), "--arch", "resnet9"],
        /--arch "resnet9".*resnext50_32x4d/,
      ],
      [["train", "--data", data, "--out", join(work, "r4"), "--epochs", "zero"], /--epochs "zero"/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["synth", "--bogus"], /bogus/],
      [
        predictArgs(join(work, "missing.pth"), data, join(work, "x.csv")),
        /missing\.pth does not exist/,
      ],
    ];
    for (const [args, pattern] of cases) {
      expectOneLineError(run(args), pattern, { label: args.join(" ") });
    }
  });
});

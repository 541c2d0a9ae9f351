import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APP_PACKAGE as pkg, runCli as run, scratchDir, tinyTrainArgs } from "./cli-harness";

// Per-command help and flags, --version, --epochs and --backend on resume, --backend on evaluate,
// and what training prints when stdout is a pipe: all through the built CLI.
const work = scratchDir("flags");

/** The flags a help text lists under "Options:". */
function optionsOf(help: string): string[] {
  const section = help.split("\nOptions:\n")[1]?.split("\n\n")[0] ?? "";
  return [...section.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]!).sort();
}

// Written out by hand from what each command reads, independently of the CLI's own table.
const TRAIN_FLAGS = [
  "arch",
  "backend",
  "batch-size",
  "data",
  "epochs",
  "force",
  "freeze",
  "image-size",
  "limit",
  "loss",
  "lr",
  "optimizer",
  "out",
  "quiet",
  "resume",
  "seed",
  "skip-bad-images",
  "split",
  "weights",
];
const PREDICT_FLAGS = [
  "arch",
  "backend",
  "batch-size",
  "engine",
  "force",
  "images",
  "out",
  "raw",
  "skip-bad-images",
  "threads",
  "weights",
];

describe("reference help and flags", () => {
  it("train --help and predict --help list exactly the flags each command accepts", () => {
    const train = run(["train", "--help"]);
    expect(train.code).toBe(0);
    expect(optionsOf(train.stdout)).toEqual(TRAIN_FLAGS);
    const predict = run(["predict", "--help"]);
    expect(predict.code).toBe(0);
    expect(optionsOf(predict.stdout)).toEqual(PREDICT_FLAGS);
    expect(run(["doctor", "--help"]).stdout).not.toContain("Options:");
  });

  it("--version prints the version; the help's program name is the installed bin", () => {
    const r = run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`reference ${pkg.version}`);
    expect(Object.keys(pkg.bin)).toEqual(["reference"]);
    expect(run(["--help"]).stdout).toMatch(/^Usage: reference <command>/m);
    expect(run(["train", "--help"]).stdout).toMatch(/^Usage: reference train /m);
  });

  it("a flag the command does not use is an error, not ignored", () => {
    const r = run(["predict", "--epochs", "3", "--weights", "w", "--images", "i", "--out", "o"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'reference predict: --epochs is not an option of predict. Run "reference predict --help" for its options.',
    );
    const synth = run(["synth", "--out", join(work, "never"), "--backend", "cpu"]);
    expect(synth.code).toBe(2);
    expect(synth.stderr).toMatch(/--backend is not an option of synth/);
    expect(existsSync(join(work, "never"))).toBe(false);
  });
});

describe("train and evaluate: resume, backends and output", () => {
  const data = join(work, "data");
  const runDir = join(work, "run");
  const history = () => JSON.parse(readFileSync(join(runDir, "history.json"), "utf8"));
  const runJson = () => JSON.parse(readFileSync(join(runDir, "run.json"), "utf8"));

  it("off a terminal, training prints plain progress lines and every epoch's metrics", () => {
    expect(run(["synth", "--out", data, "--count", "60", "--seed", "5"]).code).toBe(0);
    // Not --quiet: the progress lines are what this test reads.
    const r = run(tinyTrainArgs(data, runDir, { backend: "wasm", seed: "2", quiet: false }));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^backend: wasm$/m);
    expect(r.stdout.includes("\r") || r.stdout.includes("\u001b")).toBe(false);
    // 48 training images in steps of 16: a line per step (a tenth of 3 steps rounds to 1).
    expect(
      r.stdout.match(/^epoch 1\/1 step \d\/3: loss \d+\.\d{4}, [\d.]+ img\/s$/gm),
    ).toHaveLength(3);
    const [h] = history();
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    expect(r.stdout).toContain(
      `epoch 1/1: train loss ${h.trainLoss.toFixed(4)} accuracy ${pct(h.trainAccuracy)}, ` +
        `validation loss ${h.valLoss.toFixed(4)} accuracy ${pct(h.valAccuracy)}`,
    );
  });

  it("train --resume refuses flags the run keeps, and takes --epochs (extends) and --backend", () => {
    const refused = run(["train", "--resume", runDir, "--lr", "0.1", "--batch-size", "8"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--resume cannot change --lr, --batch-size/);
    const before = history();
    const r = run(["train", "--resume", runDir, "--epochs", "2", "--backend", "cpu", "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^backend: cpu$/m);
    expect(r.stdout).not.toMatch(/ step \d/); // --quiet: no progress lines...
    expect(r.stdout).toMatch(/^epoch 2\/2: train loss /m); // ...but the epoch line
    const after = history();
    expect(after.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    expect(after[0]).toEqual(before[0]);
    expect(existsSync(join(runDir, "checkpoints", "epoch-02.safetensors"))).toBe(true);
    // One config file: train's run.json, with the app's settings in it.
    expect(runJson()).toMatchObject({ epochs: 2, settings: { epochs: 2, backend: "cpu" } });
    expect(existsSync(join(runDir, "config.json"))).toBe(false);
    const shorter = run(["train", "--resume", runDir, "--epochs", "1"]);
    expect(shorter.code).toBe(2);
    expect(shorter.stderr).toMatch(/--epochs 1 is below the 2 epochs .* already completed/);
  });

  it("evaluate honours --backend, and reads a run made before run.json held the settings", () => {
    // A run of the old layout: the app's settings in config.json, train's run.json without them.
    const { settings, ...trainConfig } = runJson();
    writeFileSync(join(runDir, "run.json"), JSON.stringify(trainConfig));
    writeFileSync(join(runDir, "config.json"), JSON.stringify(settings));
    const r = run(["evaluate", "--run", runDir, "--backend", "wasm"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^backend: wasm$/m);
    expect(r.stdout.match(/^epoch \d+: validation accuracy/gm)).toHaveLength(2);
  });
});

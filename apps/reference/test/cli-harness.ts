import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";

// One way for every end-to-end test to drive the built CLI (turbo builds it before this
// package's tests, and before apps/web's), and the fixtures they share.

// packages/resnext's torch probe: a parity block that needs torch is skipped without it, except in CI.
export { describeWithTorch, PYTHON } from "../../../packages/resnext/test/reference-torch";

/** The built CLI, the `reference` bin. */
export const CLI = join(import.meta.dirname, "..", "dist", "cli.js");

/** This app's package.json, for its version and bin. */
export const APP_PACKAGE = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8"),
);

/** packages/resnext: its fixture script and its fixtures. */
export const RESNEXT_PACKAGE = join(import.meta.dirname, "..", "..", "..", "packages", "resnext");

/** resnext_tiny weights with 10 classes, written by torchvision's own code (packages/resnext's fixture script). */
export const TORCHVISION_TINY_WEIGHTS = join(
  RESNEXT_PACKAGE,
  "fixtures",
  "resnext_tiny.safetensors",
);

/** What a finished CLI process left: its exit code (-1 when a signal ended it), stdout and stderr. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How to run the CLI: its environment (default: this process's) and how long it may take. */
export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** Default 600 s; a process still running then is killed. */
  timeoutMs?: number;
}

/** Runs `reference ARGS` to the end. */
export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    timeout: options.timeoutMs ?? 600_000,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `reference ARGS` in the background, to signal or race it; `done` settles when it exits. */
export function startCli(
  args: string[],
  options: CliOptions = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on("exit", (code, signal) =>
      resolve({ code: code ?? (signal ? -1 : null), stdout, stderr }),
    ),
  );
  return { child, done };
}

/** A fresh temporary folder, removed after the test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `celeba-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The flags of a quick run: resnext_tiny, one epoch of batches of 16 at 32x40 on cpu, seed 7, quiet. */
const TINY_RUN: Record<string, string | true> = {
  arch: "resnext_tiny",
  epochs: "1",
  "batch-size": "16",
  "image-size": "32x40",
  backend: "cpu",
  seed: "7",
  quiet: true,
};

/**
 * `train --data DATA --out OUT` with a quick run's flags; `changes` replaces a value, or leaves
 * a flag out (`false`).
 */
export function tinyTrainArgs(
  data: string,
  out: string,
  changes: Record<string, string | boolean> = {},
): string[] {
  const args = ["train", "--data", data, "--out", out];
  for (const [flag, value] of Object.entries({ ...TINY_RUN, ...changes })) {
    if (value === false) continue;
    args.push(`--${flag}`, ...(value === true ? [] : [value]));
  }
  return args;
}

/** `predict --weights WEIGHTS --images IMAGES --out OUT`, then `extra`. */
export function predictArgs(
  weights: string,
  images: string,
  out: string,
  ...extra: string[]
): string[] {
  return ["predict", "--weights", weights, "--images", images, "--out", out, ...extra];
}

/**
 * An error as the CLI must report it: one line on stderr, no stack trace, a non-zero exit code
 * (or exactly `code`), and a message matching `pattern`.
 */
export function expectOneLineError(
  r: CliResult,
  pattern: RegExp,
  options: { code?: number; label?: string } = {},
): void {
  const label = options.label ?? r.stderr;
  if (options.code === undefined) expect(r.code, label).not.toBe(0);
  else expect(r.code, label).toBe(options.code);
  expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(pattern);
}

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors";
import type { RunConfig } from "./run-config";

/** Reads a run's `config.json`, with a message that says what to do when it is missing or broken. */
export function readRunConfig(runDir: string): RunConfig {
  const path = join(runDir, "config.json");
  if (!existsSync(path)) {
    throw new CliError(
      `${path} does not exist: ${runDir} is not a run folder made by "reference train".`,
    );
  }
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RunConfig;
  } catch (error) {
    throw new CliError(
      `${path} is not valid JSON (${(error as Error).message}). Restore it or start a new run.`,
    );
  }
}

/**
 * The per-epoch checkpoints of a run, `checkpoints/epoch-NN.safetensors` for NN >= 1, by epoch
 * (`epoch-00` holds the weights before training, kept only so a run can resume from its start).
 */
export function listEpochCheckpoints(runDir: string): Array<{ epoch: number; path: string }> {
  const dir = join(runDir, "checkpoints");
  if (!existsSync(dir))
    throw new CliError(`${dir} does not exist: train the run first ("reference train").`);
  return readdirSync(dir)
    .map((f) => /^epoch-(\d+)\.safetensors$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) >= 1)
    .map((m) => ({ epoch: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.epoch - b.epoch);
}

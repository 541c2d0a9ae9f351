import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { epochOfWeightsFile, epochWeightsPath, RUN_FILES } from "@celeba/train";
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
 * The per-epoch checkpoints of a run for epochs >= 1, by epoch (`epoch-00` holds the weights
 * before training, kept only so a run can resume from its start). The names are
 * `@celeba/train`'s run layout.
 */
export function listEpochCheckpoints(runDir: string): Array<{ epoch: number; path: string }> {
  const dir = join(runDir, RUN_FILES.checkpoints);
  if (!existsSync(dir))
    throw new CliError(`${dir} does not exist: train the run first ("reference train").`);
  return readdirSync(dir)
    .map((f) => epochOfWeightsFile(f))
    .filter((epoch): epoch is number => epoch !== undefined && epoch >= 1)
    .map((epoch) => ({ epoch, path: epochWeightsPath(runDir, epoch) }))
    .sort((a, b) => a.epoch - b.epoch);
}

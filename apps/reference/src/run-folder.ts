import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { epochOfWeightsFile, epochWeightsPath, RUN_FILES } from "@celeba/train";
import { CliError } from "./errors";
import { checkRunConfig, type RunConfig } from "./run-config";

/**
 * Reads a run's settings: the `settings` that `@celeba/train` keeps in `run.json`, or, for runs
 * made before the two config files were merged, the app's own `config.json`. The message says
 * what to do when neither is there or one is broken, and names the key of a setting that is
 * missing or not valid.
 */
export async function readRunConfig(runDir: string): Promise<RunConfig> {
  const runJson = join(runDir, RUN_FILES.config);
  if (existsSync(runJson)) {
    let saved: { settings?: RunConfig };
    try {
      saved = JSON.parse(readFileSync(runJson, "utf8"));
    } catch (error) {
      throw new CliError(
        `${runJson} is not valid JSON (${(error as Error).message}). Restore it or start a new run.`,
      );
    }
    if (saved?.settings) {
      return checkRunConfig(saved.settings, { kind: "file", path: runJson, prefix: "settings." });
    }
  }
  const legacy = join(runDir, "config.json");
  if (!existsSync(legacy)) {
    throw new CliError(
      `${runJson} holds no settings of "reference train": ${runDir} is not a run folder made by "reference train".`,
    );
  }
  let settings: RunConfig;
  try {
    settings = JSON.parse(readFileSync(legacy, "utf8")) as RunConfig;
  } catch (error) {
    throw new CliError(
      `${legacy} is not valid JSON (${(error as Error).message}). Restore it or start a new run.`,
    );
  }
  return checkRunConfig(settings, { kind: "file", path: legacy, prefix: "" });
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

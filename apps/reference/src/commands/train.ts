import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BACKEND_CHOICES } from "../backend";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { oneOf } from "../flag-values";
import {
  checkOutputFolder,
  type OutputFolderRequest,
  openExistingRunFolder,
} from "../output-folder";
import type { RunConfig } from "../run-config";
import { runConfigFromFlags } from "../run-config-flags";
import { readRunConfig } from "../run-folder";
import type { RunLock } from "../run-lock";
import { runTraining, type TrainOutcome } from "../run-training";

/**
 * The saved config of a run to resume, with what `--resume` may change: `--epochs` extends (or
 * shortens, down to the epochs done) the run, `--backend` picks where it continues.
 */
export function resumedConfig(ctx: CommandContext, saved: RunConfig): RunConfig {
  const backend = ctx.string("backend");
  return {
    ...saved,
    epochs: ctx.int("epochs", saved.epochs),
    ...(backend !== undefined ? { backend: oneOf("backend", backend, BACKEND_CHOICES) } : {}),
  };
}

/** Refuses an `--epochs` below the epochs the run has already completed. */
async function checkResumeEpochs(runDir: string, config: RunConfig): Promise<void> {
  let done = 0;
  try {
    const latest = JSON.parse(readFileSync(join(runDir, "latest.json"), "utf8"));
    done = latest.complete ? latest.epoch : latest.epoch - 1;
  } catch {
    return; // resume() itself explains a broken latest.json.
  }
  if (config.epochs < done) {
    throw new CliError(
      `--epochs ${config.epochs} is below the ${done} epochs ${runDir} has already completed: ` +
        `give --epochs ${done} or more.`,
    );
  }
}

/**
 * `reference train --data DIR --out RUN [options]`, or `reference train --resume RUN`:
 * the paper's procedure (MSE on ±1 labels, Adamax, first 6 children frozen, 12 epochs),
 * a checkpoint per epoch, the best epoch by validation, and its test evaluation.
 */
export async function trainCommand(ctx: CommandContext): Promise<TrainOutcome> {
  const resumeDir = ctx.string("resume");
  let runDir: string;
  let config: RunConfig;
  let outRequest: OutputFolderRequest | undefined;
  let lock: RunLock | undefined;
  if (resumeDir !== undefined) {
    runDir = resolve(resumeDir);
    config = resumedConfig(ctx, await readRunConfig(runDir));
    // The lock comes before reading latest.json: a run another process writes is not ours to judge.
    lock = openExistingRunFolder(runDir, "train --resume");
    if (!existsSync(join(runDir, "latest.json"))) {
      lock.release();
      throw new CliError(
        `${runDir} has no complete checkpoint yet (no latest.json), so it cannot resume: ` +
          "start it again with --force and the flags it was started with.",
      );
    }
    try {
      await checkResumeEpochs(runDir, config);
    } catch (error) {
      lock.release();
      throw error;
    }
  } else {
    const data = resolve(
      ctx.requireString("data", 'the CelebA root folder (or one made by "reference synth")'),
    );
    runDir = resolve(
      ctx.requireString("out", "the run folder to write checkpoints and reports into"),
    );
    config = runConfigFromFlags(ctx, data);
    if (config.weights) config.weights = resolve(config.weights);
    if (config.weights && !existsSync(config.weights)) {
      throw new CliError(
        `--weights ${config.weights} does not exist. Give torchvision's .pth or a .safetensors file.`,
      );
    }
    outRequest = {
      dir: runDir,
      command: "train",
      kind: "run",
      force: ctx.bool("force"),
      protect: [
        { flag: "--data", path: data },
        ...(config.weights ? [{ flag: "--weights", path: config.weights }] : []),
      ],
      continueHint: `Continue it with "reference train --resume ${runDir}". `,
    };
    // Refuse before any work; the folder is only created once everything below has loaded.
    checkOutputFolder(outRequest);
  }
  try {
    return await runTraining(
      {
        runDir,
        config,
        resuming: resumeDir !== undefined,
        ...(outRequest ? { outRequest } : {}),
      },
      { log: ctx.log, quiet: ctx.bool("quiet") },
    );
  } finally {
    lock?.release();
  }
}

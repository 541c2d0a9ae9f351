import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { resume, type TrainResult, train } from "@celeba/train";
import { BACKEND_CHOICES, backendLines, selectBackend } from "../backend";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { writeRunOutputs } from "../finish-run";
import {
  checkOutputFolder,
  type OutputFolder,
  type OutputFolderRequest,
  openExistingRunFolder,
  openOutputFolder,
} from "../output-folder";
import { buildModel, evalSource, isRealCelebA, loadRunData, trainSource } from "../pipeline";
import { oneOf, type RunConfig, runConfigFromFlags } from "../run-config";
import { readRunConfig } from "../run-folder";
import type { RunLock } from "../run-lock";
import { writeRunMarker } from "../run-marker";
import { exitCodeForSignal, handleStopSignals } from "../termination-signals";
import { trainingOutput } from "../training-output";

/**
 * The wasm backend's heap stops at 4 GiB, and the engine then fails with a bare "memory access
 * out of bounds" or "Aborted()". ResNeXt50 at 218x178 needs more than that to train even at
 * batch 8, so say what happened and what to do instead.
 */
export function explainWasmOutOfMemory(
  error: unknown,
  backend: string,
  config: RunConfig,
  runDir: string,
): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (
    backend !== "wasm" ||
    !/memory access out of bounds|Aborted\(|out of memory|Cannot enlarge memory/i.test(message)
  ) {
    return error;
  }
  return new CliError(
    `the wasm backend ran out of its 4 GiB heap training ${config.arch} at ` +
      `${config.imageSize.width}x${config.imageSize.height}, batch ${config.batchSize} (${message.split("\n")[0]}). ` +
      `Start again with --force and a lower --batch-size, use --backend cpu, or install @tensorflow/tfjs-node(-gpu). ` +
      `Run folder: ${runDir}.`,
  );
}

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

/** What a finished `train` leaves, for the demo to report on. */
export interface TrainOutcome {
  runDir: string;
  config: RunConfig;
  result: TrainResult;
}

/**
 * `reference train --data DIR --out RUN [options]`, or `reference train --resume RUN`:
 * the seed's procedure (MSE on ±1 labels, Adamax, first 6 children frozen, 12 epochs),
 * a checkpoint per epoch, the best epoch by validation, and its test evaluation.
 */
export async function trainCommand(
  ctx: CommandContext,
  overrides: { title?: string; folderPrepared?: boolean } = {},
): Promise<TrainOutcome> {
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
    if (!overrides.folderPrepared) {
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
  }
  try {
    return await trainInFolder(ctx, overrides, { runDir, config, outRequest, lock, resumeDir });
  } finally {
    lock?.release();
  }
}

async function trainInFolder(
  ctx: CommandContext,
  overrides: { title?: string },
  run: {
    runDir: string;
    config: RunConfig;
    outRequest: OutputFolderRequest | undefined;
    lock: RunLock | undefined;
    resumeDir: string | undefined;
  },
): Promise<TrainOutcome> {
  const { runDir, config, outRequest } = run;
  const backend = await selectBackend(config.backend, { forTraining: true });
  for (const line of backendLines(backend)) ctx.log(line);

  const data = await loadRunData(config);
  const names = data.dataset.attributeNames;
  ctx.log(
    `data: ${data.dataset.size} images, ${names.length} attributes; ` +
      `train ${data.split.train.length}, val ${data.split.val.length}, test ${data.split.test.length} (${config.split} split)`,
  );
  let model: Awaited<ReturnType<typeof buildModel>>;
  try {
    // Weights and --freeze are checked here, before the run folder gets its first file.
    model = await buildModel(config, names.length, ctx.log);
  } catch (error) {
    await data.dataset.close();
    throw error;
  }
  let folder: OutputFolder | undefined;
  try {
    if (outRequest) {
      folder = openOutputFolder(outRequest);
      await writeRunMarker(runDir, "run");
    }
    return await runTraining(ctx, overrides, {
      runDir,
      config,
      backend: backend.name,
      data,
      model,
    });
  } catch (error) {
    // A run that never reached its first checkpoint cannot resume: leave no half-made folder.
    if (folder && !existsSync(join(runDir, "latest.json"))) folder.rollback();
    throw error;
  } finally {
    folder?.release();
    model.dispose();
    await data.dataset.close();
  }
}

async function runTraining(
  ctx: CommandContext,
  overrides: { title?: string },
  run: {
    runDir: string;
    config: RunConfig;
    backend: string;
    data: Awaited<ReturnType<typeof loadRunData>>;
    model: Awaited<ReturnType<typeof buildModel>>;
  },
): Promise<TrainOutcome> {
  const { runDir, config, data, model } = run;
  const names = data.dataset.attributeNames;
  const resuming = ctx.string("resume") !== undefined;
  const controller = new AbortController();
  const signals = handleStopSignals((signal) => {
    ctx.log(
      `${signal}: finishing the current step and writing a checkpoint (send it again to stop at once)`,
    );
    controller.abort();
  });
  try {
    const stepsPerEpoch = Math.ceil(data.split.train.length / config.batchSize);
    const output = trainingOutput({
      log: ctx.log,
      quiet: ctx.bool("quiet"),
      terminal: Boolean(process.stdout.isTTY && process.stderr.isTTY),
      epochs: config.epochs,
      stepsPerEpoch,
    });
    const inputs = {
      model,
      trainData: trainSource(config, data),
      valData: evalSource(config, data, "val"),
      testData: evalSource(config, data, "test"),
      signal: controller.signal,
      progress: output.progressBar,
      hooks: output.hooks,
      stepsPerEpoch,
    };
    let result: TrainResult;
    try {
      result = resuming
        ? // --epochs and --backend may have changed: run.json keeps them for the next resume.
          await resume(runDir, { ...inputs, epochs: config.epochs, settings: { ...config } })
        : await train({
            ...inputs,
            runDir,
            epochs: config.epochs,
            loss: config.loss,
            optimizer: { name: config.optimizer, lr: config.lr },
            attributeNames: names,
            seed: config.seed,
            architecture: config.arch,
            // The one config file of the run folder: train's run.json, holding these settings too.
            settings: { ...config },
          });
    } catch (error) {
      throw explainWasmOutOfMemory(error, run.backend, config, runDir);
    }
    if (result.status === "interrupted") {
      ctx.log(`interrupted: resume with "reference train --resume ${runDir}"`);
      process.exitCode = exitCodeForSignal(signals.received() ?? "SIGINT");
      return { runDir, config, result };
    }
    if (result.bestEpoch === undefined || result.test === undefined) {
      throw new CliError(
        `the run in ${runDir} finished without a best epoch or test result; run "reference evaluate --run ${runDir}".`,
      );
    }
    const summary = await writeRunOutputs({
      runDir,
      title: overrides.title ?? `${config.arch} on ${config.data}`,
      config: { ...config },
      history: result.history,
      bestEpoch: result.bestEpoch,
      test: result.test,
      attributeNames: names,
      realCelebA: isRealCelebA(data.dataset),
    });
    ctx.log(
      `done: best epoch ${summary.bestEpoch}, test accuracy ${(summary.testAccuracy * 100).toFixed(2)}% ` +
        `(majority baseline ${(summary.majorityBaselineAccuracy * 100).toFixed(2)}%); report in ${join(runDir, "report.md")}`,
    );
    return { runDir, config, result };
  } finally {
    signals.dispose();
  }
}

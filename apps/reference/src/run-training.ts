import { existsSync } from "node:fs";
import { join } from "node:path";
import { resume, type TrainResult, train } from "@celeba/train";
import { backendLines, selectBackend } from "./backend";
import { CliError } from "./errors";
import { writeRunOutputs } from "./finish-run";
import { type OutputFolder, type OutputFolderRequest, openOutputFolder } from "./output-folder";
import { buildModel, evalSource, isRealCelebA, loadRunData, trainSource } from "./pipeline";
import type { RunConfig } from "./run-config";
import { writeRunMarker } from "./run-marker";
import { exitCodeForSignal, handleStopSignals } from "./termination-signals";
import { trainingOutput } from "./training-output";

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

/** What a finished `train` leaves, for the demo to report on. */
export interface TrainOutcome {
  runDir: string;
  config: RunConfig;
  result: TrainResult;
}

/** What {@link runTraining} trains: a new run, or the continuation of one. */
export interface TrainingRequest {
  /** The run folder (absolute). */
  runDir: string;
  config: RunConfig;
  /** True to continue the run in `runDir` (its lock is the caller's). */
  resuming: boolean;
  /** For a new run: the folder to create once everything has loaded (absent: it exists already). */
  outRequest?: OutputFolderRequest;
  /** The report's title. Default: the architecture and the data folder. */
  title?: string;
}

/** Where a use case reports to. */
export interface TrainingIo {
  log: (line: string) => void;
  /** No progress bar or progress lines; the epoch lines stay. */
  quiet: boolean;
}

/**
 * Trains (or continues) one run with the paper's procedure and writes its report: picks the
 * backend, loads the data and the model, creates the run folder once they have loaded (and
 * removes it again if the run fails before its first checkpoint), trains with a checkpoint per
 * epoch, tests the best epoch. SIGINT and SIGTERM stop it with a checkpoint.
 *
 * @returns The run folder, its config and the library's result.
 * @throws {CliError} When the run finished without a best epoch, or wasm ran out of memory.
 */
export async function runTraining(request: TrainingRequest, io: TrainingIo): Promise<TrainOutcome> {
  const { runDir, config, outRequest } = request;

  const backend = await selectBackend(config.backend, { forTraining: true });
  for (const line of backendLines(backend)) io.log(line);

  const data = await loadRunData(config);
  const names = data.dataset.attributeNames;
  io.log(
    `data: ${data.dataset.size} images, ${names.length} attributes; ` +
      `train ${data.split.train.length}, val ${data.split.val.length}, test ${data.split.test.length} (${config.split} split)`,
  );
  let model: Awaited<ReturnType<typeof buildModel>>;
  try {
    // Weights and --freeze are checked here, before the run folder gets its first file.
    model = await buildModel(config, names.length, io.log);
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
    return await trainModel(io, request, { backend: backend.name, data, model });
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

async function trainModel(
  io: TrainingIo,
  request: TrainingRequest,
  run: {
    backend: string;
    data: Awaited<ReturnType<typeof loadRunData>>;
    model: Awaited<ReturnType<typeof buildModel>>;
  },
): Promise<TrainOutcome> {
  const { runDir, config, resuming } = request;
  const { data, model } = run;
  const names = data.dataset.attributeNames;
  const controller = new AbortController();
  const signals = handleStopSignals((signal) => {
    io.log(
      `${signal}: finishing the current step and writing a checkpoint (send it again to stop at once)`,
    );
    controller.abort();
  });
  try {
    const stepsPerEpoch = Math.ceil(data.split.train.length / config.batchSize);
    const output = trainingOutput({
      log: io.log,
      quiet: io.quiet,
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
      io.log(`interrupted: resume with "reference train --resume ${runDir}"`);
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
      title: request.title ?? `${config.arch} on ${config.data}`,
      config: { ...config },
      history: result.history,
      bestEpoch: result.bestEpoch,
      test: result.test,
      attributeNames: names,
      realCelebA: isRealCelebA(data.dataset),
    });
    io.log(
      `done: best epoch ${summary.bestEpoch}, test accuracy ${(summary.testAccuracy * 100).toFixed(2)}% ` +
        `(majority baseline ${(summary.majorityBaselineAccuracy * 100).toFixed(2)}%); report in ${join(runDir, "report.md")}`,
    );
    return { runDir, config, result };
  } finally {
    signals.dispose();
  }
}

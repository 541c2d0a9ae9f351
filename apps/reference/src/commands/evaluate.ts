import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { readStateDict } from "@celeba/resnext";
import { type EpochRecord, evaluate, testBestEpoch } from "@celeba/train";
import { BACKEND_CHOICES, backendLines, selectBackend } from "../backend";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { writeRunOutputs } from "../finish-run";
import { oneOf } from "../flag-values";
import { chooseEngine } from "../onnx-engine";
import { onnxRuntimeEvaluator } from "../onnx-evaluate";
import { openExistingRunFolder } from "../output-folder";
import { buildModel, evalSource, isRealCelebA, loadRunData } from "../pipeline";
import type { RunConfig } from "../run-config";
import { listEpochCheckpoints, readRunConfig } from "../run-folder";

/**
 * `reference evaluate --run RUN [--data DIR]`: validates every epoch's checkpoint, picks the
 * best by validation accuracy, tests it and writes the report, as the paper did with its 12 models.
 */
export async function evaluateCommand(ctx: CommandContext): Promise<void> {
  const runDir = resolve(ctx.requireString("run", 'the run folder made by "reference train"'));
  const config = await readRunConfig(runDir);
  const dataFlag = ctx.string("data");
  if (dataFlag) config.data = resolve(dataFlag);
  if (ctx.bool("skip-bad-images")) config.skipBadImages = true;
  // The saved backend is where the run trained; --backend says where to evaluate it now.
  const backendFlag = ctx.string("backend");
  if (backendFlag !== undefined) config.backend = oneOf("backend", backendFlag, BACKEND_CHOICES);
  // evaluate rewrites the run's reports: no training or other evaluate may write it meanwhile.
  const engine = chooseEngine(ctx.string("engine"), null);
  const threads = ctx.int("threads", availableParallelism());
  const lock = openExistingRunFolder(runDir, "evaluate");
  try {
    await evaluateRun({ runDir, config, engine, threads }, { log: ctx.log });
  } finally {
    lock.release();
  }
}

/** What {@link evaluateRun} evaluates: a run folder, its settings, and the engine to score on. */
export interface EvaluateRunRequest {
  runDir: string;
  config: RunConfig;
  engine: "tfjs" | "onnxruntime";
  /** ONNX Runtime's intra-op threads. */
  threads: number;
}

/**
 * Validates every epoch's checkpoint of a run, then takes `@celeba/train`'s own last step
 * ({@link testBestEpoch}: the best epoch by validation, and its test) and rewrites the report.
 * The caller holds the run's lock.
 *
 * @throws {CliError} When the run has no epoch checkpoint.
 */
export async function evaluateRun(
  request: EvaluateRunRequest,
  ctx: { log: (line: string) => void },
): Promise<void> {
  const { runDir, config } = request;
  const checkpoints = listEpochCheckpoints(runDir);
  if (checkpoints.length === 0)
    throw new CliError(`${runDir}/checkpoints holds no epoch-NN.safetensors: train first.`);

  const backend = await selectBackend(config.backend, { forTraining: false });
  for (const line of backendLines(backend)) ctx.log(line);
  const onnxRuntime = request.engine === "onnxruntime";
  const score = onnxRuntime
    ? onnxRuntimeEvaluator({
        threads: request.threads,
        inputSize: config.imageSize,
      })
    : evaluate;
  if (onnxRuntime) ctx.log("engine: onnxruntime");
  const data = await loadRunData(config);
  const names = data.dataset.attributeNames;
  const model = await buildModel({ ...config, weights: null }, names.length, () => {});
  try {
    const history: EpochRecord[] = [];
    const trainHistory = new Map<number, EpochRecord>();
    try {
      const saved = JSON.parse(readFileSync(join(runDir, "history.json"), "utf8"));
      for (const h of saved as EpochRecord[]) trainHistory.set(h.epoch, h);
    } catch {
      // Without history.json the train columns stay empty; validation is recomputed anyway.
    }
    for (const { epoch, path } of checkpoints) {
      model.loadStateDict(await readStateDict(path));
      const val = await score(model, evalSource(config, data, "val")(), { loss: config.loss });
      const t = trainHistory.get(epoch);
      history.push({
        epoch,
        trainLoss: t?.trainLoss ?? Number.NaN,
        trainAccuracy: t?.trainAccuracy ?? Number.NaN,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        seconds: t?.seconds ?? 0,
      });
      ctx.log(`epoch ${epoch}: validation accuracy ${(val.accuracy * 100).toFixed(2)}%`);
    }
    // The library's own last step: the best epoch by validation, then its test.
    const { bestEpoch, test } = await testBestEpoch({
      model,
      history,
      loadEpoch: async (epoch) =>
        model.loadStateDict(await readStateDict(checkpoints.find((c) => c.epoch === epoch)!.path)),
      testData: evalSource(config, data, "test")(),
      loss: config.loss,
      evaluate: score,
    });
    if (bestEpoch === undefined || test === undefined)
      throw new CliError(`${runDir} has no epoch to test: train first.`);
    const summary = await writeRunOutputs({
      runDir,
      title: `${config.arch} on ${config.data}`,
      config: { ...config },
      history,
      bestEpoch,
      test,
      attributeNames: names,
      realCelebA: isRealCelebA(data.dataset),
    });
    ctx.log(
      `best epoch ${bestEpoch}: test accuracy ${(summary.testAccuracy * 100).toFixed(2)}% ` +
        `(majority baseline ${(summary.majorityBaselineAccuracy * 100).toFixed(2)}%)`,
    );
  } finally {
    model.dispose();
    await data.dataset.close();
  }
}
